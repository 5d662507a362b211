//! The Statuspage adapter against a mock manage API: the requests it
//! receives and the `PortError` each answer becomes.

mod helpers;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sima_core::domain::{ComponentStatus, PublicStatus};
use sima_core::ports::{HostedIncident, PortError, StatusPagePort};
use sima_statuspage::{Secret, StatuspagePage};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use helpers::{
    config, incident, notice, only_for_the_key, TestStatuspage, API_ID, BILLING_ID, COMPONENTS, INCIDENTS, INCIDENT_ID,
    KEY, SHORTLINK, UNRESOLVED,
};

fn incident_path() -> String {
    format!("{INCIDENTS}/{INCIDENT_ID}")
}

fn hosted() -> HostedIncident {
    HostedIncident { id: INCIDENT_ID.into(), url: Some(SHORTLINK.into()) }
}

async fn answer_create(statuspage: &TestStatuspage, answer: ResponseTemplate) {
    Mock::given(method("POST")).and(path(INCIDENTS)).respond_with(answer).mount(&statuspage.server).await;
}

async fn answer_patch(statuspage: &TestStatuspage, answer: ResponseTemplate) {
    Mock::given(method("PATCH")).and(path(incident_path())).respond_with(answer).mount(&statuspage.server).await;
}

#[tokio::test]
async fn the_first_push_creates_the_incident_statuspage_expects() {
    let statuspage = TestStatuspage::start().await;
    statuspage.no_unresolved_incidents().await;
    let created = incident("INC-7", "investigating", &[(API_ID, "major_outage")]);
    answer_create(&statuspage, ResponseTemplate::new(201).set_body_json(created)).await;
    let notice = notice(
        PublicStatus::Investigating,
        &[("API", ComponentStatus::MajorOutage), ("Billing", ComponentStatus::DegradedPerformance)],
    );

    let hosted = statuspage.page.publish(None, &notice).await.unwrap();

    assert_eq!(hosted, HostedIncident { id: INCIDENT_ID.into(), url: Some(SHORTLINK.into()) });
    let requests = statuspage.requests().await;
    for request in &requests {
        assert_eq!(request.headers["authorization"], format!("OAuth {KEY}").as_str(), "{}", request.url);
    }
    let routes: Vec<_> = requests.iter().map(|r| format!("{} {}", r.method, r.url.path())).collect();
    assert_eq!(routes, [format!("GET {COMPONENTS}"), format!("GET {UNRESOLVED}"), format!("POST {INCIDENTS}")]);
    assert_eq!(requests[1].url.query(), Some("page=1&per_page=100"));
    assert_eq!(requests[2].headers["content-type"], "application/json");
    let body: Value = serde_json::from_slice(&requests[2].body).unwrap();
    assert_eq!(
        body,
        json!({ "incident": {
            "name": "Emails are delayed",
            "status": "investigating",
            "body": "Outgoing e-mail is queued; we are on it.",
            "component_ids": [API_ID, BILLING_ID],
            "components": { API_ID: "major_outage", BILLING_ID: "degraded_performance" },
            "deliver_notifications": true,
            "metadata": { "sima": { "incident": "INC-7" } },
        }})
    );
}

#[tokio::test]
async fn a_first_push_answered_500_after_creating_is_found_and_patched_on_retry() {
    let statuspage = TestStatuspage::start().await;
    // Statuspage made the incident, then failed to answer.
    Mock::given(method("GET"))
        .and(path(UNRESOLVED))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&statuspage.server)
        .await;
    let other = {
        let mut other = incident("INC-6", "identified", &[]);
        other["id"] = json!("someoneelse1");
        other
    };
    let made = incident("INC-7", "investigating", &[(API_ID, "major_outage")]);
    Mock::given(method("GET"))
        .and(path(UNRESOLVED))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([other, made])))
        .mount(&statuspage.server)
        .await;
    answer_create(&statuspage, ResponseTemplate::new(500).set_body_string("Internal Server Error")).await;
    answer_patch(&statuspage, ResponseTemplate::new(200).set_body_json(incident("INC-7", "investigating", &[]))).await;
    let notice = notice(PublicStatus::Investigating, &[("API", ComponentStatus::MajorOutage)]);

    let error = statuspage.page.publish(None, &notice).await.unwrap_err();
    assert!(matches!(&error, PortError::Transient(text) if text.contains("500")), "{error:?}");
    let hosted = statuspage.page.publish(None, &notice).await.unwrap();

    assert_eq!(hosted, HostedIncident { id: INCIDENT_ID.into(), url: Some(SHORTLINK.into()) });
    assert_eq!(statuspage.sent("POST", INCIDENTS).await.len(), 1, "exactly one incident is created");
    let patches = statuspage.bodies("PATCH", &incident_path()).await;
    assert_eq!(
        patches,
        [json!({ "incident": {
            "name": "Emails are delayed",
            "status": "investigating",
            "body": "Outgoing e-mail is queued; we are on it.",
            "component_ids": [API_ID],
            "components": { API_ID: "major_outage" },
            "deliver_notifications": true,
        }})]
    );
}

