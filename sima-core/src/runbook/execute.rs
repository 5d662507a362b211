//! Running one effect against the ports. Every effect first checks whether
//! its outcome is already recorded, so running it again repeats nothing, and
//! makes at most one non-idempotent provider call before its outcome is
//! recorded.

use crate::domain::{EffectKind, EventKind, Incident, IncidentEvent, MessageRef, Outcome, Room, RoomState};
use crate::messages;
use crate::model::Message;
use crate::ports::{IncidentStore, Link, Page, PortError, RoomSpec};
use crate::postmortem;

use super::ports::Ports;
use super::scheduled;
use super::{Effect, RunbookConfig};

/// Why an effect did not complete.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A platform or store call failed.
    Port(PortError),
    /// A prerequisite (the room, the card) is not recorded yet; try again shortly.
    NotReady(&'static str),
    /// A prerequisite failed for good; the effect cannot run until it is retried.
    Blocked(EffectKind),
}

impl From<PortError> for Failure {
    fn from(e: PortError) -> Self {
        Self::Port(e)
    }
}

/// `incident_11_25_emails-are-late`: prefix, month, day, and a slug of the
/// summary, at most 80 characters of `[a-z0-9_-]`. A summary with no ASCII
/// letter or digit (`支付失败`, `🔥🔥🔥`) is named by its number instead
/// (`incident_11_25_inc-42`), which is unique.
pub(crate) fn room_name(prefix: &str, incident: &Incident) -> String {
    let date = incident.milestones().declared_at.format("%m_%d");
    let mut slug = String::new();
    for c in incident.summary().as_str().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { incident.number().to_string().to_lowercase() } else { slug.to_owned() };
    let mut name = format!("{prefix}_{date}_{slug}");
    name.truncate(80);
    name.trim_end_matches(['-', '_']).to_owned()
}

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
        Effect::CreateRoom => {
            if incident.room().is_some() {
                return Ok(vec![]);
            }
            let spec = RoomSpec {
                name_hint: room_name(&config.room_prefix, incident),
                topic: format!("{} · {} · {}", incident.title(), incident.severity(), incident.status()),
                key: incident.id().to_string(),
            };
            vec![Outcome::RoomCreated(chat.create_room(&spec).await?)]
        }
        Effect::InviteMembers { users } => {
            chat.invite(&room(incident)?.id, users).await?;
            vec![Outcome::MembersInvited(users.clone())]
        }
        Effect::PostCard => {
            if incident.card().is_some() {
                return Ok(vec![]);
            }
            vec![Outcome::CardPosted(chat.post(&room(incident)?.id, &messages::card(incident)).await?)]
        }
        Effect::PinCard => {
            if let Some(card) = incident.card() {
                ignore_unsupported(chat.pin(card).await)?;
            }
            vec![]
        }
        Effect::PostBroadcast => {
            if incident.broadcast().is_some() {
                return Ok(vec![]);
            }
            vec![Outcome::BroadcastPosted(chat.post(&config.broadcast_room, &messages::broadcast(incident)).await?)]
        }
        Effect::Page { domain, escalation } => {
            let page = page(config, incident, domain.as_str(), *escalation);
            vec![Outcome::Paged(ports.pager.trigger(&page).await?)]
        }
        Effect::AnnounceUpdate { seq } => {
            let room = room(incident)?.id.clone();
            if let Some((message, _)) = announcement(incident, &event(store, incident, *seq).await?) {
                chat.post(&room, &message).await?;
            }
            vec![]
        }
        Effect::ReplyToBroadcast { seq } => {
            if let Some(broadcast) = recorded(incident, incident.broadcast(), EffectKind::PostBroadcast)? {
                if let Some((message, true)) = announcement(incident, &event(store, incident, *seq).await?) {
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
                ignore_unsupported(chat.update(&card, &messages::card(incident)).await)?;
            }
            vec![]
        }
        Effect::RefreshBroadcast => {
            if let Some(broadcast) = recorded(incident, incident.broadcast(), EffectKind::PostBroadcast)? {
                ignore_unsupported(chat.update(&broadcast, &messages::broadcast(incident)).await)?;
            }
            vec![]
        }
        Effect::CreatePostmortem => {
            if incident.postmortem().is_some() {
                return Ok(vec![]);
            }
            let document = postmortem::document(incident, &store.events(incident.id()).await?);
            vec![Outcome::PostmortemCreated(ports.docs.create_postmortem(&document).await?)]
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
            chat.post(room, &messages::answer(crate::model::RichText::new().plain(text))).await?;
            vec![]
        }
        Effect::SetSeverity { severity } => vec![Outcome::SeveritySet(*severity)],
        Effect::Timer { name, condition } => {
            if incident.timer_fired(name) || !condition.holds(incident) {
                return Ok(vec![]);
            }
            vec![Outcome::TimerFired(name.clone())]
        }
        Effect::RemindUpdate { .. }
        | Effect::RemindPostmortem { .. }
        | Effect::PostClosingSummary { .. }
        | Effect::ArchiveRoom => scheduled::perform(chat.as_ref(), config, incident, effect).await?,
    };
    Ok(outcomes)
}

/// The event `seq` of the incident's log.
async fn event(store: &dyn IncidentStore, incident: &Incident, seq: u64) -> Result<IncidentEvent, Failure> {
    let events = store.events(incident.id()).await?;
    let found = events.into_iter().find(|e| e.seq == seq);
    found.ok_or_else(|| Failure::Port(PortError::NotFound(format!("event {seq} of {}", incident.number()))))
}

/// The message announcing `event` and whether it goes to the broadcast thread too.
fn announcement(incident: &Incident, event: &IncidentEvent) -> Option<(Message, bool)> {
    if let EventKind::PostmortemCreated { doc } = &event.kind {
        return Some((messages::postmortem_link(incident, doc), true));
    }
    messages::update(incident, event)
}

pub(super) fn ignore_unsupported(result: Result<(), PortError>) -> Result<(), PortError> {
    match result {
        Err(PortError::Unsupported(what)) => {
            tracing::debug!(%what, "platform lacks a capability; skipped");
            Ok(())
        }
        other => other,
    }
}

/// The page for a domain's on-call. The first page's dedup key is the
/// incident id; an escalation's adds the domain.
fn page(config: &RunbookConfig, incident: &Incident, domain: &str, escalation: bool) -> Page {
    let dedup_key = if escalation { format!("{}:{domain}", incident.id()) } else { incident.id().to_string() };
    let mut links = Vec::new();
    if let Some(room) = incident.room() {
        links.push(Link { label: "Incident channel".into(), url: room.url.clone() });
    }
    links.push(Link {
        label: format!("{} in SIMA", incident.number()),
        url: format!("{}/api/v1/incidents/{}", config.public_url.trim_end_matches('/'), incident.number()),
    });
    let mut details = std::collections::BTreeMap::new();
    details.insert("number".to_owned(), incident.number().to_string());
    details.insert("domain".to_owned(), incident.domain().to_string());
    details.insert("reporter".to_owned(), incident.reporter().to_string());
    details.insert("impact".to_owned(), incident.impact().map_or_else(|| "unknown".to_owned(), |i| i.to_string()));
    details.insert("description".to_owned(), incident.description().to_string());
    Page {
        dedup_key,
        service: domain.to_owned(),
        summary: format!("[{}] {}", incident.severity(), incident.title()),
        severity: incident.severity(),
        timestamp: incident.milestones().declared_at,
        links,
        details,
    }
}
