//! Parsing one command line.

use chrono::{DateTime, Utc};
use thiserror::Error;

use super::suggest;
use crate::domain::{Domain, Impact, Severity, Status, Text, UserRef, ValidationError};

/// Who a role command names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserArg {
    /// The person typing.
    Me,
    /// Someone else.
    User(UserRef),
}

/// A parsed `/incident` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextCommand {
    /// No text, or `declare`: open the declare form.
    Declare,
    /// `help`.
    Help,
    /// `info`.
    Info,
    /// `status <status> [message]`.
    Status {
        /// Target.
        status: Status,
        /// Update text.
        message: Option<Text>,
    },
    /// `resolve [message]`.
    Resolve {
        /// Update text.
        message: Option<Text>,
    },
    /// `manager <user|me>`.
    Manager(UserArg),
    /// `comms <user|me>`.
    Comms(UserArg),
    /// `severity <sev1-4>`.
    Severity(Severity),
    /// `impact <n>`.
    Impact(Impact),
    /// `started <RFC 3339 time>`.
    Started(DateTime<Utc>),
    /// `note <text>`.
    Note(Text),
    /// `escalate [domain]`.
    Escalate(Option<Domain>),
    /// `edit`.
    Edit,
    /// `rootcause <text>`.
    RootCause(Text),
    /// `action <text>`.
    Action(Text),
    /// `retry`: run the effects that failed for good again.
    Retry,
}

impl TextCommand {
    /// Whether the command acts on the incident of the room it is typed in.
    pub fn needs_incident(&self) -> bool {
        !matches!(self, Self::Declare | Self::Help)
    }
}

/// Why a line did not parse.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    /// The first word is no command.
    #[error("unknown command `{typed}`")]
    Unknown {
        /// What was typed.
        typed: String,
        /// The closest commands, best first.
        suggestions: Vec<&'static str>,
    },
    /// A command without its argument.
    #[error("`{command}` needs an argument: {usage}")]
    MissingArgument {
        /// The command.
        command: &'static str,
        /// How to use it.
        usage: &'static str,
    },
    /// An argument that is not valid.
    #[error("{0}")]
    Invalid(#[from] ValidationError),
}

/// The command names, as [`COMMANDS`](crate::messages::COMMANDS) lists them.
pub(super) const NAMES: [&str; 16] = [
    "declare",
    "help",
    "info",
    "status",
    "resolve",
    "manager",
    "comms",
    "severity",
    "impact",
    "started",
    "note",
    "escalate",
    "edit",
    "rootcause",
    "action",
    "retry",
];

fn usage(command: &'static str) -> &'static str {
    crate::messages::COMMANDS.iter().find(|(n, ..)| *n == command).map_or("", |(_, usage, _)| usage)
}

fn required<'a>(command: &'static str, rest: &'a str) -> Result<&'a str, ParseError> {
    if rest.is_empty() {
        return Err(ParseError::MissingArgument { command, usage: usage(command) });
    }
    Ok(rest)
}

fn optional_text(rest: &str) -> Result<Option<Text>, ParseError> {
    if rest.is_empty() {
        return Ok(None);
    }
    Ok(Some(Text::parse(rest)?))
}

/// Reads a user: `me`, a mention `@U123` or a bare id. Chat adapters turn
/// their platform's mentions into `@id` before the text reaches the core.
fn user(rest: &str) -> Result<UserArg, ValidationError> {
    let word = rest.split_whitespace().next().unwrap_or_default();
    if word.eq_ignore_ascii_case("me") {
        return Ok(UserArg::Me);
    }
    let id = word.strip_prefix('@').unwrap_or(word);
    UserRef::parse(id).map(UserArg::User).map_err(|_| ValidationError::User(word.to_owned()))
}

/// Parses the text after `/incident`.
///
/// # Errors
/// [`ParseError`] says what was wrong; for an unknown command it carries the
/// closest commands.
pub fn parse(text: &str) -> Result<TextCommand, ParseError> {
    let text = text.trim();
    let (head, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let rest = rest.trim();
    let command = match head.to_ascii_lowercase().as_str() {
        "" | "declare" | "new" => TextCommand::Declare,
        "help" | "?" => TextCommand::Help,
        "info" => TextCommand::Info,
        "status" => {
            let arg = required("status", rest)?;
            let (status, message) = arg.split_once(char::is_whitespace).unwrap_or((arg, ""));
            TextCommand::Status { status: status.parse()?, message: optional_text(message.trim())? }
        }
        "resolve" => TextCommand::Resolve { message: optional_text(rest)? },
        "manager" => TextCommand::Manager(user(required("manager", rest)?)?),
        "comms" => TextCommand::Comms(user(required("comms", rest)?)?),
        "severity" => TextCommand::Severity(required("severity", rest)?.parse()?),
        "impact" => TextCommand::Impact(Impact::parse(required("impact", rest)?)?),
        "started" => {
            let arg = required("started", rest)?;
            let at = DateTime::parse_from_rfc3339(arg).map_err(|_| ValidationError::Time(arg.to_owned()))?;
            TextCommand::Started(at.with_timezone(&Utc))
        }
        "note" => TextCommand::Note(Text::parse(required("note", rest)?)?),
        "escalate" => TextCommand::Escalate(if rest.is_empty() { None } else { Some(Domain::parse(rest)?) }),
        "edit" => TextCommand::Edit,
        "rootcause" | "root-cause" => TextCommand::RootCause(Text::parse(required("rootcause", rest)?)?),
        "action" => TextCommand::Action(Text::parse(required("action", rest)?)?),
        "retry" => TextCommand::Retry,
        _ => return Err(ParseError::Unknown { typed: head.to_owned(), suggestions: suggest(head) }),
    };
    Ok(command)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn command_table_and_parser_agree() {
        let listed: Vec<&str> = crate::messages::COMMANDS.iter().map(|(n, ..)| *n).collect();
        assert_eq!(listed, NAMES);
    }
}