#[tokio::test]
async fn an_incident_made_for_another_number_is_not_taken() {
    let statuspage = TestStatuspage::start().await;
    Mock::given(method("GET"))
        .and(path(UNRESOLVED))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([incident("INC-70", "identified", &[])])))
        .mount(&statuspage.server)
        .await;
    answer_create(&statuspage, ResponseTemplate::new(201).set_body_json(incident("INC-7", "investigating", &[]))).await;

    statuspage.page.publish(None, &notice(PublicStatus::Investigating, &[])).await.unwrap();

    assert_eq!(statuspage.sent("POST", INCIDENTS).await.len(), 1);
    assert!(statuspage.sent("PATCH", &incident_path()).await.is_empty());
}

#[tokio::test]
async fn a_resolving_first_push_also_looks_among_resolved_incidents() {
    let statuspage = TestStatuspage::start().await;
    statuspage.no_unresolved_incidents().await;
    Mock::given(method("GET"))
        .and(path(INCIDENTS))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([incident("INC-7", "resolved", &[])])))
        .mount(&statuspage.server)
        .await;
    Mock::given(method("GET"))
        .and(path(incident_path()))
        .respond_with(ResponseTemplate::new(200).set_body_json(incident(
            "INC-7",
            "resolved",
            &[(API_ID, "operational")],
        )))
        .mount(&statuspage.server)
        .await;
    answer_patch(&statuspage, ResponseTemplate::new(200).set_body_json(incident("INC-7", "resolved", &[]))).await;

    let hosted = statuspage.page.publish(None, &notice(PublicStatus::Resolved, &[])).await.unwrap();

    assert_eq!(hosted.id, INCIDENT_ID);
    assert!(statuspage.sent("POST", INCIDENTS).await.is_empty());
    let listed = statuspage.sent("GET", INCIDENTS).await;
    assert_eq!(listed[0].url.query(), Some("page=1&limit=100"));
}

#[tokio::test]
async fn an_update_then_a_resolve_puts_every_component_back_to_operational() {
    let statuspage = TestStatuspage::start().await;
    answer_patch(&statuspage, ResponseTemplate::new(200).set_body_json(incident("INC-7", "identified", &[]))).await;
    let held = incident("INC-7", "identified", &[(API_ID, "partial_outage"), (BILLING_ID, "degraded_performance")]);
    Mock::given(method("GET"))
        .and(path(incident_path()))
        .respond_with(ResponseTemplate::new(200).set_body_json(held))
        .mount(&statuspage.server)
        .await;

    let update = notice(PublicStatus::Identified, &[("API", ComponentStatus::PartialOutage)]);
    let after_update = statuspage.page.publish(Some(hosted()), &update).await.unwrap();
    let mut resolve = notice(PublicStatus::Resolved, &[("API", ComponentStatus::PartialOutage)]);
    resolve.message = "Mail is flowing again.".into();
    let after_resolve = statuspage.page.publish(Some(after_update), &resolve).await.unwrap();

    assert_eq!(after_resolve, hosted());
    assert!(statuspage.sent("GET", UNRESOLVED).await.is_empty(), "a known incident is not looked for");
    let patches = statuspage.bodies("PATCH", &incident_path()).await;
    assert_eq!(patches.len(), 2);
    assert_eq!(patches[0]["incident"]["status"], "identified");
    assert_eq!(patches[0]["incident"]["components"], json!({ API_ID: "partial_outage" }));
    assert_eq!(patches[1]["incident"]["status"], "resolved");
    assert_eq!(patches[1]["incident"]["body"], "Mail is flowing again.");
    assert_eq!(patches[1]["incident"]["components"], json!({ API_ID: "operational", BILLING_ID: "operational" }));
    assert_eq!(patches[1]["incident"]["component_ids"], json!([API_ID, BILLING_ID]));
}

