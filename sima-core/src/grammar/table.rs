//! The one command table: every `/incident` command is defined here once,
//! with its name, aliases, usage, help text, argument parser and the button
//! that does the same thing. The parser, `help`, typo suggestions and buttons
//! all read this table; adding a command is one entry here plus its use case
//! in `Conversation`.

use chrono::{DateTime, Utc};

use super::command::{ParseError, TextCommand, UserArg};
use crate::domain::{Domain, Impact, Text, UserRef, ValidationError};
use crate::model::ActionId;

/// One command.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CommandSpec {
    /// The word typed after `/incident` (`status`).
    pub name: &'static str,
    /// Other words for the same command (`root-cause`); `""` is "no text".
    pub aliases: &'static [&'static str],
    /// How to type it (`/incident status <status> [message]`).
    pub usage: &'static str,
    /// What it does, as `help` shows it.
    pub help: &'static str,
    /// Reads the arguments.
    pub parse: fn(&Args<'_>) -> Result<TextCommand, ParseError>,
    /// The button that does the same thing, if any.
    pub button: Option<Button>,
}

/// A button standing for a command.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Button {
    /// The button's stable id.
    pub id: ActionId,
    /// The command a press runs.
    pub command: fn() -> TextCommand,
}

/// The arguments of one command line: the text after the command word.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Args<'a> {
    /// The command being parsed.
    pub spec: &'static CommandSpec,
    /// The trimmed text after the command word (may be empty).
    pub rest: &'a str,
}

impl<'a> Args<'a> {
    /// The arguments, or the usage when there are none.
    ///
    /// # Errors
    /// [`ParseError::MissingArgument`] when nothing follows the command.
    pub(crate) fn required(&self) -> Result<&'a str, ParseError> {
        if self.rest.is_empty() {
            return Err(ParseError::MissingArgument { command: self.spec.name, usage: self.spec.usage });
        }
        Ok(self.rest)
    }

    /// The arguments as text, if any.
    ///
    /// # Errors
    /// [`ParseError::Invalid`] when the text is not valid.
    pub(crate) fn optional_text(&self) -> Result<Option<Text>, ParseError> {
        optional_text(self.rest)
    }

    /// The arguments as required text.
    ///
    /// # Errors
    /// As [`Args::required`], or the text is not valid.
    pub(crate) fn text(&self) -> Result<Text, ParseError> {
        Ok(Text::parse(self.required()?)?)
    }

    /// The arguments as a required user: `me`, a mention `@U123` or a bare id.
    ///
    /// # Errors
    /// As [`Args::required`], or the word is no user.
    pub(crate) fn user(&self) -> Result<UserArg, ParseError> {
        Ok(user(self.required()?)?)
    }
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

fn status(args: &Args<'_>) -> Result<TextCommand, ParseError> {
    let arg = args.required()?;
    let (status, message) = arg.split_once(char::is_whitespace).unwrap_or((arg, ""));
    Ok(TextCommand::Status { status: status.parse()?, message: optional_text(message.trim())? })
}

fn started(args: &Args<'_>) -> Result<TextCommand, ParseError> {
    let arg = args.required()?;
    let at = DateTime::parse_from_rfc3339(arg).map_err(|_| ValidationError::Time(arg.to_owned()))?;
    Ok(TextCommand::Started(at.with_timezone(&Utc)))
}

fn escalate(args: &Args<'_>) -> Result<TextCommand, ParseError> {
    Ok(TextCommand::Escalate(if args.rest.is_empty() { None } else { Some(Domain::parse(args.rest)?) }))
}

