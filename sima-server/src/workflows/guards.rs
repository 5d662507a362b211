//! `[[guards]]` in `sima.toml`: which commands only a role holder may send.
//!
//! ```toml
//! [[guards]]
//! name = "manager-decides"
//! commands = ["resolve", "false_positive", "severity"]
//! only = "incident_manager"
//! ```

use std::fmt;

use serde::{Deserialize, Deserializer};
use sima_core::domain::{Actor, Command, FieldEdit, Role, Status};
use sima_core::ports::{Policy, Refusal};
use sima_core::Incident;

/// A command a guard can keep to a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Guarded {
    /// Resolving the incident.
    Resolve,
    /// Marking it a false positive.
    FalsePositive,
    /// Closing it.
    Close,
    /// Changing its severity.
    Severity,
    /// Paging another on-call (`/incident escalate`).
    Escalate,
}

impl Guarded {
    /// Whether `command` is this kind of command.
    fn covers(self, command: &Command) -> bool {
        matches!(
            (self, command),
            (Self::Resolve, Command::ChangeStatus { to: Status::Resolved, .. })
                | (Self::FalsePositive, Command::ChangeStatus { to: Status::FalsePositive, .. })
                | (Self::Close, Command::ChangeStatus { to: Status::Closed, .. })
                | (Self::Severity, Command::Edit(FieldEdit::Severity(_)))
                | (Self::Escalate, Command::Escalate { .. })
        )
    }

    /// What the person asked, in words: "resolve".
    fn verb(self) -> &'static str {
        match self {
            Self::Resolve => "resolve",
            Self::FalsePositive => "mark it a false positive",
            Self::Close => "close",
            Self::Severity => "change the severity",
            Self::Escalate => "escalate",
        }
    }
}

impl fmt::Display for Guarded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.verb())
    }
}

/// One `[[guards]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guard {
    /// Its name, for the start-up summary and errors.
    pub name: String,
    /// The commands it keeps to the role.
    pub commands: Vec<Guarded>,
    /// The role whose holder alone may send them.
    pub only: Role,
}

impl fmt::Display for Guard {
    /// `manager-decides: only the Incident Manager may resolve, change the severity`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verbs: Vec<&str> = self.commands.iter().map(|c| c.verb()).collect();
        write!(f, "{}: only the {} may {}", self.name, self.only.title(), verbs.join(", "))
    }
}

/// Reads `[[guards]]`, one at a time, naming the guard in any error.
///
/// # Errors
/// An unknown field, command or role; an empty name or command list.
pub fn deserialize_guards<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Guard>, D::Error> {
    let tables = Vec::<toml::Table>::deserialize(deserializer)?;
    let mut guards = Vec::with_capacity(tables.len());
    for (index, table) in tables.into_iter().enumerate() {
        let name = table.get("name").and_then(|n| n.as_str()).unwrap_or("(no name)").to_owned();
        let named = |e: &str| serde::de::Error::custom(format!("guards[{index}] \"{name}\": {e}"));
        let guard = Guard::deserialize(toml::Value::Table(table)).map_err(|e| named(e.message()))?;
        if guard.name.trim().is_empty() {
            return Err(named("`name` must not be empty"));
        }
        if guard.commands.is_empty() {
            return Err(named("`commands` must not be empty"));
        }
        guards.push(guard);
    }
    Ok(guards)
}

/// `[[guards]]` as a `Policy`: the first guard that covers a command and
/// whose role the sender does not hold refuses it.
#[derive(Debug, Clone, Default)]
pub struct GuardPolicy {
    guards: Vec<Guard>,
}

impl GuardPolicy {
    /// The policy of these guards, in the order written.
    pub fn new(guards: Vec<Guard>) -> Self {
        Self { guards }
    }
}

impl Policy for GuardPolicy {
    fn guard(&self, incident: &Incident, actor: &Actor, command: &Command) -> Result<(), Refusal> {
        for guard in &self.guards {
            let Some(guarded) = guard.commands.iter().find(|c| c.covers(command)) else { continue };
            let holder = incident.roles().get(guard.only);
            if actor.user().is_none() || actor.user() != holder {
                let who = holder.map_or_else(|| "nobody holds the role yet".to_owned(), |u| format!("now {u}"));
                return Err(Refusal::new(format!("only the {} may {guarded} ({who})", guard.only.title())));
            }
        }
        Ok(())
    }
}