#[tokio::test]
async fn the_component_list_is_read_once_for_several_pushes() {
    let statuspage = TestStatuspage::start().await;
    answer_patch(&statuspage, ResponseTemplate::new(200).set_body_json(incident("INC-7", "identified", &[]))).await;
    let update = notice(PublicStatus::Identified, &[("API", ComponentStatus::PartialOutage)]);

    for _ in 0..3 {
        statuspage.page.publish(Some(hosted()), &update).await.unwrap();
    }

    assert_eq!(statuspage.sent("GET", COMPONENTS).await.len(), 1);
    assert_eq!(statuspage.sent("PATCH", &incident_path()).await.len(), 3);
}

#[tokio::test]
async fn an_unknown_component_is_invalid_and_names_the_known_ones() {
    let statuspage = TestStatuspage::start().await;
    let notice = notice(PublicStatus::Investigating, &[("Bilings", ComponentStatus::MajorOutage)]);

    let error = statuspage.page.publish(None, &notice).await.unwrap_err();

    let PortError::Invalid(text) = &error else { panic!("{error:?}") };
    assert!(text.contains("\"Bilings\"") && text.contains("API, Billing"), "{text}");
    assert!(!text.contains("Platform"), "groups are not settable: {text}");
    assert_eq!(statuspage.sent("GET", COMPONENTS).await.len(), 2, "the list is read again once before refusing");
    assert!(statuspage.sent("POST", INCIDENTS).await.is_empty());
}

#[tokio::test]
async fn user_text_is_sent_as_plain_text() {
    let statuspage = TestStatuspage::start().await;
    statuspage.no_unresolved_incidents().await;
    answer_create(&statuspage, ResponseTemplate::new(201).set_body_json(incident("INC-7", "investigating", &[]))).await;
    let mut notice = notice(PublicStatus::Investigating, &[]);
    notice.message = "<script>alert(1)</script> see [here](https://evil.example) & *now*".into();

    statuspage.page.publish(None, &notice).await.unwrap();

    let body = &statuspage.bodies("POST", INCIDENTS).await[0]["incident"]["body"];
    assert_eq!(body, "&lt;script&gt;alert(1)&lt;/script&gt; see \\[here\\](https://evil.example) &amp; \\*now\\*");
}

#[tokio::test]
async fn a_rate_limit_is_waited_out_then_sent_once_more() {
    for status in [429, 420] {
        let statuspage = TestStatuspage::start().await;
        statuspage.no_unresolved_incidents().await;
        Mock::given(method("POST"))
            .and(path(INCIDENTS))
            .respond_with(ResponseTemplate::new(status).insert_header("Retry-After", "1"))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&statuspage.server)
            .await;
        answer_create(&statuspage, ResponseTemplate::new(201).set_body_json(incident("INC-7", "investigating", &[])))
            .await;
        let started = Instant::now();

        statuspage.page.publish(None, &notice(PublicStatus::Investigating, &[])).await.unwrap();

        assert!(started.elapsed() >= Duration::from_secs(1), "{status}: Retry-After was honoured");
        let posts = statuspage.sent("POST", INCIDENTS).await;
        assert_eq!(posts.len(), 2, "{status}");
        assert_eq!(posts[0].body, posts[1].body, "{status}: the retry sends the same incident");
    }
}

#[tokio::test]
async fn a_long_rate_limit_is_returned_not_slept() {
    for status in [429, 420] {
        let statuspage = TestStatuspage::start().await;
        Mock::given(method("GET"))
            .and(path(UNRESOLVED))
            .respond_with(ResponseTemplate::new(status).insert_header("Retry-After", "60"))
            .mount(&statuspage.server)
            .await;

        let error = statuspage.page.publish(None, &notice(PublicStatus::Investigating, &[])).await.unwrap_err();

        assert_eq!(error, PortError::RateLimited { retry_after: Some(Duration::from_secs(60)) }, "{status}");
        assert_eq!(statuspage.sent("GET", UNRESOLVED).await.len(), 1, "{status}");
        assert!(statuspage.sent("POST", INCIDENTS).await.is_empty(), "{status}");
    }
}

