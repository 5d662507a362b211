//! What a command line asks for, and why one did not parse.

use thiserror::Error;

use crate::domain::{Command, PublicStatus, Text, ValidationError};

/// What a parsed `/incident` command (or the button standing for it) asks
/// SIMA to do. Most commands are a domain [`Command`] run on the room's
/// incident (see CONTRIBUTING.md, "Add a command", for every file a new one touches).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Intent {
    /// Open the declare form (works outside incident rooms), with its
    /// private box ticked for `declare --private`.
    Declare {
        /// Whether the form starts with the incident marked private.
        private: bool,
    },
    /// List the commands (works outside incident rooms).
    Help,
    /// Show the incident card.
    Info,
    /// Open the status update form.
    StatusForm,
    /// Open the edit form.
    EditForm,
    /// List the action items, each with its done button.
    Actions,
    /// Run again the effects that failed for good.
    Retry,
    /// Run this command on the incident, as the person who typed it.
    Execute(Command),
    /// Publish an update on the status page; its title and component status
    /// are the defaults the service works out.
    Publish {
        /// The stage announced.
        status: PublicStatus,
        /// What customers are told.
        message: Text,
    },
    /// Open the form that publishes an update on the status page.
    PublishForm,
    /// Set custom field `name` (checked against the incident's type when run).
    SetField {
        /// The field's name.
        name: String,
        /// Its new value; blank clears it.
        value: String,
    },
}

impl Intent {
    /// Whether it acts on the incident of the room it is typed in.
    pub(crate) fn needs_incident(&self) -> bool {
        !matches!(self, Self::Declare { .. } | Self::Help)
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
    /// An argument the command does not take.
    #[error("`{command}` does not take `{typed}`: {usage}")]
    Unexpected {
        /// The command.
        command: &'static str,
        /// What was typed after it.
        typed: String,
        /// How to use it.
        usage: &'static str,
    },
    /// An argument that is not valid.
    #[error("{0}")]
    Invalid(#[from] ValidationError),
}
