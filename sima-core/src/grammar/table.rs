//! The one command table: every `/incident` command is defined here once,
//! with its name, aliases, usage, help text, argument parser and the button
//! that does the same thing. The parser, `help`, typo suggestions and buttons
//! all read this table, and so does `Conversation`, which runs the
//! [`Intent`] an entry yields. A command that reuses an existing decision is
//! one entry here (plus its row in `docs/commands.md` and the README's
//! table); one with a decision of its own also needs its domain [`Command`],
//! event, what the room is told and its post-mortem line: CONTRIBUTING.md
//! walks through every file.

use chrono::{DateTime, NaiveDate, Utc};

use super::command::{Intent, ParseError};
use crate::domain::{
    parse_public_message, Command, Domain, FieldEdit, Impact, NewActionItem, PublicStatus, Role, Status, Text, UserRef,
    ValidationError,
};
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
    /// Reads the arguments into what the command asks for.
    pub parse: fn(&Args<'_>) -> Result<Intent, ParseError>,
    /// The button that does the same thing, if any.
    pub button: Option<Button>,
}

/// A button standing for a command.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Button {
    /// The button's stable id.
    pub id: ActionId,
    /// What a press asks for, given who pressed it and the argument the
    /// button carries after the incident id in its value (`""` for most
    /// buttons); `None` when the argument is wrong.
    pub intent: fn(&UserRef, &str) -> Option<Intent>,
}

/// The arguments of one command line: the text after the command word.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Args<'a> {
    /// The command being parsed.
    pub spec: &'static CommandSpec,
    /// The trimmed text after the command word (may be empty).
    pub rest: &'a str,
    /// Who typed it (`me`).
    pub typer: &'a UserRef,
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
    pub(crate) fn user(&self) -> Result<UserRef, ParseError> {
        Ok(user(self.required()?, self.typer)?)
    }
}

fn optional_text(rest: &str) -> Result<Option<Text>, ParseError> {
    if rest.is_empty() {
        return Ok(None);
    }
    Ok(Some(Text::parse(rest)?))
}

/// Reads a user: `me` (the typer), a mention `@U123` or a bare id. Chat
/// adapters turn their platform's mentions into `@id` before the text
/// reaches the core.
fn user(rest: &str, typer: &UserRef) -> Result<UserRef, ValidationError> {
    let word = rest.split_whitespace().next().unwrap_or_default();
    if word.eq_ignore_ascii_case("me") {
        return Ok(typer.clone());
    }
    let id = word.strip_prefix('@').unwrap_or(word);
    UserRef::parse(id).map_err(|_| ValidationError::User(word.to_owned()))
}

/// Runs `command` on the room's incident.
fn execute(command: Command) -> Result<Intent, ParseError> {
    Ok(Intent::Execute(command))
}

/// Gives `role` to `user`.
fn assign(role: Role, user: &UserRef) -> Intent {
    Intent::Execute(Command::AssignRole { role, user: user.clone() })
}

fn status(args: &Args<'_>) -> Result<Intent, ParseError> {
    let arg = args.required()?;
    let (status, message) = arg.split_once(char::is_whitespace).unwrap_or((arg, ""));
    execute(Command::ChangeStatus { to: status.parse()?, message: optional_text(message.trim())? })
}

fn started(args: &Args<'_>) -> Result<Intent, ParseError> {
    let arg = args.required()?;
    let at = DateTime::parse_from_rfc3339(arg).map_err(|_| ValidationError::Time(arg.to_owned()))?;
    execute(Command::Edit(FieldEdit::StartedAt(at.with_timezone(&Utc))))
}

fn escalate(args: &Args<'_>) -> Result<Intent, ParseError> {
    execute(Command::Escalate { domain: if args.rest.is_empty() { None } else { Some(Domain::parse(args.rest)?) } })
}

