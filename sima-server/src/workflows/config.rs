//! The TOML shape of `[[workflows]]`, read one workflow at a time so that an
//! error names the workflow (`workflows[2] "sev1-escalation": …`).

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer};
use sima_core::domain::{Domain, Role, RoomId, Severity, Status, UserRef};

use crate::delays::Delay;

/// What starts a workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The incident was declared.
    Declared,
    /// The status moved to `to`.
    StatusChanged,
    /// The severity was edited.
    SeverityChanged,
    /// A role changed hands (`role`, or any role).
    RoleAssigned,
    /// Nobody acknowledged the incident `after` its declaration.
    UnacknowledgedFor,
    /// The incident is still active `after` its declaration.
    OpenFor,
}

impl Trigger {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Declared => "declared",
            Self::StatusChanged => "status_changed",
            Self::SeverityChanged => "severity_changed",
            Self::RoleAssigned => "role_assigned",
            Self::UnacknowledgedFor => "unacknowledged_for",
            Self::OpenFor => "open_for",
        }
    }

    /// Whether it is a timer (it needs `after`).
    pub fn is_timer(self) -> bool {
        matches!(self, Self::UnacknowledgedFor | Self::OpenFor)
    }
}

/// `when`: every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    /// The severity is one of these.
    pub severity: Option<Vec<Severity>>,
    /// The severity is at least this (`sev2`: sev1 and sev2).
    pub min_severity: Option<Severity>,
    /// The domain is one of these.
    pub domain: Option<Vec<String>>,
    /// The status is one of these.
    pub status: Option<Vec<Status>>,
}

/// One step, as written: `"escalate"`, `{ page = "payments-secondary" }`, `{ set_severity = "sev1" }`,
/// `{ invite = ["U1"] }`, `{ post = { room = "C0SEC", text = "…" } }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum StepSettings {
    /// Page the on-call of this service (a routing domain).
    Page(String),
    /// Page the incident's own domain again.
    Escalate,
    /// Invite these people into the incident room.
    Invite(Vec<String>),
    /// Set the severity (`{ set_severity = "sev1" }`).
    SetSeverity(Severity),
    /// Post a message in another room.
    Post {
        /// The room (channel id).
        room: String,
        /// The text.
        text: String,
    },
}

/// One `[[workflows]]` entry as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    name: String,
    on: Trigger,
    to: Option<Status>,
    role: Option<Role>,
    after: Option<Delay>,
    #[serde(default)]
    when: Conditions,
    steps: Vec<StepSettings>,
}

/// A checked workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workflow {
    /// Its name, unique (timers are recorded by it).
    pub name: String,
    /// What starts it.
    pub trigger: Trigger,
    /// The status `status_changed` waits for.
    pub to: Option<Status>,
    /// The role `role_assigned` waits for (any when `None`).
    pub role: Option<Role>,
    /// How long a timer trigger waits.
    pub after: Option<Duration>,
    /// What must hold.
    pub when: Conditions,
    /// The domains of `when.domain`, parsed.
    pub domains: Vec<Domain>,
    /// What it does, in order.
    pub steps: Vec<sima_core::ports::Step>,
    /// The steps as written, for the start-up summary.
    pub written: Vec<StepSettings>,
}

impl Workflow {
    /// Checks one workflow as written.
    fn check(raw: Raw) -> Result<Self, String> {
        let Raw { name, on, to, role, after, when, steps } = raw;
        if name.trim().is_empty() {
            return Err("`name` must not be empty".into());
        }
        if on == Trigger::StatusChanged && to.is_none() {
            return Err("`to` is required with on = \"status_changed\"".into());
        }
        if on != Trigger::StatusChanged && to.is_some() {
            return Err(format!("`to` only goes with on = \"status_changed\", not \"{}\"", on.as_str()));
        }
        if on != Trigger::RoleAssigned && role.is_some() {
            return Err(format!("`role` only goes with on = \"role_assigned\", not \"{}\"", on.as_str()));
        }
        let after = match (on.is_timer(), after) {
            (true, Some(Delay(Some(after)))) => Some(after),
            (true, _) => {
                return Err(format!("`after` (a duration such as \"15m\") is required with on = \"{}\"", on.as_str()))
            }
            (false, Some(_)) => return Err(format!("`after` only goes with a timer trigger, not \"{}\"", on.as_str())),
            (false, None) => None,
        };
        if on == Trigger::UnacknowledgedFor && when.status.as_ref().is_some_and(|s| !s.contains(&Status::Open)) {
            return Err("`when.status` must include \"open\": an acknowledged incident is never unacknowledged".into());
        }
        if steps.is_empty() {
            return Err("`steps` must not be empty".into());
        }
        let domains = when.domain.iter().flatten().map(|d| Domain::parse(d).map_err(|e| format!("`when.domain`: {e}")));
        let domains = domains.collect::<Result<Vec<_>, _>>()?;
        let compiled = steps.iter().map(compile).collect::<Result<Vec<_>, _>>()?;
        Ok(Self { name, trigger: on, to, role, after, when, domains, steps: compiled, written: steps })
    }
}

