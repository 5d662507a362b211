//! Running one effect against the ports: each effect is dispatched to the
//! port that does it, with what [`messages`] and [`postmortem`] build. Every
//! effect first checks whether its outcome is already recorded, so running it
//! again repeats nothing, and makes at most one non-idempotent provider call
//! before its outcome is recorded.

use crate::domain::{
    Effect, EffectKind, EventKind, Incident, IncidentEvent, MessageRef, Outcome, Room, RoomState, MAX_POLICY_DEPTH,
};
use crate::messages;
use crate::model::RichText;
use crate::ports::{IncidentStore, PortError};
use crate::postmortem;

use super::failure::{ignore_unsupported, Failure};
use super::plan::postmortem_written_or_due;
use super::ports::Ports;
use super::postmortem_update;
use super::scheduled;
use super::status_push;
use super::tickets;
use super::RunbookConfig;

fn room(incident: &Incident) -> Result<&Room, Failure> {
    match incident.room() {
        Some(room) => Ok(room),
        None if incident.failed_effects().contains(&EffectKind::CreateRoom) => {
            Err(Failure::Blocked(EffectKind::CreateRoom))
        }
        None => Err(Failure::NotReady("the incident room is not created yet")),
    }
}

/// The recorded `message` (card or broadcast) that `effect` posts: waits
/// while the opening runbook may still record it; `None` if it never will.
fn recorded(
    incident: &Incident,
    message: Option<&MessageRef>,
    effect: EffectKind,
) -> Result<Option<MessageRef>, Failure> {
    room(incident)?;
    if incident.awaits(message, effect) {
        return Err(Failure::NotReady(match effect {
            EffectKind::PostCard => "the incident card is not recorded yet",
            _ => "the broadcast is not recorded yet",
        }));
    }
    Ok(message.cloned())
}

