//! Private incidents: a private room and no broadcast, hidden from the read
//! token and from dashboard users who are not in its room, visible to the
//! API token, and made public again only by an explicit, recorded change.

use base64::Engine as _;
use serde_json::{json, Value};
use sima_server::settings::Secret;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::{api_error, count_kind, wait_until, TestApp, BROADCAST};

const API_TOKEN: &str = "api-token-for-tests-0123456789";
const READ_TOKEN: &str = "read-token-for-tests-0123456789";
const TEAM: &str = "T0TEAM";
const CLIENT_ID: &str = "1234.5678";
/// Declares the incident, so is in its room.
const REPORTER: &str = "U0REPORTER";
/// Never in its room.
const OUTSIDER: &str = "U0OUTSIDER";

/// A server with an API token, a read token and Sign in with Slack (against
/// the fake Slack, which also answers the OpenID Connect endpoints).
async fn spawn() -> TestApp {
    TestApp::spawn_with(|s| {
        s.api_token = Some(Secret::new(API_TOKEN));
        s.api_read_token = Some(Secret::new(READ_TOKEN));
        s.ui.slack_client_id = Some(CLIENT_ID.into());
        s.ui.slack_client_secret = Some(Secret::new("client-secret-for-tests".to_owned()));
        s.slack.team_id = Some(TEAM.into());
    })
    .await
}

async fn get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.http.get(format!("{}{path}", app.address)).bearer_auth(token).send().await.expect("the server answers")
}

async fn declare(app: &TestApp, body: Value) -> Value {
    let response = app
        .http
        .post(format!("{}/api/v1/incidents", app.address))
        .bearer_auth(API_TOKEN)
        .json(&body)
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), 201);
    response.json().await.expect("the incident")
}

async fn timeline(app: &TestApp, id: &str) -> Vec<Value> {
    let body: Value = get(app, API_TOKEN, &format!("/api/v1/incidents/{id}/timeline")).await.json().await.unwrap();
    body["events"].as_array().cloned().unwrap_or_default()
}

/// Waits until the opening runbook posted the card (the room exists, its people invited).
async fn wait_for_card(app: &TestApp, id: &str) -> Vec<Value> {
    wait_until("the card is posted", || async {
        let events = timeline(app, id).await;
        (count_kind(&events, "card_posted") == 1).then_some(events)
    })
    .await
}

fn numbers(list: &Value) -> Vec<String> {
    list["incidents"].as_array().unwrap().iter().map(|i| i["number"].as_str().unwrap().to_owned()).collect()
}

fn broadcasts(app: &TestApp) -> usize {
    app.slack_calls("chat.postMessage").iter().filter(|c| c.request["channel"] == BROADCAST).count()
}

/// A dashboard session of `user`, signed in with Slack.
async fn slack_session(app: &TestApp, user: &str) -> String {
    Mock::given(method("GET"))
        .and(path("/openid.connect.userInfo"))
        .and(wiremock::matchers::header("authorization", format!("Bearer xoxp-{user}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ok": true, "sub": user, "https://slack.com/team_id": TEAM,
        })))
        .with_priority(1)
        .mount(&app.slack)
        .await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let start = http.get(format!("{}/ui/login/slack?next=/ui/", app.address)).send().await.unwrap();
    assert_eq!(start.status(), 303);
    let authorize = start.headers()["location"].to_str().unwrap().to_owned();
    let flow = start.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let param = |name: &str| {
        let query = authorize.split_once('?').map_or("", |(_, q)| q);
        query.split('&').find_map(|kv| kv.strip_prefix(&format!("{name}="))).unwrap_or_default().to_owned()
    };
    let claims = json!({
        "iss": "https://slack.com", "sub": user, "aud": CLIENT_ID, "nonce": param("nonce"),
        "exp": chrono::Utc::now().timestamp() + 300, "https://slack.com/team_id": TEAM,
    });
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
    let code = format!("code-{user}");
    Mock::given(method("POST"))
        .and(path("/openid.connect.token"))
        .and(wiremock::matchers::body_string_contains(code.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ok": true, "access_token": format!("xoxp-{user}"), "id_token": format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln"),
        })))
        .with_priority(1)
        .mount(&app.slack)
        .await;
    let callback = format!("{}/ui/login/slack/callback?code={code}&state={}", app.address, param("state"));
    let signed = http.get(&callback).header("cookie", &flow).send().await.unwrap();
    assert_eq!(signed.status(), 303);
    let cookie = signed
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.split('=').next().is_some_and(|name| name.ends_with("sima_session")))
        .expect("a session");
    cookie.split(';').next().unwrap().to_owned()
}