/// `[@owner] <text> [due YYYY-MM-DD]`: a leading mention names the owner, a
/// trailing `due` date the deadline.
fn action(args: &Args<'_>) -> Result<Intent, ParseError> {
    let mut rest = args.required()?;
    let mut owner = None;
    if rest.starts_with('@') {
        let (word, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        owner = Some(user(word, args.typer)?);
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
    execute(Command::AddActionItem(NewActionItem { text: Text::parse(rest)?, owner, due }))
}

/// An action item number: a positive integer, `#` allowed (`#2`).
fn action_number(arg: &str) -> Result<u32, ValidationError> {
    let word = arg.trim().trim_start_matches('#');
    word.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| ValidationError::ActionNumber(arg.trim().to_owned()))
}

/// `set <field> <value>`: the value is checked against the incident's
/// type when the command runs; `set <field>` alone clears it.
fn set_field(args: &Args<'_>) -> Result<Intent, ParseError> {
    let rest = args.required()?;
    let (name, value) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    Ok(Intent::SetField { name: name.to_ascii_lowercase(), value: value.trim().to_owned() })
}

/// `declare [--private]`: the form, its private box ticked with `--private`.
fn declare(args: &Args<'_>) -> Result<Intent, ParseError> {
    match args.rest.to_ascii_lowercase().as_str() {
        "" => Ok(Intent::Declare { private: false }),
        "--private" | "private" => Ok(Intent::Declare { private: true }),
        _ => {
            Err(ParseError::Unexpected { command: args.spec.name, typed: args.rest.to_owned(), usage: args.spec.usage })
        }
    }
}

/// `publish <status> <message>`: an update on the status page; alone, the form.
fn publish(args: &Args<'_>) -> Result<Intent, ParseError> {
    if args.rest.is_empty() {
        return Ok(Intent::PublishForm);
    }
    let (status, message) = args.rest.split_once(char::is_whitespace).unwrap_or((args.rest, ""));
    let status: PublicStatus = status.parse()?;
    if message.trim().is_empty() {
        return Err(ParseError::MissingArgument { command: args.spec.name, usage: args.spec.usage });
    }
    Ok(Intent::Publish { status, message: parse_public_message(message)? })
}

/// Every `/incident` command, in the order `help` lists them.
pub(crate) const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "declare",
        aliases: &["", "new"],
        usage: "/incident declare [--private]",
        help: "Open the form to declare an incident (also /incident alone); --private ticks its private box",
        parse: declare,
        button: None,
    },
    CommandSpec {
        name: "help",
        aliases: &["?"],
        usage: "/incident help",
        help: "Show this list",
        parse: |_| Ok(Intent::Help),
        button: Some(Button { id: ActionId::ShowHelp, intent: |_, _| Some(Intent::Help) }),
    },
    CommandSpec {
        name: "info",
        aliases: &[],
        usage: "/incident info",
        help: "Show the incident card",
        parse: |_| Ok(Intent::Info),
        button: Some(Button { id: ActionId::ShowInfo, intent: |_, _| Some(Intent::Info) }),
    },
    CommandSpec {
        name: "status",
        aliases: &[],
        usage: "/incident status <status> [message]",
        help: "Move to investigating, identified, monitoring, resolved, false_positive or closed",
        parse: status,
        button: Some(Button { id: ActionId::UpdateStatus, intent: |_, _| Some(Intent::StatusForm) }),
    },
    CommandSpec {
        name: "resolve",
        aliases: &[],
        usage: "/incident resolve [message]",
        help: "Mark resolved and start the post-mortem",
        parse: |args| execute(Command::ChangeStatus { to: Status::Resolved, message: args.optional_text()? }),
        button: Some(Button {
            id: ActionId::ResolveIncident,
            intent: |_, _| Some(Intent::Execute(Command::ChangeStatus { to: Status::Resolved, message: None })),
        }),
    },
    CommandSpec {
        name: "manager",
        aliases: &[],
        usage: "/incident manager <user|me>",
        help: "Give the Incident Manager role",
        parse: |args| execute(Command::AssignRole { role: Role::IncidentManager, user: args.user()? }),
        button: Some(Button {
            id: ActionId::BecomeIncidentManager,
            intent: |me, _| Some(assign(Role::IncidentManager, me)),
        }),
    },
    CommandSpec {
        name: "comms",
        aliases: &[],
        usage: "/incident comms <user|me>",
        help: "Give the Communication Lead role",
        parse: |args| execute(Command::AssignRole { role: Role::CommunicationLead, user: args.user()? }),
        button: Some(Button {
            id: ActionId::BecomeCommunicationLead,
            intent: |me, _| Some(assign(Role::CommunicationLead, me)),
        }),
    },
    CommandSpec {
        name: "severity",
        aliases: &[],
        usage: "/incident severity <sev1-4>",
        help: "Change the severity",
        parse: |args| execute(Command::Edit(FieldEdit::Severity(args.required()?.parse()?))),
        button: None,
    },
    CommandSpec {
        name: "impact",
        aliases: &[],
        usage: "/incident impact <n>",
        help: "Set the number of affected customers",
        parse: |args| execute(Command::Edit(FieldEdit::Impact(Impact::parse(args.required()?)?))),
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
        parse: |args| execute(Command::AddNote(args.text()?)),
        button: None,
    },
    CommandSpec {
        name: "escalate",
        aliases: &[],
        usage: "/incident escalate [domain]",
        help: "Page an on-call (this incident's domain by default)",
        parse: escalate,
        button: Some(Button {
            id: ActionId::Escalate,
            intent: |_, _| Some(Intent::Execute(Command::Escalate { domain: None })),
        }),
    },
    CommandSpec {
        name: "edit",
        aliases: &[],
        usage: "/incident edit",
        help: "Open the edit form",
        parse: |_| Ok(Intent::EditForm),
        button: Some(Button { id: ActionId::EditIncident, intent: |_, _| Some(Intent::EditForm) }),
    },
    CommandSpec {
        name: "rootcause",
        aliases: &["root-cause"],
        usage: "/incident rootcause <text>",
        help: "Write down the root cause",
        parse: |args| execute(Command::SetRootCause(args.text()?)),
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
        parse: |_| Ok(Intent::Actions),
        button: None,
    },
    CommandSpec {
        name: "done",
        aliases: &[],
        usage: "/incident done <n>",
        help: "Mark action item n done",
        parse: |args| execute(Command::CompleteActionItem(action_number(args.required()?)?)),
        button: Some(Button {
            id: ActionId::CompleteActionItem,
            intent: |_, arg| action_number(arg).ok().map(|n| Intent::Execute(Command::CompleteActionItem(n))),
        }),
    },
    CommandSpec {
        name: "retry",
        aliases: &[],
        usage: "/incident retry",
        help: "Run again what SIMA failed to do (room, card, page, post-mortem…)",
        parse: |_| Ok(Intent::Retry),
        button: None,
    },
    CommandSpec {
        name: "set",
        aliases: &[],
        usage: "/incident set <field> <value>",
        help: "Set a custom field (its name alone clears it)",
        parse: set_field,
        button: None,
    },
    CommandSpec {
        name: "private",
        aliases: &[],
        usage: "/incident private",
        help: "Make the incident private: hidden from those not in its room, its broadcast withdrawn",
        parse: |_| execute(Command::SetVisibility { private: true }),
        button: None,
    },
    CommandSpec {
        name: "publish",
        aliases: &[],
        usage: "/incident publish <status> <message>",
        help: "Tell customers on the status page: investigating, identified, monitoring or resolved, and what to \
               know (alone: open the form; never for private incidents)",
        parse: publish,
        button: Some(Button { id: ActionId::PublishUpdate, intent: |_, _| Some(Intent::PublishForm) }),
    },
    CommandSpec {
        name: "public",
        aliases: &[],
        usage: "/incident public",
        help: "Make a private incident public again (Incident Manager only); it is announced",
        parse: |_| execute(Command::SetVisibility { private: false }),
        button: None,
    },
    CommandSpec {
        name: "export",
        aliases: &[],
        usage: "/incident export <n>",
        help: "Send action item n to the tracker as a ticket (when a tracker is configured)",
        parse: |args| execute(Command::ExportActionItem(action_number(args.required()?)?)),
        button: Some(Button {
            id: ActionId::ExportActionItem,
            intent: |_, arg| action_number(arg).ok().map(|n| Intent::Execute(Command::ExportActionItem(n))),
        }),
    },
];

