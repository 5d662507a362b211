//! Changes reported by the tracker (a webhook, or a ticket read back), and
//! the periodic read-back that catches the webhooks that never came.
//!
//! A ticket that moved to a done state marks its action item done; one
//! moved back opens it again; a renamed status is recorded. Only a move of
//! the ticket counts: a ticket still in the state SIMA last recorded for it
//! says nothing new about the item (SIMA may have just changed the item,
//! and the ticket is about to follow). The changes are recorded as the
//! tracker (`tracker:jira`), and a change made by the tracker is never
//! written back to it.

use chrono::TimeDelta;
use tracing::instrument;

use super::{IncidentService, ServiceError};
use crate::domain::{Actor, Command, DomainError, Incident, IncidentNumber, Outcome, TicketState, ValidationError};
use crate::ports::{PortError, TicketChange, TrackerPort};
use crate::runbook::TrackerExport;

/// How long after an item is done its ticket is still read back.
const RECONCILE_DONE_FOR: TimeDelta = TimeDelta::days(30);

/// What [`IncidentService::reconcile_tickets`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    /// Tickets read back from the tracker.
    pub checked: usize,
    /// Tickets whose change was recorded (their item or status moved).
    pub changed: usize,
    /// Tickets the tracker could not answer for (counted, not fatal).
    pub failed: usize,
}

impl IncidentService {
    /// The tracker action items are exported to, if one is configured.
    pub fn tracker(&self) -> Option<&dyn TrackerPort> {
        self.tracker.as_ref().map(|(tracker, _)| tracker.as_ref())
    }

    /// Which action items are exported, if a tracker is configured.
    pub fn tracker_export(&self) -> Option<TrackerExport> {
        self.tracker.as_ref().map(|(_, export)| *export)
    }

    /// Whether items are exported only when asked, so they need an Export button.
    pub(crate) fn exports_on_command(&self) -> bool {
        self.tracker_export() == Some(TrackerExport::OnCommand)
    }

    /// Records a change `tracker` (its name, `jira`) reported about one of
    /// its tickets: the item is marked done or open again when the ticket
    /// moved, and the ticket's new status is recorded. Reporting the same
    /// change again records nothing. Answers the incident, or `None` when no
    /// action item has this ticket.
    ///
    /// The item is found by `change.key` when its recorded ticket is that
    /// one, else by the ticket's id; an item with no ticket recorded yet is
    /// left alone (its export records the ticket). The change only says
    /// which ticket moved: a delivery may be replayed or overtaken by a later
    /// one, so the ticket is read back from the engine's tracker and what it
    /// answers is recorded. A ticket the tracker no longer has changes
    /// nothing.
    ///
    /// # Errors
    /// `Invalid` for an empty tracker name; `Store` carrying the tracker's
    /// error when it is busy or unreachable (the delivery should be retried),
    /// or if the store fails; `Busy` under extreme contention.
    #[instrument(skip_all, fields(tracker, ticket = %change.ticket.key), err)]
    pub async fn ticket_changed(
        &self,
        change: TicketChange,
        tracker: &str,
    ) -> Result<Option<IncidentNumber>, ServiceError> {
        let actor = tracker_actor(tracker)?;
        let Some((incident, number)) = self.find_ticket(&change).await? else {
            tracing::debug!("no action item has this ticket");
            return Ok(None);
        };
        let Some(recorded) = incident.action_item(number).and_then(|item| item.ticket.clone()) else {
            return Ok(None);
        };
        let Some((port, _)) = self.tracker.clone() else {
            tracing::debug!("no tracker to read the ticket back from");
            return Ok(None);
        };
        let ticket = match port.read(&recorded).await {
            Ok(ticket) if ticket.id == recorded.id => ticket,
            Ok(other) => {
                tracing::warn!(read = %other.key, "the tracker answered another ticket; nothing recorded");
                return Ok(None);
            }
            Err(error @ (PortError::Transient(_) | PortError::RateLimited { .. })) => {
                return Err(ServiceError::Store(error));
            }
            Err(error) => {
                tracing::warn!(%error, "the ticket could not be read back; nothing recorded");
                return Ok(None);
            }
        };
        self.apply_ticket(&incident, number, TicketChange { ticket, key: change.key }, actor).await?;
        Ok(Some(incident.number()))
    }