async fn page(app: &TestApp, cookie: &str, path: &str) -> (u16, String) {
    let response = app.http.get(format!("{}{path}", app.address)).header("cookie", cookie).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn a_private_incident_gets_a_private_room_no_broadcast_and_is_hidden_from_the_read_token() {
    let app = spawn().await;
    let public = declare(&app, json!({ "domain": "payments", "summary": "Card payments fail" })).await;
    let secret =
        json!({ "domain": "security", "summary": "Leaked credentials", "private": true, "reporter": REPORTER });
    let private = declare(&app, secret).await;
    assert_eq!((public["private"].clone(), private["private"].clone()), (json!(false), json!(true)));
    let (id, number) = (private["id"].as_str().unwrap(), private["number"].as_str().unwrap());
    wait_for_card(&app, public["id"].as_str().unwrap()).await;
    wait_for_card(&app, id).await;
    app.wait_for_idle_outbox().await;

    let creates = app.slack_calls("conversations.create");
    let made = |name: &str| creates.iter().find(|c| c.request["name"].as_str().unwrap().contains(name)).unwrap();
    assert_eq!(made("leaked-credentials").request["is_private"], true);
    assert_eq!(made("card-payments-fail").request["is_private"], false);
    assert_eq!(broadcasts(&app), 1, "only the public incident is announced");
    let posts = app.slack_calls("chat.postMessage");
    let card = posts.iter().find(|c| c.request.to_string().contains("Leaked credentials")).expect("its card");
    assert_ne!(card.request["channel"], BROADCAST, "its card only in its room");

    // The read token: absent from the list, 404 like a missing incident everywhere.
    let listed: Value = get(&app, READ_TOKEN, "/api/v1/incidents").await.json().await.unwrap();
    assert_eq!(numbers(&listed), [public["number"].as_str().unwrap()]);
    let missing: Value = get(&app, READ_TOKEN, "/api/v1/incidents/INC-99").await.json().await.unwrap();
    assert_eq!(missing["error"]["message"], "no incident INC-99");
    for path in [
        format!("/api/v1/incidents/{id}"),
        format!("/api/v1/incidents/{number}"),
        format!("/api/v1/incidents/{number}/timeline"),
        format!("/api/v1/incidents/{number}/actions"),
    ] {
        let response = get(&app, READ_TOKEN, &path).await;
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = response.json().await.unwrap();
        let named = path.trim_start_matches("/api/v1/incidents/").split('/').next().unwrap().to_owned();
        let expected = missing["error"]["message"].as_str().unwrap().replace("INC-99", &named);
        assert_eq!(body["error"]["code"], missing["error"]["code"], "{path}");
        assert_eq!(body["error"]["message"], expected.as_str(), "{path}: the same answer as a missing incident");
    }
    let cursor = get(&app, READ_TOKEN, &format!("/api/v1/incidents?cursor={number}")).await;
    assert_eq!(cursor.status(), 400, "a hidden incident is no cursor either");

    // The API token sees everything.
    let all: Value = get(&app, API_TOKEN, "/api/v1/incidents").await.json().await.unwrap();
    assert_eq!(numbers(&all).len(), 2);
    assert_eq!(get(&app, API_TOKEN, &format!("/api/v1/incidents/{number}/timeline")).await.status(), 200);
    let shown: Value = get(&app, API_TOKEN, &format!("/api/v1/incidents/{number}")).await.json().await.unwrap();
    assert_eq!(shown["private"], true);
    app.stop().await;
}

#[tokio::test]
async fn only_members_of_its_room_see_a_private_incident_on_the_dashboard() {
    let app = spawn().await;
    let secret =
        json!({ "domain": "security", "summary": "Leaked credentials", "private": true, "reporter": REPORTER });
    let private = declare(&app, secret).await;
    let public = declare(&app, json!({ "domain": "payments", "summary": "Card payments fail" })).await;
    let number = private["number"].as_str().unwrap();
    wait_for_card(&app, private["id"].as_str().unwrap()).await;

    let outsider = slack_session(&app, OUTSIDER).await;
    let (status, list) = page(&app, &outsider, "/ui/").await;
    assert_eq!(status, 200);
    assert!(list.contains(public["number"].as_str().unwrap()) && !list.contains(number), "{list}");
    assert!(!list.contains("Leaked credentials"));
    let (missing, missing_page) = page(&app, &outsider, "/ui/incidents/INC-99").await;
    for path in [format!("/ui/incidents/{number}"), format!("/ui/incidents/{number}/timeline.csv")] {
        let (status, body) = page(&app, &outsider, &path).await;
        assert_eq!((status, missing), (404, 404), "{path}");
        assert_eq!(body.replace(number, "INC-99"), missing_page, "{path}: the page of a missing incident");
    }

    let member = slack_session(&app, REPORTER).await;
    let (status, list) = page(&app, &member, "/ui/").await;
    assert_eq!(status, 200);
    assert!(list.contains(number), "the reporter is in its room: {list}");
    let (status, card) = page(&app, &member, &format!("/ui/incidents/{number}")).await;
    assert!(status == 200 && card.contains("Leaked credentials"), "{status}");
    let (status, _) = page(&app, &member, &format!("/ui/incidents/{number}/timeline.csv")).await;
    assert_eq!(status, 200);
    app.stop().await;
}

#[tokio::test]
async fn making_a_private_incident_public_is_for_its_manager_recorded_and_then_announced() {
    let app = spawn().await;
    let secret =
        json!({ "domain": "security", "summary": "Leaked credentials", "private": true, "reporter": REPORTER });
    let private = declare(&app, secret).await;
    let (id, number) = (private["id"].as_str().unwrap(), private["number"].as_str().unwrap());
    wait_for_card(&app, id).await;
    let shown: Value = get(&app, API_TOKEN, &format!("/api/v1/incidents/{id}")).await.json().await.unwrap();
    let room = shown["room"]["id"].as_str().expect("its room").to_owned();

    assert_eq!(app.slash(OUTSIDER, &room, "public").await.status(), 200);
    app.wait_for_idle_outbox().await;
    assert_eq!(count_kind(&timeline(&app, id).await, "visibility_changed"), 0, "not the Incident Manager");
    assert_eq!(get(&app, READ_TOKEN, &format!("/api/v1/incidents/{number}")).await.status(), 404);

    assert_eq!(app.slash(REPORTER, &room, "manager me").await.status(), 200);
    assert_eq!(app.slash(REPORTER, &room, "public").await.status(), 200);
    let events = wait_until("made public", || async {
        let events = timeline(&app, id).await;
        (count_kind(&events, "visibility_changed") == 1).then_some(events)
    })
    .await;
    let change = events.iter().find(|e| e["kind"] == "visibility_changed").unwrap();
    assert_eq!((change["private"].clone(), change["actor"].clone()), (json!(false), json!(format!("user:{REPORTER}"))));
    assert_eq!(get(&app, READ_TOKEN, &format!("/api/v1/incidents/{number}")).await.status(), 200);
    wait_until("announced once public", || async { (broadcasts(&app) == 1).then_some(()) }).await;

    // Private again, after the fact: the broadcast is replaced by a neutral text.
    assert_eq!(app.slash(OUTSIDER, &room, "private").await.status(), 200);
    let update = wait_until("the broadcast withdrawn", || async {
        app.slack_calls("chat.update").into_iter().find(|c| c.request["channel"] == BROADCAST)
    })
    .await;
    let text = update.request.to_string();
    assert!(text.contains("is now private") && !text.contains("Leaked"), "{text}");
    assert_eq!(get(&app, READ_TOKEN, &format!("/api/v1/incidents/{number}")).await.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn a_monitor_declares_a_private_incident_through_the_alert_webhook() {
    let app = spawn().await;
    let alert = json!({ "dedup_key": "siem-42", "domain": "security", "summary": "Unusual logins",
                        "status": "firing", "private": true });
    let response = app.webhook("/webhooks/alerts", &alert).await;
    assert!(response.status().is_success(), "{}", response.status());
    let all: Value = get(&app, API_TOKEN, "/api/v1/incidents").await.json().await.unwrap();
    assert_eq!(all["incidents"][0]["private"], true);
    let listed: Value = get(&app, READ_TOKEN, "/api/v1/incidents").await.json().await.unwrap();
    assert!(numbers(&listed).is_empty());
    app.stop().await;
}

#[tokio::test]
async fn declare_private_in_slack_opens_the_modal_with_its_box_ticked_and_declares_private() {
    let app = spawn().await;
    assert_eq!(app.slash(REPORTER, "CGENERAL", "declare --private").await.status(), 200);
    assert_eq!(app.slash(REPORTER, "CGENERAL", "declare").await.status(), 200);
    let opened = app.slack_calls("views.open");
    assert_eq!(opened.len(), 2);
    let private_box = |view: &Value| {
        let blocks = view["view"]["blocks"].as_array().unwrap().clone();
        blocks.into_iter().find(|b| b["block_id"] == "private").expect("the private box")["element"].clone()
    };
    let ticked = private_box(&opened[0].request);
    assert_eq!(ticked["type"], "checkboxes");
    assert_eq!(ticked["options"][0]["value"], "true");
    assert_eq!(ticked["initial_options"][0]["value"], "true");
    assert!(private_box(&opened[1].request).get("initial_options").is_none(), "plain declare: not ticked");

    let input = |value: &str| json!({ "type": "plain_text_input", "value": value });
    let submission = |summary: &str, private: Value| {
        json!({
            "type": "view_submission", "team": { "id": TEAM }, "user": { "id": REPORTER }, "trigger_id": "t",
            "view": { "id": "V0DECLARE", "type": "modal", "callback_id": "declare_incident", "private_metadata": "",
                "state": { "values": {
                    "domain": { "domain": input("security") },
                    "summary": { "summary": input(summary) },
                    "severity": { "severity": { "type": "static_select", "selected_option": { "value": "sev2" } } },
                    "private": { "private": { "type": "checkboxes", "selected_options": private } }
                } } }
        })
    };
    let ticked = submission("Leaked credentials", json!([{ "value": "true" }]));
    assert_eq!(app.interaction(&ticked).await.status(), 200);
    assert_eq!(app.interaction(&submission("Slow logins", json!([]))).await.status(), 200);
    let all: Value = get(&app, API_TOKEN, "/api/v1/incidents").await.json().await.unwrap();
    let private: Vec<(String, bool)> = all["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["summary"].as_str().unwrap().to_owned(), i["private"].as_bool().unwrap()))
        .collect();
    assert_eq!(private, [("Slow logins".to_owned(), false), ("Leaked credentials".to_owned(), true)]);
    app.stop().await;
}

/// `POST /api/v1/incidents/{id}/visibility` with `token` and `body`.
async fn set_visibility(app: &TestApp, token: &str, id: &str, body: Value) -> reqwest::Response {
    app.http
        .post(format!("{}/api/v1/incidents/{id}/visibility", app.address))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("the server answers")
}

#[tokio::test]
async fn the_api_token_makes_a_private_incident_public_and_a_public_one_private() {
    let app = spawn().await;
    let secret =
        json!({ "domain": "security", "summary": "Leaked credentials", "private": true, "reporter": REPORTER });
    let private = declare(&app, secret).await;
    let (id, number) = (private["id"].as_str().unwrap(), private["number"].as_str().unwrap());
    assert_eq!(get(&app, READ_TOKEN, &format!("/api/v1/incidents/{number}")).await.status(), 404);

    let response = set_visibility(&app, API_TOKEN, number, json!({ "private": false })).await;
    assert_eq!(response.status(), 200);
    let public: Value = response.json().await.unwrap();
    assert_eq!((&public["id"], &public["private"]), (&private["id"], &json!(false)));
    let events = timeline(&app, id).await;
    let changes: Vec<&Value> = events.iter().filter(|e| e["kind"] == "visibility_changed").collect();
    assert_eq!(changes.len(), 1, "{events:#?}");
    assert_eq!((&changes[0]["private"], &changes[0]["actor"]), (&json!(false), &json!("api")));
    let seen = get(&app, READ_TOKEN, &format!("/api/v1/incidents/{number}")).await;
    assert_eq!(seen.status(), 200, "the read token sees it once public");
    assert_eq!(seen.json::<Value>().await.unwrap()["private"], false);
    wait_until("announced once public", || async { (broadcasts(&app) == 1).then_some(()) }).await;

    // Asking again for the visibility it has changes nothing.
    assert_eq!(set_visibility(&app, API_TOKEN, id, json!({ "private": false })).await.status(), 200);
    assert_eq!(count_kind(&timeline(&app, id).await, "visibility_changed"), 1);

    let response = set_visibility(&app, API_TOKEN, id, json!({ "private": true })).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap()["private"], true);
    let events = timeline(&app, id).await;
    let last = events.iter().rfind(|e| e["kind"] == "visibility_changed").unwrap();
    assert_eq!((&last["private"], &last["actor"]), (&json!(true), &json!("api")));
    let hidden = get(&app, READ_TOKEN, &format!("/api/v1/incidents/{number}")).await;
    let missing = get(&app, READ_TOKEN, "/api/v1/incidents/INC-99").await;
    assert_eq!(
        (hidden.status().as_u16(), missing.status().as_u16()),
        (404, 404),
        "hidden again, like a missing incident"
    );
    let listed: Value = get(&app, READ_TOKEN, "/api/v1/incidents").await.json().await.unwrap();
    assert!(numbers(&listed).is_empty(), "{listed}");
    app.stop().await;
}

#[tokio::test]
async fn changing_visibility_is_refused_to_the_read_token_and_without_a_clear_body() {
    let app = spawn().await;
    let public = declare(&app, json!({ "domain": "payments", "summary": "Card payments fail" })).await;
    let secret = json!({ "domain": "security", "summary": "Leaked credentials", "private": true });
    let private = declare(&app, secret).await;
    let (public_id, private_id) = (public["id"].as_str().unwrap(), private["id"].as_str().unwrap());

    for (id, private) in [(public_id, true), (private_id, false)] {
        let refused = set_visibility(&app, READ_TOKEN, id, json!({ "private": private })).await;
        let message = api_error(refused, 403, "forbidden").await;
        assert!(message.contains("read"), "{message}");
        let anonymous = app
            .http
            .post(format!("{}/api/v1/incidents/{id}/visibility", app.address))
            .json(&json!({ "private": private }))
            .send()
            .await
            .unwrap();
        api_error(anonymous, 401, "unauthorized").await;
    }

    let missing = set_visibility(&app, API_TOKEN, "INC-99", json!({ "private": true })).await;
    assert_eq!(api_error(missing, 404, "not_found").await, "no incident INC-99");
    for body in [json!({}), json!({ "private": "yes" }), json!({ "private": null }), json!({ "public": true })] {
        let response = set_visibility(&app, API_TOKEN, public_id, body.clone()).await;
        assert!(response.status().is_client_error(), "{body}: {}", response.status());
        let error: Value = response.json().await.unwrap();
        let message = error["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("private"), "{body}: the message names `private`: {message}");
    }
    let not_json = app
        .http
        .post(format!("{}/api/v1/incidents/{public_id}/visibility", app.address))
        .bearer_auth(API_TOKEN)
        .header("content-type", "application/json")
        .body("private")
        .send()
        .await
        .unwrap();
    api_error(not_json, 400, "invalid_json").await;

    // Nothing changed: no event, and each incident keeps its visibility.
    for (id, was_private) in [(public_id, false), (private_id, true)] {
        assert_eq!(count_kind(&timeline(&app, id).await, "visibility_changed"), 0);
        let shown: Value = get(&app, API_TOKEN, &format!("/api/v1/incidents/{id}")).await.json().await.unwrap();
        assert_eq!(shown["private"], was_private);
    }
    app.stop().await;
}