/// The command typed as `word` (a name or an alias, any case).
pub(crate) fn lookup(word: &str) -> Option<&'static CommandSpec> {
    let word = word.to_ascii_lowercase();
    COMMANDS.iter().find(|c| c.name == word || c.aliases.contains(&word.as_str()))
}

/// What a press of button `id` by `presser` asks for; `arg` is what the
/// button's value carries after the incident id (`""` for most).
pub(crate) fn for_button(id: ActionId, presser: &UserRef, arg: &str) -> Option<Intent> {
    COMMANDS.iter().filter_map(|c| c.button).find(|b| b.id == id).and_then(|b| (b.intent)(presser, arg))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The user guide lists every command with its usage and an example that parses.
    #[test]
    fn the_readme_documents_every_command_with_a_working_example() {
        let readme = include_str!("../../../README.md").replace("\\|", "|");
        let rows: Vec<&str> = readme.lines().filter(|l| l.starts_with("| `/incident")).collect();
        for spec in COMMANDS {
            let row = rows
                .iter()
                .find(|row| row.starts_with(&format!("| `{}`", spec.usage)))
                .unwrap_or_else(|| panic!("README: no row for `{}`", spec.usage));
            let example = row.trim_end_matches(" |").rsplit("| `").next().unwrap_or_default().trim_end_matches('`');
            let text = example.strip_prefix("/incident").unwrap_or_else(|| panic!("README example `{example}`")).trim();
            let word = text.split_whitespace().next().unwrap_or("");
            let found = lookup(word).unwrap_or_else(|| panic!("README example `{example}` names no command"));
            assert_eq!(found.name, spec.name, "README example `{example}` is not a `{}` example", spec.name);
            let me = UserRef::parse("U0ME").unwrap();
            if let Err(e) = super::super::parse::parse(text, &me) {
                panic!("README example `{example}` does not parse: {e}");
            }
        }
    }
}
