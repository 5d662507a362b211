//! Recorded-shape Bot Framework activities read into neutral events.

use std::collections::BTreeMap;

use serde_json::json;
use sima_core::chat::Inbound;
use sima_core::domain::{RoomId, UserRef};
use sima_core::model::{ActionId, FormId};
use sima_teams::{parse_activity, ParseError};

use crate::helpers::fixture;

const CHANNEL: &str = "19:f3e1c0d2a4b5@thread.tacv2";

fn parse(json: &str) -> Result<sima_teams::TeamsActivity, ParseError> {
    parse_activity(json.as_bytes(), "incident")
}

#[test]
fn a_channel_message_becomes_a_command_without_the_bots_mention() {
    let activity = parse(&fixture("channel_message.json")).unwrap();
    assert_eq!(activity.id, "1764065052345");
    assert_eq!(activity.room, RoomId::new(CHANNEL));
    assert_eq!(activity.conversation, format!("{CHANNEL};messageid=1764065052345"));
    let [Inbound::Command { room, user, text, trigger }] = activity.events.as_slice() else {
        panic!("{:?}", activity.events);
    };
    assert_eq!(room.as_str(), CHANNEL);
    // The Entra object id: Teams' own id is longer than a user id may be.
    assert_eq!(user.as_str(), "6b1f8a2e-1111-4c1d-9a7e-3f0d2c4b5a61");
    assert_eq!(text, "manager @29:1bob & note <b>");
    assert!(trigger.is_some(), "forms open in the thread");
}

#[test]
fn a_card_submit_is_a_button_press_and_a_form_submit_by_its_data() {
    let activity = parse(&fixture("card_submit.json")).unwrap();
    let [Inbound::ButtonPressed { action, value, room, user, .. }] = activity.events.as_slice() else {
        panic!("{:?}", activity.events);
    };
    assert_eq!(*action, ActionId::ShowInfo);
    assert_eq!(value.as_deref(), Some("0193f3a5-7a1e-7c2b-9d4e-5f6a7b8c9d0e"));
    assert_eq!(room.as_ref().map(RoomId::as_str), Some(CHANNEL));
    assert_eq!(user.as_str(), "0d4c2b1a-2222-4c1d-9a7e-3f0d2c4b5a62");

    let mut submit: serde_json::Value = serde_json::from_str(&fixture("card_submit.json")).unwrap();
    submit["value"] = json!({
        "sima_form": "edit_incident",
        "sima_metadata": "inc-id",
        "summary": "Payments fail",
        "impact": 120,
        "description": "  ",
        "msteams": { "type": "task/fetch" },
    });
    let activity = parse(&submit.to_string()).unwrap();
    let values =
        BTreeMap::from([("impact".to_owned(), "120".to_owned()), ("summary".to_owned(), "Payments fail".to_owned())]);
    let expected = Inbound::FormSubmitted {
        form: FormId::EditIncident,
        values,
        metadata: Some("inc-id".into()),
        user: UserRef::parse("0d4c2b1a-2222-4c1d-9a7e-3f0d2c4b5a62").unwrap(),
    };
    assert_eq!(activity.events, [expected]);
}

#[test]
fn members_added_join_one_by_one_without_the_bot() {
    let activity = parse(&fixture("members_added.json")).unwrap();
    let joined: Vec<&str> = activity
        .events
        .iter()
        .map(|e| match e {
            Inbound::Joined { user, room } => {
                assert_eq!(room.as_str(), "19:teamgeneral@thread.tacv2");
                user.as_str()
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(joined, ["aad-carol", "29:1dave"]);
}

#[test]
fn personal_chats_need_no_mention_and_the_command_word_is_optional() {
    let personal = json!({
        "type": "message",
        "id": "p1",
        "from": { "id": "29:1ann", "aadObjectId": "aad-ann" },
        "recipient": { "id": "28:bot" },
        "conversation": { "conversationType": "personal", "id": "a:1personal" },
        "text": "help",
    });
    let activity = parse(&personal.to_string()).unwrap();
    let [Inbound::Command { room, text, .. }] = activity.events.as_slice() else { panic!("{:?}", activity.events) };
    assert_eq!((room.as_str(), text.as_str()), ("a:1personal", "help"));
}

#[test]
fn other_activities_and_foreign_cards_carry_no_event() {
    for kind in ["typing", "messageReaction", "installationUpdate", "invoke"] {
        let activity = parse(&json!({ "type": kind, "id": "x" }).to_string()).unwrap();
        assert!(activity.events.is_empty(), "{kind}");
    }
    let mut foreign: serde_json::Value = serde_json::from_str(&fixture("card_submit.json")).unwrap();
    foreign["value"] = json!({ "action": "someone else's card" });
    assert!(parse(&foreign.to_string()).unwrap().events.is_empty());
    foreign["value"] = json!({ "sima_action": "self_destruct" });
    assert!(parse(&foreign.to_string()).unwrap().events.is_empty());
}

#[test]
fn garbage_and_unusable_senders_are_errors_not_panics() {
    assert!(matches!(parse("not json"), Err(ParseError::Json(_))));
    assert!(matches!(parse("[1,2]"), Err(ParseError::Json(_))));
    let mut bad: serde_json::Value = serde_json::from_str(&fixture("channel_message.json")).unwrap();
    bad["from"] = json!({ "id": "<script>alert(1)</script>" });
    assert!(matches!(parse(&bad.to_string()), Err(ParseError::User(_))));
}