/// The core step a written step stands for.
fn compile(step: &StepSettings) -> Result<sima_core::ports::Step, String> {
    use sima_core::ports::Step;
    Ok(match step {
        StepSettings::Page(service) => {
            Step::Page { service: Domain::parse(service).map_err(|e| format!("`steps` page: {e}"))? }
        }
        StepSettings::Escalate => Step::Escalate,
        StepSettings::SetSeverity(severity) => Step::SetSeverity { severity: *severity },
        StepSettings::Invite(users) => Step::Invite {
            users: users
                .iter()
                .map(|u| UserRef::parse(u).map_err(|e| format!("`steps` invite: {e}")))
                .collect::<Result<_, _>>()?,
        },
        StepSettings::Post { room, text } => {
            if room.trim().is_empty() || text.trim().is_empty() {
                return Err("`steps` post: `room` and `text` must not be empty".into());
            }
            Step::Post { room: RoomId::new(room.clone()), text: text.clone() }
        }
    })
}

/// Reads `[[workflows]]`, one at a time, and refuses the first mistake,
/// naming the workflow (`workflows[2] "sev1-escalation": …`).
///
/// # Errors
/// An unknown field, an impossible trigger, an unknown step or a duplicate name.
pub(super) fn read_workflows<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Workflow>, D::Error> {
    let tables = Vec::<toml::Table>::deserialize(deserializer)?;
    let mut workflows: Vec<Workflow> = Vec::with_capacity(tables.len());
    for (index, table) in tables.into_iter().enumerate() {
        let name = table.get("name").and_then(|n| n.as_str()).unwrap_or("(no name)").to_owned();
        let named = |e: String| serde::de::Error::custom(format!("workflows[{index}] \"{name}\": {e}"));
        let raw = Raw::deserialize(toml::Value::Table(table)).map_err(|e| named(e.message().to_owned()))?;
        let workflow = Workflow::check(raw).map_err(named)?;
        if workflows.iter().any(|w| w.name == workflow.name) {
            return Err(named("another workflow has this `name`".into()));
        }
        workflows.push(workflow);
    }
    Ok(workflows)
}

impl fmt::Display for StepSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Page(service) => write!(f, "page {service}"),
            Self::Escalate => f.write_str("escalate"),
            Self::SetSeverity(severity) => write!(f, "set severity {severity}"),
            Self::Invite(users) => write!(f, "invite {}", users.join(", ")),
            Self::Post { room, .. } => write!(f, "post in {room}"),
        }
    }
}

impl fmt::Display for Workflow {
    /// `sev1-escalation: on unacknowledged_for 15m when severity sev1 → escalate`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: on {}", self.name, self.trigger.as_str())?;
        if let Some(to) = self.to {
            write!(f, " {to}")?;
        }
        if let Some(role) = self.role {
            write!(f, " {role}")?;
        }
        if let Some(after) = self.after {
            write!(f, " {}", Delay(Some(after)))?;
        }
        let mut when = Vec::new();
        if let Some(severities) = &self.when.severity {
            when.push(format!("severity {}", list(severities)));
        }
        if let Some(min) = self.when.min_severity {
            when.push(format!("severity at least {min}"));
        }
        if !self.domains.is_empty() {
            when.push(format!("domain {}", list(&self.domains)));
        }
        if let Some(statuses) = &self.when.status {
            when.push(format!("status {}", list(statuses)));
        }
        if !when.is_empty() {
            write!(f, " when {}", when.join(", "))?;
        }
        write!(f, " → {}", list(&self.written))
    }
}

fn list<T: fmt::Display>(items: &[T]) -> String {
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}