/// Runs `effect` for `incident` and returns what it achieved.
pub(crate) async fn perform(
    ports: &Ports,
    config: &RunbookConfig,
    incident: &Incident,
    effect: &Effect,
    store: &dyn IncidentStore,
) -> Result<Vec<Outcome>, Failure> {
    let chat = &ports.chat;
    if incident.room_state() == RoomState::Archived && effect.acts_in_room() {
        tracing::debug!(effect = effect.name(), "the room is archived; skipped");
        return Ok(vec![]);
    }
    let outcomes = match effect {
        Effect::ExportActionItem { .. } | Effect::SyncTicket { .. } => {
            tickets::perform(chat.as_ref(), ports.tracker.as_deref(), config, incident, effect).await?
        }
        Effect::PushStatusPage { seq } => {
            status_push::perform(ports.status_page.as_deref(), config, incident, *seq).await?
        }
        Effect::WithdrawStatusPage { id } => status_push::withdraw(ports.status_page.as_deref(), incident, id).await?,
        Effect::CreateRoom => {
            if incident.room().is_some() {
                return Ok(vec![]);
            }
            let spec = messages::room_spec(&config.room_prefix, incident);
            vec![Outcome::RoomCreated(chat.create_room(&spec).await?)]
        }
        Effect::InviteMembers { users } => {
            chat.invite(&room(incident)?.id, users).await?;
            vec![Outcome::MembersInvited(users.clone())]
        }
        Effect::InviteGroup { group } => {
            let room = room(incident)?.id.clone();
            let members = match chat.group_members(group).await {
                Err(PortError::Unsupported(what)) => {
                    tracing::warn!(%group, %what, "the chat platform has no user groups; the group is not invited");
                    return Err(Failure::Refused(format!(
                        "the user group {group} was not invited: this chat platform does not support {what}; \
                         invite its members by hand, or list them as users on the service"
                    )));
                }
                other => other?,
            };
            if members.is_empty() {
                return Ok(vec![]);
            }
            chat.invite(&room, &members).await?;
            vec![Outcome::MembersInvited(members)]
        }
        Effect::PostCard => {
            if incident.card().is_some() {
                return Ok(vec![]);
            }
            vec![Outcome::CardPosted(chat.post(&room(incident)?.id, &config.card(incident)).await?)]
        }
        Effect::PinCard => {
            if let Some(card) = incident.card() {
                ignore_unsupported(chat.pin(card).await)?;
            }
            vec![]
        }
        Effect::PostBroadcast => {
            // Planned before the incident was made private: it is not announced.
            if incident.broadcast().is_some() || incident.is_private() {
                return Ok(vec![]);
            }
            vec![Outcome::BroadcastPosted(
                chat.post(&config.broadcast_room, &messages::labelled_broadcast(incident, &config.severities)).await?,
            )]
        }
        Effect::Page { domain, escalation } => {
            let page = messages::page(&config.public_url, incident, domain, *escalation);
            vec![Outcome::Paged(ports.pager.trigger(&page).await?)]
        }
        Effect::AnnounceUpdate { seq } => {
            let room = room(incident)?.id.clone();
            if let Some((message, _)) = messages::announcement(incident, &event(store, incident, *seq).await?) {
                chat.post(&room, &message).await?;
            }
            vec![]
        }
        Effect::ReplyToBroadcast { .. } if incident.is_private() => vec![],
        Effect::ReplyToBroadcast { seq } => {
            if let Some(broadcast) = recorded(incident, incident.broadcast(), EffectKind::PostBroadcast)? {
                if let Some((message, true)) = messages::announcement(incident, &event(store, incident, *seq).await?) {
                    chat.reply(&broadcast, &message).await?;
                }
            }
            vec![]
        }
        Effect::Welcome { user } => {
            let room = room(incident)?;
            ignore_unsupported(chat.post_ephemeral(&room.id, user, &messages::welcome(incident)).await)?;
            vec![]
        }
        Effect::RefreshCard => {
            if let Some(card) = recorded(incident, incident.card(), EffectKind::PostCard)? {
                ignore_unsupported(chat.update(&card, &config.card(incident)).await)?;
            }
            vec![]
        }
        Effect::RefreshBroadcast => {
            if let Some(broadcast) = recorded(incident, incident.broadcast(), EffectKind::PostBroadcast)? {
                // While private, the broadcast says only that the incident is private.
                let message = if incident.is_private() {
                    messages::withdrawn_broadcast(incident)
                } else {
                    messages::labelled_broadcast(incident, &config.severities)
                };
                ignore_unsupported(chat.update(&broadcast, &message).await)?;
            }
            vec![]
        }
        Effect::CreatePostmortem => {
            if incident.postmortem().is_some() {
                return Ok(vec![]);
            }
            let document = postmortem::document(incident, &store.events(incident.id()).await?);
            let document = postmortem::with_fields(document, incident, &config.schema);
            vec![Outcome::PostmortemCreated(ports.docs.create_postmortem(&document).await?)]
        }
        Effect::UpdatePostmortem => {
            let Some(doc) = incident.postmortem() else {
                // Resolved: the create is on its way. Failed for good: a
                // retried create writes the whole document as it is then.
                return match postmortem_written_or_due(incident) {
                    true => Err(Failure::NotReady("the post-mortem is not recorded yet")),
                    false => Ok(vec![]),
                };
            };
            postmortem_update::rewrite(ports.docs.as_ref(), config, store, incident, doc).await?;
            vec![]
        }
        Effect::ResolvePages => {
            let mut resolved = Vec::new();
            for page in incident.open_pages() {
                ports.pager.resolve(page).await?;
                resolved.push(Outcome::PageResolved(page.clone()));
            }
            resolved
        }
        Effect::NotifyFailure { seq } => {
            // Without a room there is nowhere to say it; the timeline and the metrics still show it.
            if let Some(room) = incident.room() {
                if let EventKind::EffectFailed { effect, error } = &event(store, incident, *seq).await?.kind {
                    chat.post(&room.id, &messages::effect_failed(incident, *effect, error)).await?;
                }
            }
            vec![]
        }
        Effect::PostTo { room, text } => {
            chat.post(room, &messages::answer(RichText::new().plain(text))).await?;
            vec![]
        }
        Effect::SetSeverity { severity, policy_depth } => {
            vec![Outcome::SeveritySet { severity: *severity, policy_depth: *policy_depth }]
        }
        Effect::RefusedStep { step, policy_depth } => {
            return Err(Failure::Refused(format!(
                "refused `{step}`: it would make change {policy_depth} in a chain of changes made by policies, \
                 and such chains stop at {MAX_POLICY_DEPTH}; look for workflows or policies that re-trigger each other"
            )))
        }
        Effect::Timer { name, condition } => {
            if incident.timer_fired(name) || !condition.holds(incident) {
                return Ok(vec![]);
            }
            vec![Outcome::TimerFired(name.clone())]
        }
        Effect::RemindUpdate { .. }
        | Effect::RemindPostmortem { .. }
        | Effect::PostClosingSummary { .. }
        | Effect::ArchiveRoom => scheduled::perform(chat.as_ref(), config, incident, effect, ports.clock.now()).await?,
    };
    Ok(outcomes)
}

/// The event `seq` of the incident's log.
async fn event(store: &dyn IncidentStore, incident: &Incident, seq: u64) -> Result<IncidentEvent, Failure> {
    let events = store.events(incident.id()).await?;
    let found = events.into_iter().find(|e| e.seq == seq);
    found.ok_or_else(|| Failure::Port(PortError::NotFound(format!("event {seq} of {}", incident.number()))))
}
