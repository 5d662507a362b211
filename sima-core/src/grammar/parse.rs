//! Parsing one command line through the command table.

use super::command::{ParseError, TextCommand};
use super::suggest::suggest;
use super::table::{lookup, Args};

/// Parses the text after `/incident`.
///
/// # Errors
/// [`ParseError`] says what was wrong; for an unknown command it carries the
/// closest commands.
pub(crate) fn parse(text: &str) -> Result<TextCommand, ParseError> {
    let text = text.trim();
    let (head, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let Some(spec) = lookup(head) else {
        return Err(ParseError::Unknown { typed: head.to_owned(), suggestions: suggest(head) });
    };
    (spec.parse)(&Args { spec, rest: rest.trim() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Domain, Impact, Severity, Status, Text, UserRef};
    use crate::grammar::table::{for_button, COMMANDS};
    use crate::grammar::UserArg;
    use crate::model::ActionId;

    fn ok(text: &str) -> TextCommand {
        parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn every_command_parses() {
        assert_eq!(ok(""), TextCommand::Declare);
        assert_eq!(ok("declare"), TextCommand::Declare);
        assert_eq!(ok("help"), TextCommand::Help);
        assert_eq!(ok("info"), TextCommand::Info);
        assert_eq!(
            ok("status monitoring fix deployed"),
            TextCommand::Status { status: Status::Monitoring, message: Some(Text::parse("fix deployed").unwrap()) }
        );
        assert_eq!(ok("status investigating"), TextCommand::Status { status: Status::Investigating, message: None });
        assert_eq!(ok("resolve all good"), TextCommand::Resolve { message: Some(Text::parse("all good").unwrap()) });
        assert_eq!(ok("resolve"), TextCommand::Resolve { message: None });
        assert_eq!(ok("manager me"), TextCommand::Manager(UserArg::Me));
        assert_eq!(ok("comms @U024BE7LH"), TextCommand::Comms(UserArg::User(UserRef::parse("U024BE7LH").unwrap())));
        assert_eq!(ok("manager @U1"), TextCommand::Manager(UserArg::User(UserRef::parse("U1").unwrap())));
        assert_eq!(ok("severity sev1"), TextCommand::Severity(Severity::Sev1));
        assert_eq!(ok("impact 1,200"), TextCommand::Impact(Impact::new(1200)));
        assert_eq!(
            ok("started 2026-11-25T09:30:00+01:00"),
            TextCommand::Started("2026-11-25T08:30:00Z".parse().unwrap())
        );
        assert_eq!(ok("note  restarted the pods "), TextCommand::Note(Text::parse("restarted the pods").unwrap()));
        assert_eq!(ok("escalate"), TextCommand::Escalate(None));
        assert_eq!(ok("escalate payments"), TextCommand::Escalate(Some(Domain::parse("payments").unwrap())));
        assert_eq!(ok("edit"), TextCommand::Edit);
        assert_eq!(ok("rootcause expired cert"), TextCommand::RootCause(Text::parse("expired cert").unwrap()));
        assert_eq!(ok("action add cert alerting"), TextCommand::Action(Text::parse("add cert alerting").unwrap()));
        assert_eq!(ok("retry"), TextCommand::Retry);
        assert_eq!(ok("STATUS Resolved"), TextCommand::Status { status: Status::Resolved, message: None });
    }

    #[test]
    fn mistakes_say_what_to_fix() {
        let err = parse("severity").unwrap_err();
        assert_eq!(err.to_string(), "`severity` needs an argument: /incident severity <sev1-4>");
        assert!(parse("severity sev9").unwrap_err().to_string().contains("sev1, sev2"));
        assert!(parse("impact lots").unwrap_err().to_string().contains("number"));
        assert!(parse("started yesterday").unwrap_err().to_string().contains("RFC 3339"));
        assert!(parse("status done").unwrap_err().to_string().contains("investigating"));
        assert!(parse("escalate Payments Team").unwrap_err().to_string().contains("lowercase"));
        match parse("stauts resolved") {
            Err(ParseError::Unknown { typed, suggestions }) => {
                assert_eq!(typed, "stauts");
                assert_eq!(suggestions[0], "status");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn only_declare_and_help_work_outside_a_room() {
        assert!(!ok("help").needs_incident());
        assert!(!ok("").needs_incident());
        assert!(ok("info").needs_incident());
    }

    #[test]
    fn every_name_and_alias_in_the_table_reaches_its_command() {
        let mut words: Vec<&str> = Vec::new();
        for spec in COMMANDS {
            for word in std::iter::once(&spec.name).chain(spec.aliases) {
                assert!(!words.contains(word), "`{word}` is defined twice");
                words.push(word);
                assert!(!matches!(parse(word), Err(ParseError::Unknown { .. })), "`{word}` does not parse");
            }
            assert!(spec.usage.starts_with(&format!("/incident {}", spec.name)), "{}", spec.usage);
        }
        assert_eq!(ok("root-cause x"), ok("rootcause x"));
        assert_eq!(ok("?"), TextCommand::Help);
        assert_eq!(ok("new"), TextCommand::Declare);
    }

    #[test]
    fn every_button_runs_the_command_of_its_table_entry() {
        for id in ActionId::ALL {
            assert!(for_button(id).is_some(), "{id:?} has no command");
        }
        assert_eq!(for_button(ActionId::BecomeIncidentManager), Some(TextCommand::Manager(UserArg::Me)));
        assert_eq!(for_button(ActionId::BecomeCommunicationLead), Some(ok("comms me")));
        assert_eq!(for_button(ActionId::ShowInfo), Some(ok("info")));
        assert_eq!(for_button(ActionId::Escalate), Some(ok("escalate")));
        assert_eq!(for_button(ActionId::UpdateStatus), Some(TextCommand::StatusForm));
    }
}
