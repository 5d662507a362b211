//! An example of a company policy on top of SIMA, and (in `tests/`) how to
//! unit-test it with mockall mocks of the ports (no Slack, no PagerDuty), and
//! how to check that it tells the same story whichever chat platform runs it
//! (`same_story.rs`: Slack and Teams adapters against mocks of their services).
//!
//! # Layout
//! - [`runbook`]: Acme's settings: where incidents are announced, what pages.
//! - [`AcmePolicy`]: Acme's rules as code: who may resolve, who else is
//!   paged and invited, where security incidents are announced, and the
//!   15-minute escalation of an unacknowledged sev1.
//! - `workflows.toml`: rules of the same kind as configuration (`[[workflows]]`),
//!   loaded by the tests the way the server loads `sima.toml`.

use std::time::Duration;

use sima_core::domain::{Actor, Command, Domain, EventKind, Role, RoomId, Severity, Status, UserRef};
use sima_core::ports::{Policy, Refusal, Step, TimerCondition};
use sima_core::{Incident, IncidentEvent, PagingPolicy, RunbookConfig, Schedule};

/// The name of the escalation timer of an unacknowledged sev1.
pub const SEV1_ACK_TIMER: &str = "sev1-ack";

/// Where security incidents are announced.
pub const SECURITY_ROOM: &str = "C0SECINCIDENTS";

/// Acme's rules:
/// - only the Incident Manager may resolve or mark a false positive;
/// - a sev1 in `checkout` also pages `checkout-secondary` and invites the checkout leads;
/// - a security incident is announced in `#sec-incidents`;
/// - if nobody acknowledges a sev1 within 15 minutes, its on-call is paged again.
#[derive(Debug, Clone)]
pub struct AcmePolicy {
    /// The checkout leads, invited to every checkout sev1.
    pub checkout_leads: Vec<UserRef>,
}

fn domain(name: &str) -> Domain {
    Domain::parse(name).unwrap_or_else(|e| unreachable!("`{name}` is a valid domain: {e}"))
}

impl Policy for AcmePolicy {
    fn guard(&self, incident: &Incident, actor: &Actor, command: &Command) -> Result<(), Refusal> {
        let deciding = matches!(command, Command::ChangeStatus { to: Status::Resolved | Status::FalsePositive, .. });
        let manager = incident.roles().get(Role::IncidentManager);
        if deciding && (actor.user().is_none() || actor.user() != manager) {
            return Err(Refusal::new("only the Incident Manager may resolve or mark a false positive"));
        }
        Ok(())
    }

    fn steps(&self, after: &Incident, event: &IncidentEvent) -> Vec<Step> {
        match &event.kind {
            EventKind::Declared { severity, domain: declared, .. } => {
                let mut steps = Vec::new();
                if *severity == Severity::Sev1 && declared.as_str() == "checkout" {
                    steps.push(Step::Page { service: domain("checkout-secondary") });
                    steps.push(Step::Invite { users: self.checkout_leads.clone() });
                }
                if declared.as_str() == "security" {
                    let text = format!("{} ({}) was declared", after.title(), after.severity());
                    steps.push(Step::Post { room: RoomId::new(SECURITY_ROOM), text });
                }
                if *severity == Severity::Sev1 {
                    steps.push(Step::Timer {
                        name: SEV1_ACK_TIMER.into(),
                        after: Duration::from_secs(15 * 60),
                        condition: TimerCondition::Unacknowledged,
                    });
                }
                steps
            }
            EventKind::TimerFired { name } if name == SEV1_ACK_TIMER => vec![Step::Escalate],
            _ => Vec::new(),
        }
    }
}

/// Acme pages its on-calls for sev1 and sev2 only, announces every incident
/// in `#incidents` (channel `C0INCIDENTS`), and asks for an update on a sev1
/// after 15 minutes of silence (30 for the others).
pub fn runbook() -> RunbookConfig {
    let mut schedule = Schedule::default();
    schedule.update_after_by_severity.insert(Severity::Sev1, Some(std::time::Duration::from_secs(15 * 60)));
    RunbookConfig {
        broadcast_room: RoomId::new("C0INCIDENTS"),
        public_url: "https://sima.acme.example".into(),
        room_prefix: "inc".into(),
        paging: PagingPolicy { min_severity: Severity::Sev2 },
        schedule,
        ..RunbookConfig::default()
    }
}
