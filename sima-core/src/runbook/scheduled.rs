//! The scheduled effects: update and post-mortem reminders, the closing
//! summary and the room archive. Each first checks it is still due (no
//! update since, not reopened, not done already) and otherwise does nothing,
//! so an obsolete one completes without a word.

use chrono::{DateTime, Utc};

use super::failure::{ignore_unsupported, Failure};
use super::RunbookConfig;
use crate::domain::{Effect, Incident, Outcome, RoomState, Status};
use crate::messages;
use crate::ports::{ChatPort, PortError};

/// Whether the incident is still in the resolution that happened at `resolved_at`.
fn still_resolved(incident: &Incident, resolved_at: DateTime<Utc>) -> bool {
    matches!(incident.status(), Status::Resolved | Status::Closed)
        && incident.milestones().resolved_at == Some(resolved_at)
}

/// Runs one scheduled effect.
pub(super) async fn perform(
    chat: &dyn ChatPort,
    config: &RunbookConfig,
    incident: &Incident,
    effect: &Effect,
    now: DateTime<Utc>,
) -> Result<Vec<Outcome>, Failure> {
    let Some(room) = incident.room().filter(|_| incident.room_is_open()) else {
        return Ok(vec![]);
    };
    let outcomes = match effect {
        Effect::RemindUpdate { basis } => {
            // Reminders turned off since this one was queued (a restart with `off`) stay off.
            let Some(after) = config.schedule.update_after(incident.severity()) else { return Ok(vec![]) };
            if incident.reminder_basis() != *basis || !incident.status().is_active() {
                return Ok(vec![]);
            }
            let public_after = config.public_update_reminder_after;
            let reminder = messages::update_reminder_with_status_page(incident, after, public_after, now);
            chat.post(&room.id, &reminder).await?;
            vec![Outcome::UpdateReminderPosted { basis: *basis }]
        }
        Effect::RemindPostmortem { resolved_at } => {
            let Some(after) = config.schedule.postmortem_reminder_after else { return Ok(vec![]) };
            // The day the reminder falls due: items due before it are overdue.
            let today = (*resolved_at + after).date_naive();
            let missing = incident.root_cause().is_none() || incident.action_items().is_empty();
            let late = !messages::overdue(incident, today).is_empty();
            if !still_resolved(incident, *resolved_at) || incident.postmortem_reminded() || !(missing || late) {
                return Ok(vec![]);
            }
            chat.post(&room.id, &messages::postmortem_reminder_on(incident, today)).await?;
            vec![Outcome::PostmortemReminderPosted]
        }
        Effect::PostClosingSummary { resolved_at } => {
            let off = config.schedule.archive_after.is_none();
            if off || !still_resolved(incident, *resolved_at) || incident.room_state() != RoomState::Open {
                return Ok(vec![]);
            }
            // Refreshing is idempotent; the summary is the one post of this step.
            if let Some(card) = incident.card() {
                ignore_unsupported(chat.update(card, &config.card(incident)).await)?;
            }
            chat.post(&room.id, &messages::closing_summary(incident)).await?;
            vec![Outcome::ClosingSummaryPosted]
        }
        Effect::ArchiveRoom => {
            if incident.status().is_active() || incident.room_state() != RoomState::Closing {
                return Ok(vec![]);
            }
            match chat.archive(&room.id).await {
                Ok(()) => vec![Outcome::RoomArchived],
                Err(PortError::Unsupported(what)) => {
                    tracing::info!(%what, incident = %incident.number(), "the chat platform cannot archive rooms; skipped");
                    vec![]
                }
                Err(e) => return Err(e.into()),
            }
        }
        _ => vec![],
    };
    Ok(outcomes)
}
