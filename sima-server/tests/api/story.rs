//! The whole life of an incident declared from Slack, as Slack, PagerDuty,
//! Notion and the REST API see it.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::helpers::{
    action_ids, count_kind, time, wait_until, Options, SlackCall, TestApp, BROADCAST, DATA_SOURCE, ROUTING_KEY,
};

const REPORTER: &str = "U0REPORTER";
const MANAGER: &str = "U0MANAGER";
const COMMS: &str = "U0COMMS";
const NEWCOMER: &str = "U0NEWCOMER";

fn declare_submission() -> Value {
    let input = |value: &str| json!({ "type": "plain_text_input", "value": value });
    json!({
        "type": "view_submission",
        "team": { "id": "T0TEAM" },
        "user": { "id": REPORTER },
        "trigger_id": "trigger-submission",
        "view": {
            "id": "V0DECLARE",
            "type": "modal",
            "callback_id": "declare_incident",
            "private_metadata": "",
            "state": { "values": {
                "domain": { "domain": input("outbound-email") },
                "summary": { "summary": input("Emails are late") },
                "description": { "description": input("The send queue stopped draining at 09:20.") },
                "severity": { "severity": { "type": "static_select", "selected_option": { "value": "sev2" } } },
                "impact": { "impact": { "type": "number_input", "value": "120" } }
            } }
        }
    })
}

fn button(action_id: &str, user: &str, room: &str, card_ts: &str, incident_id: &str, response_url: &str) -> Value {
    json!({
        "type": "block_actions",
        "user": { "id": user },
        "team": { "id": "T0TEAM" },
        "trigger_id": "trigger-button",
        "container": { "type": "message", "message_ts": card_ts, "channel_id": room },
        "channel": { "id": room },
        "message": { "ts": card_ts },
        "response_url": response_url,
        "actions": [{ "action_id": action_id, "block_id": "card_actions", "type": "button", "value": incident_id }]
    })
}

/// The first `chat.postMessage` into `channel` (outside threads) whose text contains `needle`.
fn posted(app: &TestApp, channel: &str, needle: &str) -> Option<SlackCall> {
    app.slack_calls("chat.postMessage").into_iter().find(|c| {
        c.request["channel"] == channel
            && c.request["thread_ts"].is_null()
            && c.request["text"].as_str().is_some_and(|t| t.contains(needle))
    })
}

/// Seconds between two times.
fn seconds(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_milliseconds() as f64 / 1000.0
}