#[tokio::test]
async fn a_wrong_key_is_unauthorized_and_not_repeated() {
    let server = MockServer::start().await;
    only_for_the_key(&server).await;
    let page = StatuspagePage::new(config(&server)).unwrap();
    let mut wrong = config(&server);
    wrong.api_key = Secret::new("revoked");
    let wrong_page = StatuspagePage::new(wrong).unwrap();
    let update = notice(PublicStatus::Identified, &[]);

    let error = wrong_page.publish(None, &update).await.unwrap_err();

    assert!(matches!(&error, PortError::Unauthorized(text) if text.contains("Could not authenticate")), "{error:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    // The same server accepts the right key: the refusal was about the key.
    assert!(page.publish(None, &update).await.is_err_and(|e| !matches!(e, PortError::Unauthorized(_))));
}

#[tokio::test]
async fn statuspage_refusals_map_to_port_errors_with_its_words() {
    for (status, expected) in [
        (401, PortError::Unauthorized(String::new())),
        (404, PortError::NotFound(String::new())),
        (422, PortError::Invalid(String::new())),
        (400, PortError::Invalid(String::new())),
    ] {
        let statuspage = TestStatuspage::start().await;
        let refusal = json!({ "error": ["Status is not included in the list"] });
        answer_patch(&statuspage, ResponseTemplate::new(status).set_body_json(refusal)).await;

        let error = statuspage.page.publish(Some(hosted()), &notice(PublicStatus::Identified, &[])).await.unwrap_err();

        assert_eq!(std::mem::discriminant(&error), std::mem::discriminant(&expected), "{status}: {error:?}");
        assert!(error.to_string().contains("Status is not included in the list"), "{status}: {error}");
        assert_eq!(statuspage.sent("PATCH", &incident_path()).await.len(), 1, "{status} is not retried");
    }
}

#[tokio::test]
async fn server_errors_are_transient_and_not_repeated_in_process() {
    for status in [500, 502, 503] {
        let statuspage = TestStatuspage::start().await;
        statuspage.no_unresolved_incidents().await;
        answer_create(&statuspage, ResponseTemplate::new(status).insert_header("Retry-After", "1")).await;

        let error = statuspage.page.publish(None, &notice(PublicStatus::Investigating, &[])).await.unwrap_err();

        assert!(matches!(&error, PortError::Transient(text) if text.contains(&status.to_string())), "{error:?}");
        assert_eq!(statuspage.sent("POST", INCIDENTS).await.len(), 1, "{status}: the incident may have been created");
    }
}

#[tokio::test]
async fn an_unreadable_answer_is_invalid() {
    for garbage in [
        ResponseTemplate::new(200).set_body_string("<html>maintenance</html>"),
        ResponseTemplate::new(200).set_body_json(json!({ "incident": "no id here" })),
        ResponseTemplate::new(200).set_body_json(json!([{ "name": "an incident without an id" }])),
    ] {
        let statuspage = TestStatuspage::start().await;
        answer_patch(&statuspage, garbage).await;

        let error = statuspage.page.publish(Some(hosted()), &notice(PublicStatus::Identified, &[])).await.unwrap_err();

        assert!(matches!(error, PortError::Invalid(_)), "{error:?}");
    }
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(COMPONENTS))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"components\":"))
        .mount(&server)
        .await;
    let page = StatuspagePage::new(config(&server)).unwrap();
    let error = page.publish(None, &notice(PublicStatus::Identified, &[("API", ComponentStatus::MajorOutage)])).await;
    assert!(matches!(error, Err(PortError::Invalid(_))), "{error:?}");
}

async fn answer_get(statuspage: &TestStatuspage, answer: ResponseTemplate) {
    Mock::given(method("GET")).and(path(incident_path())).respond_with(answer).mount(&statuspage.server).await;
}

async fn answer_delete(statuspage: &TestStatuspage, answer: ResponseTemplate) {
    Mock::given(method("DELETE")).and(path(incident_path())).respond_with(answer).mount(&statuspage.server).await;
}

