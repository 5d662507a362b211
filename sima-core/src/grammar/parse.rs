//! Parsing one command line through the command table.

use super::command::{Intent, ParseError};
use super::suggest::suggest;
use super::table::{lookup, Args};
use crate::domain::UserRef;

/// Parses the text after `/incident`, typed by `typer` (who `me` is).
///
/// # Errors
/// [`ParseError`] says what was wrong; for an unknown command it carries the
/// closest commands.
pub(crate) fn parse(text: &str, typer: &UserRef) -> Result<Intent, ParseError> {
    let text = text.trim();
    let (head, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let Some(spec) = lookup(head) else {
        return Err(ParseError::Unknown { typed: head.to_owned(), suggestions: suggest(head) });
    };
    (spec.parse)(&Args { spec, rest: rest.trim(), typer })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Command, Domain, FieldEdit, Impact, Role, Severity, Status, Text};
    use crate::grammar::table::{for_button, COMMANDS};
    use crate::model::ActionId;

    fn me() -> UserRef {
        UserRef::parse("UME").unwrap()
    }

    fn parse(text: &str) -> Result<Intent, ParseError> {
        super::parse(text, &me())
    }

    fn ok(text: &str) -> Intent {
        parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn run(command: Command) -> Intent {
        Intent::Execute(command)
    }

    fn text(s: &str) -> Option<Text> {
        Some(Text::parse(s).unwrap())
    }

    fn assign(role: Role, user: &str) -> Intent {
        run(Command::AssignRole { role, user: UserRef::parse(user).unwrap() })
    }

    #[test]
    fn every_command_parses() {
        assert_eq!(ok(""), Intent::Declare { private: false });
        assert_eq!(ok("declare"), Intent::Declare { private: false });
        assert_eq!(ok("declare --private"), Intent::Declare { private: true });
        assert_eq!(ok("private"), run(Command::SetVisibility { private: true }));
        assert_eq!(ok("public"), run(Command::SetVisibility { private: false }));
        assert_eq!(ok("help"), Intent::Help);
        assert_eq!(ok("info"), Intent::Info);
        assert_eq!(
            ok("status monitoring fix deployed"),
            run(Command::ChangeStatus { to: Status::Monitoring, message: text("fix deployed") })
        );
        assert_eq!(ok("status investigating"), run(Command::ChangeStatus { to: Status::Investigating, message: None }));
        assert_eq!(
            ok("resolve all good"),
            run(Command::ChangeStatus { to: Status::Resolved, message: text("all good") })
        );
        assert_eq!(ok("resolve"), run(Command::ChangeStatus { to: Status::Resolved, message: None }));
        assert_eq!(ok("manager me"), assign(Role::IncidentManager, "UME"));
        assert_eq!(ok("comms @U024BE7LH"), assign(Role::CommunicationLead, "U024BE7LH"));
        assert_eq!(ok("manager @U1"), assign(Role::IncidentManager, "U1"));
        assert_eq!(ok("severity sev1"), run(Command::Edit(FieldEdit::Severity(Severity::Sev1))));
        assert_eq!(ok("impact 1,200"), run(Command::Edit(FieldEdit::Impact(Impact::new(1200)))));
        assert_eq!(
            ok("started 2026-11-25T09:30:00+01:00"),
            run(Command::Edit(FieldEdit::StartedAt("2026-11-25T08:30:00Z".parse().unwrap())))
        );
        assert_eq!(ok("note  restarted the pods "), run(Command::AddNote(Text::parse("restarted the pods").unwrap())));
        assert_eq!(ok("escalate"), run(Command::Escalate { domain: None }));
        assert_eq!(
            ok("escalate payments"),
            run(Command::Escalate { domain: Some(Domain::parse("payments").unwrap()) })
        );
        assert_eq!(ok("edit"), Intent::EditForm);
        assert_eq!(ok("rootcause expired cert"), run(Command::SetRootCause(Text::parse("expired cert").unwrap())));
        assert_eq!(
            ok("action add cert alerting"),
            run(Command::AddActionItem(Text::parse("add cert alerting").unwrap().into()))
        );
        assert_eq!(ok("retry"), Intent::Retry);
        assert_eq!(ok("STATUS Resolved"), run(Command::ChangeStatus { to: Status::Resolved, message: None }));
    }

    #[test]
    fn mistakes_say_what_to_fix() {
        let err = parse("declare --secret").unwrap_err();
        assert_eq!(err.to_string(), "`declare` does not take `--secret`: /incident declare [--private]");
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
        assert_eq!(ok("?"), Intent::Help);
        assert_eq!(ok("new"), Intent::Declare { private: false });
    }

    #[test]
    fn every_button_runs_the_command_of_its_table_entry() {
        for id in ActionId::ALL {
            assert!(for_button(id, &me(), "1").is_some(), "{id:?} has no command");
        }
        let press = |id| for_button(id, &me(), "");
        assert_eq!(press(ActionId::BecomeIncidentManager), Some(assign(Role::IncidentManager, "UME")));
        assert_eq!(press(ActionId::BecomeCommunicationLead), Some(ok("comms me")));
        assert_eq!(press(ActionId::ShowInfo), Some(ok("info")));
        assert_eq!(press(ActionId::Escalate), Some(ok("escalate")));
        assert_eq!(press(ActionId::UpdateStatus), Some(Intent::StatusForm));
        assert_eq!(press(ActionId::EditIncident), Some(ok("edit")));
        assert_eq!(press(ActionId::ResolveIncident), Some(ok("resolve")));
        assert_eq!(for_button(ActionId::CompleteActionItem, &me(), "2"), Some(ok("done 2")));
        assert_eq!(for_button(ActionId::CompleteActionItem, &me(), "x"), None);
    }

    #[test]
    fn action_items_take_an_optional_owner_and_due_date() {
        let item = |text: &str, owner: Option<&str>, due: Option<&str>| {
            run(Command::AddActionItem(crate::domain::NewActionItem {
                text: Text::parse(text).unwrap(),
                owner: owner.map(|o| crate::domain::UserRef::parse(o).unwrap()),
                due: due.map(|d| d.parse().unwrap()),
            }))
        };
        assert_eq!(ok("action alert on cert expiry"), item("alert on cert expiry", None, None));
        assert_eq!(ok("action @U42 alert on cert expiry"), item("alert on cert expiry", Some("U42"), None));
        assert_eq!(
            ok("action @U42 alert on certs due 2026-12-01"),
            item("alert on certs", Some("U42"), Some("2026-12-01"))
        );
        assert_eq!(ok("action fix what is due tomorrow"), item("fix what is due tomorrow", None, None));
        assert!(matches!(parse("action @U42"), Err(ParseError::MissingArgument { .. })));
        assert!(parse("action x due 2026-13-45").unwrap_err().to_string().contains("YYYY-MM-DD"));
        assert!(parse("done zero").unwrap_err().to_string().contains("action item number"));
        assert_eq!(ok("actions"), Intent::Actions);
        assert_eq!(ok("done #3"), run(Command::CompleteActionItem(3)));
    }
}