/// TTA, TTR (recovery), TTR (repair) and TTD of one incident, recomputed
/// from its timeline as docs/architecture.md#metric-spec-v1 defines them.
fn metrics_from(events: &[Value]) -> [(&'static str, f64); 4] {
    let declared = events.iter().find(|e| e["kind"] == "declared").expect("a declared event");
    let declared_at = time(&declared["at"]);
    let started_at = events
        .iter()
        .rev()
        .find(|e| e["kind"] == "field_edited" && e["field"] == "started_at")
        .map_or_else(|| time(&declared["started_at"]), |e| time(&e["new"]));
    let changes: Vec<&Value> = events.iter().filter(|e| e["kind"] == "status_changed").collect();
    let acknowledged = changes.iter().find(|e| e["from"] == "open").map(|e| time(&e["at"])).expect("acknowledged");
    let mitigated = changes
        .iter()
        .find(|e| e["to"] == "monitoring" || e["to"] == "resolved")
        .map(|e| time(&e["at"]))
        .expect("mitigated");
    let resolved = changes.iter().rev().find(|e| e["to"] == "resolved").map(|e| time(&e["at"])).expect("resolved");
    [
        ("mtta", seconds(declared_at, acknowledged)),
        ("mttr_recovery", seconds(started_at, resolved)),
        ("mttr_repair", seconds(acknowledged, mitigated)),
        ("mttd", seconds(started_at, declared_at)),
    ]
}

#[tokio::test]
async fn an_incident_declared_in_slack_runs_to_its_post_mortem_and_metrics() {
    let app = TestApp::spawn(Options::default()).await;
    let response_url = format!("{}/response_url", app.slack.uri());

    // `/incident` alone opens the declare modal.
    let response = app.slash(REPORTER, "CGENERAL", "").await;
    assert_eq!(response.status(), 200);
    let opened = app.slack_calls("views.open");
    assert_eq!(opened.len(), 1, "one modal opened");
    let view = &opened[0].request["view"];
    assert_eq!(view["callback_id"], "declare_incident");
    let mut inputs: Vec<&str> =
        view["blocks"].as_array().expect("blocks").iter().filter_map(|b| b["block_id"].as_str()).collect();
    inputs.sort_unstable();
    assert_eq!(inputs, ["description", "domain", "impact", "private", "severity", "summary"]);

    // Submitting it declares the incident and closes the modal.
    let response = app.interaction(&declare_submission()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.expect("a body"), "", "an empty 200 closes the modal");
    let incidents = app.incidents().await;
    assert_eq!(incidents.len(), 1);
    let id = incidents[0]["id"].as_str().expect("an id").to_owned();
    let incident = app.wait_for_room(&id).await;
    assert_eq!(incident["number"], "INC-1");
    assert_eq!(incident["domain"], "outbound-email");
    assert_eq!(incident["severity"], "sev2");
    assert_eq!(incident["impact"], 120);
    assert_eq!(incident["reporter"], format!("user:{REPORTER}"));
    let room = incident["room"]["id"].as_str().expect("a room id").to_owned();
    let room_url = incident["room"]["url"].as_str().expect("a room url").to_owned();

    // The opening runbook: room, invitation, pinned card, broadcast, page.
    let created = app.slack_calls("conversations.create");
    assert_eq!(created.len(), 1);
    let name = format!("incident_{}_emails-are-late", time(&incident["declared_at"]).format("%m_%d"));
    assert_eq!(created[0].request["name"], name);
    assert_eq!(incident["room"]["name"], name);
    assert_eq!(created[0].response["channel"]["id"], room);

    wait_until("the reporter is invited", || async {
        let invites = app.slack_calls("conversations.invite");
        invites.iter().any(|c| c.request["channel"] == room && c.request["users"] == REPORTER).then_some(())
    })
    .await;
    let card = wait_until("the card is posted and pinned", || async {
        let card = posted(&app, &room, "Emails are late")?;
        let pins = app.slack_calls("pins.add");
        pins.iter()
            .any(|p| p.request["channel"] == room && p.request["timestamp"] == card.response["ts"])
            .then_some(card)
    })
    .await;
    let card_ts = card.response["ts"].as_str().expect("a ts").to_owned();
    let card_blocks = card.request["blocks"].to_string();
    for fact in ["outbound-email", "sev2", "120", "The send queue stopped draining"] {
        assert!(card_blocks.contains(fact), "the card shows {fact}: {card_blocks}");
    }
    assert!(action_ids(&card.request["blocks"]).contains(&"become_incident_manager".to_owned()));
    let broadcast =
        wait_until("the broadcast is posted", || async { posted(&app, BROADCAST, "Emails are late") }).await;
    let broadcast_ts = broadcast.response["ts"].as_str().expect("a ts").to_owned();
    assert!(broadcast.request["blocks"].to_string().contains(&room_url), "the broadcast links the room");
    let trigger = wait_until("PagerDuty is triggered", || async {
        app.pagerduty_events().await.into_iter().find(|e| e["event_action"] == "trigger")
    })
    .await;
    assert_eq!(trigger["dedup_key"], id.as_str());
    assert_eq!(trigger["routing_key"], ROUTING_KEY);
    let links = trigger["links"].as_array().expect("links");
    assert!(links.iter().any(|l| l["href"] == room_url.as_str()), "the page links the room: {links:?}");
    // Once the runbook has recorded what it did, updates can thread and refresh.
    app.wait_for_idle_outbox().await;
    let events = app.timeline(&id).await;
    for kind in ["room_created", "members_invited", "card_posted", "broadcast_posted", "paged"] {
        assert_eq!(count_kind(&events, kind), 1, "{kind} once");
    }

    // A status update typed in the room.
    let response = app.slash(REPORTER, &room, "status investigating looking").await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.expect("an ephemeral answer");
    assert_eq!(answer["response_type"], "ephemeral");
    assert!(answer["text"].as_str().is_some_and(|t| t.contains("investigating")), "{answer}");
    wait_until("the update reaches the room, the broadcast thread and the broadcast", || async {
        posted(&app, &room, "open → investigating")?;
        let replies = app.slack_calls("chat.postMessage");
        replies.iter().find(|c| {
            c.request["channel"] == BROADCAST
                && c.request["thread_ts"] == broadcast_ts.as_str()
                && c.request["text"].as_str().is_some_and(|t| t.contains("investigating") && t.contains("looking"))
        })?;
        let updates = app.slack_calls("chat.update");
        let refreshed = |channel: &str, ts: &str| {
            updates.iter().any(|u| {
                u.request["channel"] == channel
                    && u.request["ts"] == ts
                    && u.request["text"].as_str().is_some_and(|t| t.contains("investigating"))
            })
        };
        (refreshed(BROADCAST, &broadcast_ts) && refreshed(&room, &card_ts)).then_some(())
    })
    .await;

    // Roles, by command and by button.
    let response = app.slash(MANAGER, &room, "manager me").await;
    assert_eq!(response.status(), 200);
    let response =
        app.interaction(&button("become_communication_lead", COMMS, &room, &card_ts, &id, &response_url)).await;
    assert_eq!(response.status(), 200);
    let roles = app.incident(&id).await["roles"].clone();
    assert_eq!(roles, json!({ "incident_manager": MANAGER, "communication_lead": COMMS }));
    wait_until("the button is answered through its response_url", || async {
        let answers = app.slack_calls("response_url");
        answers.iter().any(|a| a.request["response_type"] == "ephemeral").then_some(())
    })
    .await;

    // Someone joins and is welcomed with the buttons that still make sense.
    let joined = json!({
        "type": "event_callback",
        "team_id": "T0TEAM",
        "event_id": "Ev0JOIN",
        "event_time": Utc::now().timestamp(),
        "event": { "type": "member_joined_channel", "user": NEWCOMER, "channel": room, "channel_type": "C" }
    });
    assert_eq!(app.event(&joined, &[]).await.status(), 200);
    let welcome = wait_until("the newcomer is welcomed", || async {
        let ephemerals = app.slack_calls("chat.postEphemeral");
        ephemerals.into_iter().find(|c| c.request["user"] == NEWCOMER && c.request["channel"] == room)
    })
    .await;
    assert_eq!(action_ids(&welcome.request["blocks"]), ["show_info", "update_status", "show_help"]);

    // A mistyped command is answered with the closest commands and buttons.
    let response = app.slash(REPORTER, &room, "stauts").await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.expect("an ephemeral answer");
    assert_eq!(answer["response_type"], "ephemeral");
    assert!(answer["blocks"].to_string().contains("/incident status &lt;status&gt; [message]"), "{answer}");
    assert_eq!(action_ids(&answer["blocks"]), ["update_status", "show_info", "show_help"]);

    // Impact started before the declaration; then the incident is resolved.
    let started = (time(&incident["declared_at"]) - Duration::minutes(10)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let response = app.slash(MANAGER, &room, &format!("started {started}")).await;
    let answer: Value = response.json().await.expect("an ephemeral answer");
    assert!(answer["text"].as_str().is_some_and(|t| t.contains("Done")), "{answer}");
    let response = app.slash(MANAGER, &room, "resolve fixed").await;
    assert_eq!(response.status(), 200);

    let page = wait_until("the post-mortem page is created", || async { app.notion_pages().await.pop() }).await;
    assert_eq!(page["parent"]["data_source_id"], DATA_SOURCE);
    assert_eq!(page["properties"]["Incident"]["rich_text"][0]["text"]["content"], "INC-1");
    let resolve = wait_until("the page is resolved", || async {
        app.pagerduty_events().await.into_iter().find(|e| e["event_action"] == "resolve")
    })
    .await;
    assert_eq!(resolve["dedup_key"], trigger["dedup_key"]);
    wait_until("the post-mortem link is posted in the room", || async {
        posted(&app, &room, "https://www.notion.so/Post-mortem-598337872cf94fdf8782e53db20768a5")
    })
    .await;
    assert_eq!(app.notion_pages().await.len(), 1);
    let resolved = app.incident(&id).await;
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["started_at"], started.as_str());

    // The metrics are those of the timeline.
    let events = app.timeline(&id).await;
    let metrics = app.get_json("/api/v1/metrics").await;
    for (name, expected) in metrics_from(&events) {
        let stat = &metrics[name];
        assert_eq!(stat["count"], 1, "{name}: {stat}");
        for field in ["mean", "median", "p90"] {
            let got = stat[field].as_f64().unwrap_or_else(|| panic!("{name}.{field} is a number: {stat}"));
            assert!((got - expected).abs() < 1e-3, "{name}.{field}: API says {got}, the timeline says {expected}");
        }
    }
    assert!(metrics["mttr_recovery"]["mean"].as_f64().is_some_and(|s| s >= 600.0), "impact began 10 minutes early");
    app.stop().await;
}