    /// Reads back up to `limit` linked tickets (of items still open, or done
    /// in the last 30 days) from the engine's tracker and records what moved,
    /// as [`ticket_changed`](Self::ticket_changed) does. Each pass starts
    /// where the previous one stopped (in order of incident id and item
    /// number), and one that reads fewer than `limit` wraps the next to the
    /// first, so that passes cover every linked ticket however many there
    /// are. A ticket the tracker fails to answer for (deleted, say) is
    /// counted in `failed` and the others go on; a tracker that is down or
    /// throttling ends the pass at its first failure, so that a pass stays
    /// short while it is (the next one starts at that ticket).
    /// Without a tracker, nothing is read.
    ///
    /// # Errors
    /// `Busy` under extreme contention; `Store` if the store fails.
    #[instrument(skip_all, err)]
    pub async fn reconcile_tickets(&self, limit: usize) -> Result<ReconcileReport, ServiceError> {
        let mut report = ReconcileReport::default();
        let Some((tracker, _)) = self.tracker.clone() else { return Ok(report) };
        let actor = tracker_actor(tracker.name())?;
        let cursor = &self.reconciled_up_to;
        let linked = self.store.linked_tickets(self.now() - RECONCILE_DONE_FOR, cursor.get(), limit).await?;
        let mut wrap = linked.len() < limit;
        for (id, number, recorded) in linked {
            report.checked += 1;
            let ticket = match tracker.read(&recorded).await {
                Ok(ticket) => ticket,
                // Down or throttling: every other read would wait out its own timeouts too.
                Err(error @ (PortError::Transient(_) | PortError::RateLimited { .. })) => {
                    tracing::warn!(%error, ticket = %recorded.key, "the tracker is unavailable; the rest wait for the next pass");
                    report.failed += 1;
                    wrap = false;
                    break;
                }
                Err(error) => {
                    tracing::warn!(%error, ticket = %recorded.key, "could not read a ticket back");
                    report.failed += 1;
                    cursor.set(Some((id, number)));
                    continue;
                }
            };
            if ticket != recorded {
                if let Some(incident) = self.store.get(id).await? {
                    let change = TicketChange { ticket, key: None };
                    if self.apply_ticket(&incident, number, change, actor.clone()).await? {
                        report.changed += 1;
                    }
                }
            }
            cursor.set(Some((id, number)));
        }
        if wrap {
            cursor.set(None);
        }
        if report.changed > 0 || report.failed > 0 {
            tracing::info!(
                checked = report.checked,
                changed = report.changed,
                failed = report.failed,
                "tickets read back"
            );
        }
        Ok(report)
    }

    /// Refuses an export asked for while no tracker is configured.
    pub(super) fn check_tracker(&self, commands: &[Command]) -> Result<(), ServiceError> {
        let exports = commands.iter().any(|c| matches!(c, Command::ExportActionItem(_)));
        match exports && self.tracker.is_none() {
            true => Err(DomainError::NoTracker.into()),
            false => Ok(()),
        }
    }

    /// The incident and item number whose ticket `change` is about.
    async fn find_ticket(&self, change: &TicketChange) -> Result<Option<(Incident, u32)>, ServiceError> {
        if let Some(key) = change.key {
            if let Some(incident) = self.store.get_by_number(key.incident()).await? {
                let mine = incident
                    .action_item(key.item())
                    .and_then(|item| item.ticket.as_ref())
                    .is_some_and(|ticket| ticket.id == change.ticket.id);
                if mine {
                    return Ok(Some((incident, key.item())));
                }
            }
        }
        Ok(self.store.find_by_ticket(&change.ticket.id).await?)
    }

    /// Records `change` on item `number` of `incident` as `actor`; answers
    /// whether anything was recorded.
    async fn apply_ticket(
        &self,
        incident: &Incident,
        number: u32,
        change: TicketChange,
        actor: Actor,
    ) -> Result<bool, ServiceError> {
        let Some(item) = incident.action_item(number) else { return Ok(false) };
        let moved = item.ticket.as_ref().is_none_or(|recorded| recorded.state != change.ticket.state);
        let mut commands = Vec::new();
        if moved {
            match change.ticket.state {
                TicketState::Done if item.is_open() => commands.push(Command::CompleteActionItem(number)),
                TicketState::Open if !item.is_open() => commands.push(Command::ReopenActionItem(number)),
                _ => {}
            }
        }
        commands.push(Command::Record(Outcome::TicketUpdated { number, ticket: change.ticket }));
        let after = self.execute_all(incident.id(), actor, &commands).await?;
        Ok(after.version() > incident.version())
    }
}

/// The actor of the changes a tracker reports.
fn tracker_actor(tracker: &str) -> Result<Actor, ServiceError> {
    match tracker.trim() {
        "" => Err(ValidationError::Empty("tracker name").into()),
        name => Ok(Actor::Tracker(name.to_ascii_lowercase())),
    }
}
