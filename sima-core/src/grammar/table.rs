//! The one command table: every `/incident` command is defined here once,
//! with its name, aliases, usage, help text, argument parser and the button
//! that does the same thing. The parser, `help`, typo suggestions and buttons
//! all read this table; adding a command is one entry here plus its use case
//! in `Conversation`.

use chrono::{DateTime, NaiveDate, Utc};

use super::command::{ParseError, TextCommand, UserArg};
use crate::domain::{Domain, Impact, NewActionItem, Text, UserRef, ValidationError};
use crate::model::ActionId;

/// One command.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
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
pub struct Button {
    /// The button's stable id.
    pub id: ActionId,
    /// The command a press runs, given the argument the button carries after
    /// the incident id in its value (`""` for most buttons); `None` when the
    /// argument is wrong.
    pub command: fn(&str) -> Option<TextCommand>,
}

/// The arguments of one command line: the text after the command word.
#[derive(Debug, Clone, Copy)]
pub struct Args<'a> {
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
    pub fn required(&self) -> Result<&'a str, ParseError> {
        if self.rest.is_empty() {
            return Err(ParseError::MissingArgument { command: self.spec.name, usage: self.spec.usage });
        }
        Ok(self.rest)
    }

    /// The arguments as text, if any.
    ///
    /// # Errors
    /// [`ParseError::Invalid`] when the text is not valid.
    pub fn optional_text(&self) -> Result<Option<Text>, ParseError> {
        optional_text(self.rest)
    }

    /// The arguments as required text.
    ///
    /// # Errors
    /// As [`Args::required`], or the text is not valid.
    pub fn text(&self) -> Result<Text, ParseError> {
        Ok(Text::parse(self.required()?)?)
    }

    /// The arguments as a required user: `me`, a mention `@U123` or a bare id.
    ///
    /// # Errors
    /// As [`Args::required`], or the word is no user.
    pub fn user(&self) -> Result<UserArg, ParseError> {
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

/// `[@owner] <text> [due YYYY-MM-DD]`: a leading mention names the owner, a
/// trailing `due` date the deadline.
fn action(args: &Args<'_>) -> Result<TextCommand, ParseError> {
    let mut rest = args.required()?;
    let mut owner = None;
    if rest.starts_with('@') {
        let (word, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        owner = match user(word)? {
            UserArg::User(u) => Some(u),
            UserArg::Me => None,
        };
        rest = tail.trim();
    }
    let mut due = None;
    if let Some((text, date)) = rest.rsplit_once(" due ") {
        let date = date.trim();
        if let Ok(parsed) = NaiveDate::parse_from_str(date, "%Y-%m-%d") {
            due = Some(parsed);
            rest = text.trim();
        } else if date.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            return Err(ValidationError::Date(date.to_owned()).into());
        }
    }
    if rest.is_empty() {
        return Err(ParseError::MissingArgument { command: args.spec.name, usage: args.spec.usage });
    }
    Ok(TextCommand::Action(NewActionItem { text: Text::parse(rest)?, owner, due }))
}

/// An action item number: a positive integer, `#` allowed (`#2`).
fn action_number(arg: &str) -> Result<u32, ValidationError> {
    let word = arg.trim().trim_start_matches('#');
    word.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| ValidationError::ActionNumber(arg.trim().to_owned()))
}

/// Every `/incident` command, in the order `help` lists them.
pub const COMMANDS: &[CommandSpec] = &[
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
        button: Some(Button { id: ActionId::ShowHelp, command: |_| Some(TextCommand::Help) }),
    },
    CommandSpec {
        name: "info",
        aliases: &[],
        usage: "/incident info",
        help: "Show the incident card",
        parse: |_| Ok(TextCommand::Info),
        button: Some(Button { id: ActionId::ShowInfo, command: |_| Some(TextCommand::Info) }),
    },
    CommandSpec {
        name: "status",
        aliases: &[],
        usage: "/incident status <status> [message]",
        help: "Move to investigating, identified, monitoring, resolved, false_positive or closed",
        parse: status,
        button: Some(Button { id: ActionId::UpdateStatus, command: |_| Some(TextCommand::StatusForm) }),
    },
    CommandSpec {
        name: "resolve",
        aliases: &[],
        usage: "/incident resolve [message]",
        help: "Mark resolved and start the post-mortem",
        parse: |args| Ok(TextCommand::Resolve { message: args.optional_text()? }),
        button: Some(Button {
            id: ActionId::ResolveIncident,
            command: |_| Some(TextCommand::Resolve { message: None }),
        }),
    },
    CommandSpec {
        name: "manager",
        aliases: &[],
        usage: "/incident manager <user|me>",
        help: "Give the Incident Manager role",
        parse: |args| Ok(TextCommand::Manager(args.user()?)),
        button: Some(Button {
            id: ActionId::BecomeIncidentManager,
            command: |_| Some(TextCommand::Manager(UserArg::Me)),
        }),
    },
    CommandSpec {
        name: "comms",
        aliases: &[],
        usage: "/incident comms <user|me>",
        help: "Give the Communication Lead role",
        parse: |args| Ok(TextCommand::Comms(args.user()?)),
        button: Some(Button {
            id: ActionId::BecomeCommunicationLead,
            command: |_| Some(TextCommand::Comms(UserArg::Me)),
        }),
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
        button: Some(Button { id: ActionId::Escalate, command: |_| Some(TextCommand::Escalate(None)) }),
    },
    CommandSpec {
        name: "edit",
        aliases: &[],
        usage: "/incident edit",
        help: "Open the edit form",
        parse: |_| Ok(TextCommand::Edit),
        button: Some(Button { id: ActionId::EditIncident, command: |_| Some(TextCommand::Edit) }),
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
        usage: "/incident action [@owner] <text> [due YYYY-MM-DD]",
        help: "Add a follow-up action item, with an owner and a due date if you like",
        parse: action,
        button: None,
    },
    CommandSpec {
        name: "actions",
        aliases: &["todo"],
        usage: "/incident actions",
        help: "List the action items, with buttons to mark them done",
        parse: |_| Ok(TextCommand::Actions),
        button: None,
    },
    CommandSpec {
        name: "done",
        aliases: &[],
        usage: "/incident done <n>",
        help: "Mark action item n done",
        parse: |args| Ok(TextCommand::Done(action_number(args.required()?)?)),
        button: Some(Button {
            id: ActionId::CompleteActionItem,
            command: |arg| action_number(arg).ok().map(TextCommand::Done),
        }),
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
pub fn lookup(word: &str) -> Option<&'static CommandSpec> {
    let word = word.to_ascii_lowercase();
    COMMANDS.iter().find(|c| c.name == word || c.aliases.contains(&word.as_str()))
}

/// The command a button press runs.
/// `arg` is what the button's value carries after the incident id (`""` for most).
pub fn for_button(id: ActionId, arg: &str) -> Option<TextCommand> {
    COMMANDS.iter().filter_map(|c| c.button).find(|b| b.id == id).and_then(|b| (b.command)(arg))
}
