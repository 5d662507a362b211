//! What people type reaches Slack escaped in every message SIMA posts: shown
//! as written, never a ping, a mention or a disguised link.

use serde_json::Value;
use sima_core::domain::{
    Actor, Command, Description, DocRef, Domain, EventKind, FieldEdit, Incident, IncidentEvent, Role, Room, RoomId,
    Severity, Status, Summary, Text, UserRef,
};
use sima_core::model::Message;
use sima_core::ports::ChatPort;
use sima_core::testkit::contract::{batch, declaration, new_incident, t0};
use sima_core::testkit::messages::{
    answer, broadcast, card, declare_form, done, edit_form, effect_failed, help, mistyped, postmortem_link,
    status_form, update, warning, welcome, DomainChoice,
};
use sima_slack::render::{fallback_text, message_blocks, modal_view};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{bodies, chat, fixture_json};

/// A ping, a mention, a room, a disguised link and an entity.
const TYPED: &str = "<!channel> hi <@U0BOSS> in <#C0SECRET>: <https://evil.test|Join the bridge> & &amp;";
/// `TYPED` as Slack must receive it in mrkdwn.
const ESCAPED: &str =
    "&lt;!channel&gt; hi &lt;@U0BOSS&gt; in &lt;#C0SECRET&gt;: &lt;https://evil.test|Join the bridge&gt; &amp; &amp;amp;";

/// An incident whose every typed field is `TYPED`, and the events that
/// carried it (status message, note, root cause, action item).
fn story() -> (Incident, Vec<IncidentEvent>) {
    let mut declared = declaration("outbound-email", Severity::Sev1, None);
    declared.summary = Summary::parse(TYPED).unwrap();
    declared.description = Description::parse(TYPED).unwrap();
    let mut incident = new_incident(&declared, t0()).incident;
    let room = Room {
        id: RoomId::new("C0INCIDENT"),
        name: "incident_11_25_x".into(),
        url: "https://acme.slack.com/archives/C0INCIDENT".into(),
    };
    let room_created = EventKind::RoomCreated { room };
    incident.apply(&IncidentEvent { seq: incident.version() + 1, at: t0(), actor: Actor::Sima, kind: room_created });
    let typed = || Text::parse(TYPED).unwrap();
    let commands = [
        Command::ChangeStatus { to: Status::Investigating, message: Some(typed()) },
        Command::AssignRole { role: Role::IncidentManager, user: UserRef::parse("U0LEAD").unwrap() },
        Command::AddNote(typed()),
        Command::SetRootCause(typed()),
        Command::AddActionItem(typed().into()),
        Command::Edit(FieldEdit::Severity(Severity::Sev2)),
        Command::Escalate { domain: Some(Domain::parse("payments").unwrap()) },
    ];
    let mut events = Vec::new();
    for command in commands {
        let done = batch(&incident, &command, t0());
        incident = done.incident;
        events.extend(done.events);
    }
    (incident, events)
}

fn every_message() -> Vec<(String, Message)> {
    let (incident, events) = story();
    let doc = DocRef { id: "p1".into(), url: "https://notion.so/p1?a=1&b=2".into() };
    let mut all = vec![
        ("card".to_owned(), card(&incident)),
        ("broadcast".to_owned(), broadcast(&incident)),
        ("welcome".to_owned(), welcome(&incident)),
        ("help".to_owned(), help(Some(&incident))),
        ("mistyped".to_owned(), mistyped(TYPED, &["status"], Some(&incident))),
        ("post-mortem link".to_owned(), postmortem_link(&incident, &doc)),
        ("answer".to_owned(), answer(TYPED)),
        ("warning".to_owned(), warning(TYPED)),
        ("done".to_owned(), done(TYPED)),
        ("effect failed".to_owned(), effect_failed(&incident, sima_core::domain::EffectKind::Page, TYPED)),
    ];
    for event in &events {
        if let Some((message, _)) = update(&incident, event) {
            all.push((format!("update {}", event.seq), message));
        }
    }
    all
}

/// Every text object in a Block Kit value: `(type, text)`.
fn text_objects(value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            if let (Some(Value::String(kind)), Some(Value::String(text))) = (map.get("type"), map.get("text")) {
                if kind == "mrkdwn" || kind == "plain_text" {
                    out.push((kind.clone(), text.clone()));
                }
            }
            map.values().for_each(|v| text_objects(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| text_objects(v, out)),
        _ => {}
    }
}

/// Fails if mrkdwn carries anything Slack would act on that SIMA did not put there.
fn assert_safe_mrkdwn(name: &str, text: &str) {
    for raw in ["<!", "<@U0BOSS", "<#C0SECRET", "<https://evil", "&amp;amp;amp;"] {
        assert!(!text.contains(raw), "{name}: {raw:?} reaches Slack in {text:?}");
    }
}

