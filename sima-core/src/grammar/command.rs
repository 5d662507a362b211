//! What a command line means, and why one did not parse.

use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::domain::{Domain, Impact, Severity, Status, Text, UserRef, ValidationError};

/// Who a role command names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UserArg {
    /// The person typing.
    Me,
    /// Someone else.
    User(UserRef),
}

/// A parsed `/incident` command (or the command a button stands for).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TextCommand {
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
    /// The status update form, which the `update_status` button opens.
    StatusForm,
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
    #[cfg(test)]
    pub(crate) fn needs_incident(&self) -> bool {
        !matches!(self, Self::Declare | Self::Help)
    }
}

/// Why a line did not parse.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub(crate) enum ParseError {
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
