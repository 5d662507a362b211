//! Recorded Slack payloads parsed into `SlackInbound`.

use std::collections::BTreeMap;

use sima_core::domain::{MessageRef, RoomId, UserRef};
use sima_core::model::{ActionId, FormId, FormTrigger};
use sima_slack::{
    parse_command, parse_event, parse_interaction, BlockAction, EventsRequest, SlackInbound, SlashCommand, ViewClosed,
    ViewSubmission,
};

use crate::helpers::{fixture, interaction_body};

fn user(id: &str) -> UserRef {
    UserRef::parse(id).unwrap()
}

#[test]
fn a_slash_command() {
    let parsed = parse_command(fixture("slash_command.txt").as_bytes()).unwrap();
    assert_eq!(
        parsed,
        SlackInbound::SlashCommand(SlashCommand {
            command: "/incident".into(),
            text: "status monitoring queue drained".into(),
            user: user("U2147483697"),
            channel: RoomId::new("C2147483705"),
            channel_name: Some("incident_11_25_emails-are-late".into()),
            team: Some("T0001".into()),
            trigger: FormTrigger("13345224609.738474920.8088930838d88f008e0".into()),
            response_url: Some("https://hooks.slack.com/commands/1234/5678".into()),
        })
    );
}

#[test]
fn a_slash_command_without_text_or_user_is_handled() {
    let bare = "command=%2Fincident&user_id=U1&channel_id=C1&trigger_id=t";
    let SlackInbound::SlashCommand(command) = parse_command(bare.as_bytes()).unwrap() else { panic!() };
    assert_eq!(command.text, "");
    assert!(parse_command(b"command=%2Fincident&channel_id=C1&trigger_id=t").is_err());
    assert!(parse_command(b"\xff\xfe").is_err());
}

#[test]
fn a_button_press() {
    let parsed = parse_interaction(interaction_body(&fixture("block_actions.json")).as_bytes()).unwrap();
    assert_eq!(
        parsed,
        Some(SlackInbound::BlockAction(BlockAction {
            action: ActionId::BecomeIncidentManager,
            value: Some("0190a6c2-8a7e-7bb1-9c2e-3f1f2b9d6a11".into()),
            user: user("U0CA5"),
            channel: Some(RoomId::new("C0INCIDENT")),
            message: Some(MessageRef { room: RoomId::new("C0INCIDENT"), ts: "1699999999.000100".into() }),
            trigger: FormTrigger("12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3".into()),
            response_url: Some("https://hooks.slack.com/actions/T3MDE/123/abc".into()),
        }))
    );
}

#[test]
fn an_unknown_button_is_ignored() {
    let json = fixture("block_actions.json").replace("become_incident_manager", "someone_elses_button");
    assert_eq!(parse_interaction(interaction_body(&json).as_bytes()).unwrap(), None);
}

#[test]
fn a_submitted_modal_with_its_values_by_block_id() {
    let parsed = parse_interaction(interaction_body(&fixture("view_submission.json")).as_bytes()).unwrap();
    let values = BTreeMap::from([
        ("domain".to_owned(), "outbound-email".to_owned()),
        ("summary".to_owned(), "Emails are late".to_owned()),
        ("severity".to_owned(), "sev2".to_owned()),
        ("impact".to_owned(), "120".to_owned()),
    ]);
    assert_eq!(
        parsed,
        Some(SlackInbound::ViewSubmission(ViewSubmission {
            form: FormId::DeclareIncident,
            values,
            metadata: Some("C2147483705".into()),
            user: user("U0CA5"),
            view_id: "VNHU13V36".into(),
        }))
    );
}

#[test]
fn a_closed_modal() {
    let parsed = parse_interaction(interaction_body(&fixture("view_closed.json")).as_bytes()).unwrap();
    assert_eq!(
        parsed,
        Some(SlackInbound::ViewClosed(ViewClosed {
            form: FormId::EditIncident,
            metadata: Some("0190a6c2-8a7e-7bb1-9c2e-3f1f2b9d6a11".into()),
            user: user("U0CA5"),
        }))
    );
}

#[test]
fn other_interactions_are_ignored_and_garbage_refused() {
    let shortcut = r#"{"type":"shortcut","callback_id":"x","trigger_id":"t","user":{"id":"U1"}}"#;
    assert_eq!(parse_interaction(interaction_body(shortcut).as_bytes()).unwrap(), None);
    assert!(parse_interaction(b"payload=%7Bnot%20json").is_err());
    assert!(parse_interaction(b"nopayload=1").is_err());
}

#[test]
fn url_verification() {
    assert_eq!(
        parse_event(fixture("url_verification.json").as_bytes()).unwrap(),
        EventsRequest::UrlVerification { challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P".into() }
    );
}

#[test]
fn member_joined_channel() {
    assert_eq!(
        parse_event(fixture("member_joined_channel.json").as_bytes()).unwrap(),
        EventsRequest::Callback {
            event_id: "Ev0MEMBERJOIN".into(),
            inbound: Some(SlackInbound::MemberJoined {
                user: user("W06GH7XHN"),
                channel: RoomId::new("C0INCIDENT"),
                inviter: Some(user("U123456789")),
            }),
        }
    );
}

#[test]
fn app_mention() {
    assert_eq!(
        parse_event(fixture("app_mention.json").as_bytes()).unwrap(),
        EventsRequest::Callback {
            event_id: "Ev0LAN670R".into(),
            inbound: Some(SlackInbound::AppMention {
                user: user("U061F7AUR"),
                channel: RoomId::new("C0INCIDENT"),
                text: "@U0BOT help".into(),
                message: MessageRef { room: RoomId::new("C0INCIDENT"), ts: "1515449522.000016".into() },
            }),
        }
    );
}

#[test]
fn unknown_events_are_ignored_and_garbage_refused() {
    assert_eq!(
        parse_event(fixture("reaction_added.json").as_bytes()).unwrap(),
        EventsRequest::Callback { event_id: "Ev0REACTION".into(), inbound: None }
    );
    assert_eq!(parse_event(fixture("app_rate_limited.json").as_bytes()).unwrap(), EventsRequest::Ignored);
    assert!(parse_event(b"{not json").is_err());
    assert!(parse_event(br#"{"type":"event_callback","event":{"type":"app_mention"}}"#).is_err());
}