#[test]
fn typed_text_is_escaped_in_every_message_kind_and_the_fallback() {
    let mut escaped_in = Vec::new();
    for (name, message) in every_message() {
        let fallback = fallback_text(&message);
        assert_safe_mrkdwn(&name, &fallback);
        let mut texts = Vec::new();
        text_objects(&message_blocks(&message), &mut texts);
        for (kind, text) in &texts {
            if kind == "mrkdwn" {
                assert_safe_mrkdwn(&name, text);
                if text.contains(ESCAPED) {
                    escaped_in.push(name.clone());
                }
            } else {
                assert!(!text.contains("&lt;"), "{name}: plain_text is shown literally, never escaped: {text}");
            }
        }
        if fallback.contains(ESCAPED) {
            escaped_in.push(format!("{name} (fallback)"));
        }
    }
    for expected in [
        "card",
        "card (fallback)",
        "broadcast (fallback)",
        "welcome",
        "mistyped",
        "answer",
        "answer (fallback)",
        "warning",
        "done",
        "effect failed",
        "effect failed (fallback)",
    ] {
        assert!(escaped_in.iter().any(|n| n == expected), "{expected} shows the typed text escaped: {escaped_in:?}");
    }
    let updates = escaped_in.iter().filter(|n| n.starts_with("update") && !n.ends_with("(fallback)")).count();
    assert_eq!(updates, 4, "status message, note, root cause, action item: {escaped_in:?}");
}

#[test]
fn what_sima_adds_still_renders_as_mrkdwn() {
    let (incident, events) = story();
    let role = events.iter().find_map(|e| update(&incident, e).filter(|(m, _)| m.text.to_string().contains("now")));
    let (role, _) = role.expect("a role update");
    assert_eq!(message_blocks(&role)[0]["text"]["text"], ":busts_in_silhouette: <@U0LEAD> is now Incident Manager");
    let doc = DocRef { id: "p1".into(), url: "https://notion.so/p1?a=1&b=2".into() };
    let link = message_blocks(&postmortem_link(&incident, &doc));
    assert!(link[0]["text"]["text"].as_str().unwrap().contains("<https://notion.so/p1?a=1&amp;b=2|open it>"));
    let broadcast = message_blocks(&broadcast(&incident));
    assert!(broadcast[2]["text"]["text"]
        .as_str()
        .unwrap()
        .contains("<https://acme.slack.com/archives/C0INCIDENT|#incident_11_25_x>"));
    let card = message_blocks(&card(&incident));
    assert_eq!(card[0]["text"]["type"], "plain_text");
    let header = card[0]["text"]["text"].as_str().unwrap();
    assert!(header.starts_with(":rotating_light: ") && header.contains(TYPED), "shown literally: {header}");
}

#[test]
fn modals_carry_typed_text_only_in_plain_text_and_values() {
    let (incident, _) = story();
    let domains = [DomainChoice { domain: Domain::parse("outbound-email").unwrap(), description: TYPED.into() }];
    for form in [
        declare_form(&domains, &Default::default()),
        edit_form(&incident, &domains, &Default::default()),
        status_form(&incident),
    ] {
        let view = modal_view(&form);
        let mut texts = Vec::new();
        text_objects(&view, &mut texts);
        assert!(texts.iter().all(|(kind, _)| kind == "plain_text"), "{:?}: modals hold no mrkdwn", form.id);
        assert!(texts.iter().all(|(_, text)| !text.contains("&lt;")), "plain_text is never escaped");
    }
    let edit = modal_view(&edit_form(&incident, &domains, &Default::default()));
    assert_eq!(edit["blocks"][1]["element"]["initial_value"], TYPED, "a pre-filled value is the text itself");
}

#[tokio::test]
async fn slack_receives_a_summary_of_channel_ping_escaped() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("chat_postMessage.json")))
        .mount(&server)
        .await;
    let mut declared = declaration("outbound-email", Severity::Sev1, None);
    declared.summary = Summary::parse("<!channel>").unwrap();
    let incident = new_incident(&declared, t0()).incident;

    chat(&server).post(&RoomId::new("C0INCIDENT"), &card(&incident)).await.unwrap();
    chat(&server).post(&RoomId::new("C0BROADCAST"), &broadcast(&incident)).await.unwrap();

    for body in bodies(&server, "chat.postMessage").await {
        let raw = body.to_string();
        let text = body["text"].as_str().unwrap();
        assert!(text.contains("&lt;!channel&gt;"), "fallback text: {text}");
        assert!(!text.contains("<!channel>"));
        let mut texts = Vec::new();
        text_objects(&body["blocks"], &mut texts);
        for (kind, text) in texts.iter().filter(|(kind, _)| kind == "mrkdwn") {
            assert!(!text.contains("<!channel>"), "{kind}: {text} in {raw}");
        }
    }
}
