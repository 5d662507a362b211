//! The `Policy` port: a company's incident rules, as pure decisions.
//!
//! A policy adds steps to what the runbooks do for an event (page another
//! service, invite people, post elsewhere, start a timer) and guards the
//! commands people send (only the Incident Manager may resolve). It does no
//! I/O: its steps become ordinary outbox effects, planned in the transaction
//! of the event that implies them, so each runs exactly once.

use std::time::Duration;

use thiserror::Error;

use crate::domain::{Actor, Command, Domain, Incident, IncidentEvent, RoomId, Severity, TimerCondition, UserRef};

/// Why a policy refuses a command; shown to the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{reason}")]
pub struct Refusal {
    /// What the person reads (`only the Incident Manager may resolve`).
    pub reason: String,
}

impl Refusal {
    /// A refusal with this reason.
    pub fn new(reason: impl Into<String>) -> Self {
        Self { reason: reason.into() }
    }
}

/// One extra thing a policy asks for on an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Page the on-call of a service (routing domain), as an escalation.
    Page {
        /// Whose on-call.
        service: Domain,
    },
    /// Page the incident's own domain again (an escalation).
    Escalate,
    /// Invite people into the incident room.
    Invite {
        /// Who.
        users: Vec<UserRef>,
    },
    /// Post a message in a room other than the incident's.
    Post {
        /// Where.
        room: RoomId,
        /// What (plain text).
        text: String,
    },
    /// Set the severity (a no-op if it already is, or once the incident ended).
    SetSeverity {
        /// The new severity.
        severity: Severity,
    },
    /// Start a timer: after `after`, if `condition` still holds and no timer
    /// of this `name` fired for the incident yet, a `timer_fired` event is
    /// recorded, and the policies' steps for that event follow.
    Timer {
        /// Its name, unique per incident (`sev1-ack`).
        name: String,
        /// How long after the event it falls due.
        after: Duration,
        /// What it re-checks when it falls due.
        condition: TimerCondition,
    },
}

/// A company's rules. Pure and synchronous: decisions, no I/O.
///
/// Several policies compose in the order they are registered: the first
/// refusal wins, and the steps are concatenated in order. The default (no
/// policy) is the runbooks alone: no guard and no extra step.
///
/// # Errors
/// [`Policy::guard`] returns a [`Refusal`] to refuse a command; nothing is
/// recorded and the person is told the reason.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Policy: Send + Sync {
    /// Whether `actor` may run `command` on `incident` (as it is before the command).
    ///
    /// # Errors
    /// A [`Refusal`], with the reason the person reads.
    fn guard(&self, incident: &Incident, actor: &Actor, command: &Command) -> Result<(), Refusal> {
        let _ = (incident, actor, command);
        Ok(())
    }

    /// The extra steps `event` implies; `after` is the incident once the
    /// change that recorded it is applied.
    fn steps(&self, after: &Incident, event: &IncidentEvent) -> Vec<Step> {
        let _ = (after, event);
        Vec::new()
    }
}