/// Every `/incident` command, in the order `help` lists them.
pub(crate) const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "declare",
        aliases: &["", "new"],
        usage: "/incident declare",
        help: "Open the form to declare an incident (also /incident alone)",
        parse: |_| Ok(TextCommand::Declare),
        button: None,
    },
    CommandSpec {
        name: "help",
        aliases: &["?"],
        usage: "/incident help",
        help: "Show this list",
        parse: |_| Ok(TextCommand::Help),
        button: Some(Button { id: ActionId::ShowHelp, command: || TextCommand::Help }),
    },
    CommandSpec {
        name: "info",
        aliases: &[],
        usage: "/incident info",
        help: "Show the incident card",
        parse: |_| Ok(TextCommand::Info),
        button: Some(Button { id: ActionId::ShowInfo, command: || TextCommand::Info }),
    },
    CommandSpec {
        name: "status",
        aliases: &[],
        usage: "/incident status <status> [message]",
        help: "Move to investigating, identified, monitoring, resolved, false_positive or closed",
        parse: status,
        button: Some(Button { id: ActionId::UpdateStatus, command: || TextCommand::StatusForm }),
    },
    CommandSpec {
        name: "resolve",
        aliases: &[],
        usage: "/incident resolve [message]",
        help: "Mark resolved and start the post-mortem",
        parse: |args| Ok(TextCommand::Resolve { message: args.optional_text()? }),
        button: None,
    },
    CommandSpec {
        name: "manager",
        aliases: &[],
        usage: "/incident manager <user|me>",
        help: "Give the Incident Manager role",
        parse: |args| Ok(TextCommand::Manager(args.user()?)),
        button: Some(Button { id: ActionId::BecomeIncidentManager, command: || TextCommand::Manager(UserArg::Me) }),
    },
    CommandSpec {
        name: "comms",
        aliases: &[],
        usage: "/incident comms <user|me>",
        help: "Give the Communication Lead role",
        parse: |args| Ok(TextCommand::Comms(args.user()?)),
        button: Some(Button { id: ActionId::BecomeCommunicationLead, command: || TextCommand::Comms(UserArg::Me) }),
    },
    CommandSpec {
        name: "severity",
        aliases: &[],
        usage: "/incident severity <sev1-4>",
        help: "Change the severity",
        parse: |args| Ok(TextCommand::Severity(args.required()?.parse()?)),
        button: None,
    },
    CommandSpec {
        name: "impact",
        aliases: &[],
        usage: "/incident impact <n>",
        help: "Set the number of affected customers",
        parse: |args| Ok(TextCommand::Impact(Impact::parse(args.required()?)?)),
        button: None,
    },
    CommandSpec {
        name: "started",
        aliases: &[],
        usage: "/incident started <RFC 3339 time>",
        help: "Backdate when impact began",
        parse: started,
        button: None,
    },
    CommandSpec {
        name: "note",
        aliases: &[],
        usage: "/incident note <text>",
        help: "Add a note to the timeline",
        parse: |args| Ok(TextCommand::Note(args.text()?)),
        button: None,
    },
    CommandSpec {
        name: "escalate",
        aliases: &[],
        usage: "/incident escalate [domain]",
        help: "Page an on-call (this incident's domain by default)",
        parse: escalate,
        button: Some(Button { id: ActionId::Escalate, command: || TextCommand::Escalate(None) }),
    },
    CommandSpec {
        name: "edit",
        aliases: &[],
        usage: "/incident edit",
        help: "Open the edit form",
        parse: |_| Ok(TextCommand::Edit),
        button: Some(Button { id: ActionId::EditIncident, command: || TextCommand::Edit }),
    },
    CommandSpec {
        name: "rootcause",
        aliases: &["root-cause"],
        usage: "/incident rootcause <text>",
        help: "Write down the root cause",
        parse: |args| Ok(TextCommand::RootCause(args.text()?)),
        button: None,
    },
    CommandSpec {
        name: "action",
        aliases: &[],
        usage: "/incident action <text>",
        help: "Add a follow-up action item",
        parse: |args| Ok(TextCommand::Action(args.text()?)),
        button: None,
    },
    CommandSpec {
        name: "retry",
        aliases: &[],
        usage: "/incident retry",
        help: "Run again what SIMA failed to do (room, card, page, post-mortem…)",
        parse: |_| Ok(TextCommand::Retry),
        button: None,
    },
];

/// The command typed as `word` (a name or an alias, any case).
pub(crate) fn lookup(word: &str) -> Option<&'static CommandSpec> {
    let word = word.to_ascii_lowercase();
    COMMANDS.iter().find(|c| c.name == word || c.aliases.contains(&word.as_str()))
}

/// The command a button press runs.
pub(crate) fn for_button(id: ActionId) -> Option<TextCommand> {
    COMMANDS.iter().filter_map(|c| c.button).find(|b| b.id == id).map(|b| (b.command)())
}