#[tokio::test]
async fn a_withdrawal_sets_the_held_components_operational_then_deletes_the_incident() {
    let statuspage = TestStatuspage::start().await;
    let held = incident("INC-7", "identified", &[(API_ID, "major_outage"), (BILLING_ID, "operational")]);
    answer_get(&statuspage, ResponseTemplate::new(200).set_body_json(held.clone())).await;
    answer_patch(&statuspage, ResponseTemplate::new(200).set_body_json(held.clone())).await;
    answer_delete(&statuspage, ResponseTemplate::new(200).set_body_json(held)).await;

    statuspage.page.withdraw(hosted()).await.unwrap();

    let requests = statuspage.requests().await;
    for request in &requests {
        assert_eq!(request.headers["authorization"], format!("OAuth {KEY}").as_str(), "{}", request.url);
    }
    let routes: Vec<_> = requests.iter().map(|r| format!("{} {}", r.method, r.url.path())).collect();
    let incident = incident_path();
    assert_eq!(routes, [format!("GET {incident}"), format!("PATCH {incident}"), format!("DELETE {incident}")]);
    let patch: Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(
        patch,
        json!({ "incident": {
            "component_ids": [API_ID],
            "components": { API_ID: "operational" },
            "deliver_notifications": false,
        }}),
        "only the held component, quietly, and no incident update"
    );
}

#[tokio::test]
async fn a_withdrawal_without_affected_components_only_deletes_and_takes_an_empty_answer() {
    let statuspage = TestStatuspage::start().await;
    let calm = incident("INC-7", "investigating", &[(API_ID, "operational")]);
    answer_get(&statuspage, ResponseTemplate::new(200).set_body_json(calm)).await;
    answer_delete(&statuspage, ResponseTemplate::new(204)).await;

    statuspage.page.withdraw(hosted()).await.unwrap();

    let routes: Vec<_> = statuspage.requests().await.iter().map(|r| format!("{} {}", r.method, r.url.path())).collect();
    assert_eq!(routes, [format!("GET {}", incident_path()), format!("DELETE {}", incident_path())]);
}

#[tokio::test]
async fn withdrawing_an_incident_already_gone_is_not_found() {
    let statuspage = TestStatuspage::start().await;
    let gone = json!({ "error": "The requested resource could not be found." });
    answer_get(&statuspage, ResponseTemplate::new(404).set_body_json(gone.clone())).await;

    let error = statuspage.page.withdraw(hosted()).await.unwrap_err();
    assert!(matches!(&error, PortError::NotFound(text) if text.contains("could not be found")), "{error:?}");
    assert!(statuspage.sent("DELETE", &incident_path()).await.is_empty());

    // Deleted between the read and the delete: also not found.
    let statuspage = TestStatuspage::start().await;
    answer_get(&statuspage, ResponseTemplate::new(200).set_body_json(incident("INC-7", "identified", &[]))).await;
    answer_delete(&statuspage, ResponseTemplate::new(404).set_body_json(gone)).await;
    let error = statuspage.page.withdraw(hosted()).await.unwrap_err();
    assert!(matches!(error, PortError::NotFound(_)), "{error:?}");
}

#[tokio::test]
async fn a_withdrawal_waits_out_a_rate_limit_and_maps_refusals() {
    let statuspage = TestStatuspage::start().await;
    answer_get(&statuspage, ResponseTemplate::new(200).set_body_json(incident("INC-7", "identified", &[]))).await;
    Mock::given(method("DELETE"))
        .and(path(incident_path()))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&statuspage.server)
        .await;
    answer_delete(&statuspage, ResponseTemplate::new(200).set_body_json(incident("INC-7", "identified", &[]))).await;
    let started = Instant::now();
    statuspage.page.withdraw(hosted()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(900), "Retry-After is honoured");
    assert_eq!(statuspage.sent("DELETE", &incident_path()).await.len(), 2);

    for (status, transient) in [(401, false), (503, true)] {
        let statuspage = TestStatuspage::start().await;
        answer_get(&statuspage, ResponseTemplate::new(200).set_body_json(incident("INC-7", "identified", &[]))).await;
        answer_delete(&statuspage, ResponseTemplate::new(status).set_body_json(json!({ "error": "nope" }))).await;
        let error = statuspage.page.withdraw(hosted()).await.unwrap_err();
        let expected = if transient { "Transient" } else { "Unauthorized" };
        assert!(format!("{error:?}").starts_with(expected), "{status}: {error:?}");
        assert_eq!(statuspage.sent("DELETE", &incident_path()).await.len(), 1, "{status} is not repeated in process");
    }
}
