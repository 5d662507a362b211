//! `/incident publish`: parsed through the command table.

use super::{for_button, parse, Intent, ParseError};
use crate::domain::{PublicStatus, Text, UserRef};
use crate::model::ActionId;

fn me() -> UserRef {
    UserRef::parse("UME").unwrap()
}

#[test]
fn publish_takes_a_public_status_and_a_message() {
    let parsed = parse("publish identified  Card payments fail for some customers ", &me()).unwrap();
    let message = Text::parse("Card payments fail for some customers").unwrap();
    assert_eq!(parsed, Intent::Publish { status: PublicStatus::Identified, message });
    let parsed = parse("PUBLISH Resolved All good\nThanks for your patience", &me()).unwrap();
    assert!(matches!(parsed, Intent::Publish { status: PublicStatus::Resolved, ref message }
        if message.as_str() == "All good\nThanks for your patience"));
    assert_eq!(parse("publish", &me()).unwrap(), Intent::PublishForm, "alone, the form");
    assert!(parse("publish investigating x", &me()).unwrap().needs_incident());
}

#[test]
fn publish_mistakes_say_what_to_fix() {
    let err = parse("publish monitoring", &me()).unwrap_err();
    assert_eq!(err.to_string(), "`publish` needs an argument: /incident publish <status> <message>");
    let err = parse("publish false_positive oops", &me()).unwrap_err();
    assert!(err.to_string().contains("use investigating, identified, monitoring or resolved"), "{err}");
    let err = parse(&format!("publish resolved {}", "x".repeat(2001)), &me()).unwrap_err();
    assert_eq!(err.to_string(), "public message is too long: 2001 characters, at most 2000");
    let err = parse("publish resolved a\u{202E}b", &me()).unwrap_err();
    assert!(err.to_string().starts_with("public message contains control characters"), "{err}");
    match parse("publsh resolved done", &me()) {
        Err(ParseError::Unknown { suggestions, .. }) => assert_eq!(suggestions[0], "publish"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_publish_button_opens_the_form() {
    assert_eq!(for_button(ActionId::PublishUpdate, &me(), ""), Some(Intent::PublishForm));
    assert_eq!(ActionId::parse("publish_update"), Some(ActionId::PublishUpdate));
    assert_eq!(crate::model::FormId::parse("publish_update"), Some(crate::model::FormId::PublishUpdate));
}
