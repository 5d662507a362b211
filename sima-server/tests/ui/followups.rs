//! `/ui/follow-ups`: the open action items of every incident, overdue first,
//! each linking to its incident and its ticket; filtered by owner and by
//! overdue; private incidents' items only for sessions that may see them.

use serde_json::json;
use sima_server::settings::Secret;

use crate::helpers::UiApp;
use crate::signin::{set_cookie, sign_in, READ_TOKEN, TOKEN};

async fn app() -> UiApp {
    UiApp::spawn_with(|settings| {
        settings.api_token = Some(Secret::new(TOKEN.to_owned()));
        settings.api_read_token = Some(Secret::new(READ_TOKEN.to_owned()));
    })
    .await
}

async fn declare(app: &UiApp, summary: &str, private: bool) {
    let body = json!({ "domain": "payments", "summary": summary, "severity": "sev2", "private": private });
    let url = format!("{}/api/v1/incidents", app.address);
    let response = app.http.post(url).bearer_auth(TOKEN).json(&body).send().await.unwrap();
    assert!(response.status().is_success(), "declare {summary}: {}", response.status());
}

async fn add(app: &UiApp, number: &str, text: &str, owner: &str, due: Option<&str>) {
    let url = format!("{}/api/v1/incidents/{number}/actions", app.address);
    let body = json!({ "text": text, "owner": owner, "due": due });
    let response = app.http.post(url).bearer_auth(TOKEN).json(&body).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 201, "{text}");
}

async fn session(app: &UiApp, token: &str) -> String {
    let response = sign_in(app, token).await;
    assert_eq!(response.status().as_u16(), 303, "signed in");
    set_cookie(&response, "sima_session").split(';').next().expect("a pair").to_owned()
}

async fn page(app: &UiApp, cookie: &str, path: &str) -> (u16, String) {
    let response = app.http.get(format!("{}{path}", app.address)).header("cookie", cookie).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

fn position(html: &str, text: &str) -> usize {
    html.find(text).unwrap_or_else(|| panic!("{text} in {html}"))
}

#[tokio::test]
async fn follow_ups_list_open_items_overdue_first_with_their_tickets_and_filters() {
    let app = app().await;
    declare(&app, "Card payments fail", false).await;
    declare(&app, "Leaked credentials", true).await;
    add(&app, "INC-1", "Rotate the gateway certificate", "U0ANA", Some("2020-01-15")).await;
    add(&app, "INC-1", "Write the runbook", "U0BOB", Some("2099-03-01")).await;
    add(&app, "INC-1", "Alert on expiry", "U0ANA", None).await;
    add(&app, "INC-1", "Already finished", "U0ANA", Some("2020-01-01")).await;
    add(&app, "INC-2", "Revoke the leaked keys", "U0ANA", Some("2020-02-01")).await;
    let done = app.http.post(format!("{}/api/v1/incidents/INC-1/actions/4/done", app.address)).bearer_auth(TOKEN);
    assert!(done.send().await.unwrap().status().is_success());
    app.wait_for_idle_outbox().await;
    let ticket = json!({ "id": "10000", "key": "OPS-12", "url": "https://acme.atlassian.net/browse/OPS-12",
                         "status": "In Progress", "state": "open" });
    app.store_in_incident("INC-1", "$.action_items[0].ticket", ticket).await;
    let forged =
        json!({ "id": "10001", "key": "OPS-13", "url": "javascript:alert(1)", "status": "To Do", "state": "open" });
    app.store_in_incident("INC-1", "$.action_items[1].ticket", forged).await;

    let admin = session(&app, TOKEN).await;
    let (status, html) = page(&app, &admin, "/ui/follow-ups").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(r#"<a href="/ui/follow-ups">Follow-ups</a>"#), "in the navigation: {html}");
    assert!(html.contains(r#"<a class="ticket" href="https://acme.atlassian.net/browse/OPS-12">OPS-12</a>"#), "{html}");
    assert!(html.contains("In Progress"), "{html}");
    assert!(!html.contains(r#"href="javascript"#), "only web links: {html}");
    assert!(!html.contains("Already finished"), "done items are not follow-ups");
    assert!(html.contains(r#"<a href="/ui/incidents/INC-2">INC-2</a>"#), "the admin sees the private one");
    // Overdue first (oldest due first), then by due date, the undated last.
    let order = ["Rotate the gateway certificate", "Revoke the leaked keys", "Write the runbook", "Alert on expiry"];
    let at: Vec<usize> = order.iter().map(|text| position(&html, text)).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{order:?} in that order: {html}");
    assert!(html.contains("4 open action items, 2 overdue"), "{html}");

    let (_, html) = page(&app, &admin, "/ui/follow-ups?owner=%40U0BOB").await;
    assert!(html.contains("Write the runbook") && !html.contains("Rotate the gateway"), "{html}");
    let (_, html) = page(&app, &admin, "/ui/follow-ups?overdue=1").await;
    assert!(html.contains("Rotate the gateway") && !html.contains("Write the runbook"), "{html}");
    assert!(html.contains(r#"name="overdue" value="1" checked"#), "{html}");
    let (_, html) = page(&app, &admin, "/ui/follow-ups?owner=U0BOB&overdue=1").await;
    assert!(html.contains("No open action item matches these filters."), "{html}");

    // The read token's session does not see the private incident's items.
    let reader = session(&app, READ_TOKEN).await;
    let (status, html) = page(&app, &reader, "/ui/follow-ups").await;
    assert_eq!(status, 200);
    assert!(!html.contains("Revoke the leaked keys") && !html.contains("INC-2"), "{html}");
    assert!(html.contains("Rotate the gateway certificate"), "{html}");

    for bad in ["/ui/follow-ups?overdue=maybe", "/ui/follow-ups?owner=%3Cb%3E", "/ui/follow-ups?sort=due"] {
        let (status, html) = page(&app, &admin, bad).await;
        assert_eq!(status, 400, "{bad}: {html}");
        assert!(!html.contains("<b>"), "escaped: {html}");
    }
    let (status, _) = app.get("/ui/follow-ups").await;
    assert_eq!(status, 303, "a session is needed");

    // The incident page links the ticket too.
    let (_, html) = page(&app, &admin, "/ui/incidents/INC-1").await;
    assert!(html.contains(r#"<a class="ticket" href="https://acme.atlassian.net/browse/OPS-12">OPS-12</a>"#), "{html}");
}
