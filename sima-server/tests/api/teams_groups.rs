//! A service's user group on Teams, through the real server against the
//! Teams fakes: Teams has no user groups SIMA can expand, so the group's
//! invite is recorded on the timeline as failed, naming the group, nobody is
//! invited for it, and the rest of the runbook (the service's users, the
//! channel, the card, the broadcast, the page) happens.

use serde_json::{json, Value};

use crate::helpers::{count_kind, kinds, wait_until, TestApp};
use crate::teams::fakes::{FakeTeams, BROADCAST};

const PAYMENTS_KEY: &str = "PAYMENTS0ROUTING0KEY000000000001";

const CATALOG: &str = r#"
[[services]]
name = "payments"
team = "Payments core"
paging = "PAYMENTS0ROUTING0KEY000000000001"
invite = ["aad-bob", "S0PAYOPS"]
"#;

/// A Teams server whose `sima.toml` is [`CATALOG`]; the directory holds the file.
async fn server(fakes: &FakeTeams) -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a directory");
    let file = dir.path().join("sima.toml");
    std::fs::write(&file, CATALOG).expect("the file is written");
    let mut env = fakes.env();
    env.push(("SIMA_CONFIG".to_owned(), file.to_str().expect("a path").to_owned()));
    let vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    (TestApp::spawn_with_env(&vars).await, dir)
}

/// The text of the Adaptive Cards of `activities`.
fn shown(activities: &[Value]) -> String {
    activities.iter().map(|a| a["attachments"][0]["content"].to_string()).collect()
}

#[tokio::test]
async fn a_group_on_teams_is_a_failed_invite_naming_it_and_the_rest_of_the_runbook_happens() {
    let fakes = FakeTeams::start().await;
    let (app, _dir) = server(&fakes).await;
    let body = json!({ "domain": "payments", "summary": "Payments fail", "severity": "sev2", "reporter": "aad-ann" });
    let response = app.post_json("/api/v1/incidents", &body).await;
    assert_eq!(response.status(), 201);
    let id = response.json::<Value>().await.expect("the incident")["id"].as_str().expect("an id").to_owned();
    let room = app.wait_for_room(&id).await["room"]["id"].as_str().expect("a channel").to_owned();

    let failed = wait_until("the group invite is recorded as failed", || async {
        let timeline = app.timeline(&id).await;
        timeline.into_iter().find(|e| e["kind"] == "effect_failed" && e["effect"] == "invite_group")
    })
    .await;
    let error = failed["error"].as_str().unwrap_or_default();
    assert!(error.contains("S0PAYOPS") && error.contains("not invited"), "{failed}");
    let page = wait_until("the service's key pages", || async {
        let events = app.pagerduty_events().await;
        events.into_iter().find(|e| e["routing_key"] == PAYMENTS_KEY && e["event_action"] == "trigger")
    })
    .await;
    assert!(page["payload"]["summary"].as_str().unwrap_or_default().contains("Payments fail"), "{page}");
    app.wait_for_idle_outbox().await;

    // Nobody is invited for the group: only the reporter and the service's user.
    let timeline = app.timeline(&id).await;
    let invited: Vec<&Value> =
        timeline.iter().filter(|e| e["kind"] == "members_invited").map(|e| &e["users"]).collect();
    assert_eq!(invited, [&json!(["aad-ann"]), &json!(["aad-bob"])], "{:?}", kinds(&timeline));
    assert_eq!(count_kind(&timeline, "effect_failed"), 1, "only the group failed: {:?}", kinds(&timeline));
    for kind in ["room_created", "card_posted", "broadcast_posted", "paged"] {
        assert_eq!(count_kind(&timeline, kind), 1, "{kind}: {:?}", kinds(&timeline));
    }
    let graph = fakes.graph.received_requests().await.unwrap_or_default();
    let members: Vec<String> =
        graph.iter().map(|r| r.url.path().to_owned()).filter(|p| p.contains("member") || p.contains("group")).collect();
    assert!(members.is_empty(), "no group was looked up nor member added: {members:?}");

    // The card and the broadcast reached Teams, the card naming the owning team.
    let card = shown(&fakes.threads_in(&room).await);
    assert!(card.contains("Payments fail") && card.contains("Owned by Payments core"), "{card}");
    assert!(shown(&fakes.threads_in(BROADCAST).await).contains("Payments fail"));
    app.stop().await;
}
