//! Running one effect against the ports. Every effect first checks whether
//! its outcome is already recorded, so running it again repeats nothing.

use crate::domain::{EventKind, Incident, MessageRef, Outcome, Room};
use crate::messages;
use crate::ports::{IncidentStore, Link, Page, PortError, RoomSpec};
use crate::postmortem;

use super::worker::Ports;
use super::{Effect, RunbookConfig};

/// Why an effect did not complete.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A platform call failed.
    Port(PortError),
    /// A prerequisite (the room) is not there yet; try again shortly.
    NotReady(&'static str),
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
pub fn room_name(prefix: &str, incident: &Incident) -> String {
    let date = incident.milestones.declared_at.format("%m_%d");
    let mut slug = String::new();
    for c in incident.summary.as_str().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { incident.number.to_string().to_lowercase() } else { slug.to_owned() };
    let mut name = format!("{prefix}_{date}_{slug}");
    name.truncate(80);
    name.trim_end_matches(['-', '_']).to_owned()
}

fn room(incident: &Incident) -> Result<&Room, Failure> {
    incident.room.as_ref().ok_or(Failure::NotReady("the incident room is not created yet"))
}

/// Waits for the opening runbook's card and broadcast, so an update never
/// skips (or renders over) a message that is about to be recorded.
fn opening_done(incident: &Incident, broadcast_only: bool) -> Result<(), Failure> {
    room(incident)?;
    if incident.awaits(&incident.broadcast, "post_broadcast") {
        return Err(Failure::NotReady("the broadcast is not recorded yet"));
    }
    if !broadcast_only && incident.awaits(&incident.card, "post_card") {
        return Err(Failure::NotReady("the incident card is not recorded yet"));
    }
    Ok(())
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
    let outcomes = match effect {
        Effect::CreateRoom => {
            if incident.room.is_some() {
                return Ok(vec![]);
            }
            let spec = RoomSpec {
                name_hint: room_name(&config.room_prefix, incident),
                topic: format!("{} · {} · {}", incident.title(), incident.severity, incident.status),
                key: incident.id.to_string(),
            };
            vec![Outcome::RoomCreated(chat.create_room(&spec).await?)]
        }
        Effect::InviteMembers { users } => {
            chat.invite(&room(incident)?.id, users).await?;
            vec![Outcome::MembersInvited(users.clone())]
        }
        Effect::PostCard => {
            if incident.card.is_some() {
                return Ok(vec![]);
            }
            let card = chat.post(&room(incident)?.id, &messages::card(incident)).await?;
            ignore_unsupported(chat.pin(&card).await)?;
            vec![Outcome::CardPosted(card)]
        }
        Effect::PostBroadcast => {
            if incident.broadcast.is_some() {
                return Ok(vec![]);
            }
            vec![Outcome::BroadcastPosted(chat.post(&config.broadcast_room, &messages::broadcast(incident)).await?)]
        }
        Effect::Page { domain, escalation } => {
            let page = page(config, incident, domain.as_str(), *escalation);
            vec![Outcome::Paged(ports.pager.trigger(&page).await?)]
        }
        Effect::AnnounceUpdate { seq } => {
            let room = room(incident)?;
            let events = store.events(incident.id).await?;
            let Some(event) = events.iter().find(|e| e.seq == *seq) else { return Ok(vec![]) };
            let Some((message, public)) = announcement(incident, event) else { return Ok(vec![]) };
            if public {
                opening_done(incident, true)?;
            }
            chat.post(&room.id, &message).await?;
            if let (true, Some(broadcast)) = (public, &incident.broadcast) {
                chat.reply(broadcast, &message).await?;
            }
            vec![]
        }
        Effect::Welcome { user } => {
            let room = room(incident)?;
            ignore_unsupported(chat.post_ephemeral(&room.id, user, &messages::welcome(incident)).await)?;
            vec![]
        }
        Effect::RefreshCard => {
            opening_done(incident, false)?;
            refresh(ports, incident.card.as_ref(), &messages::card(incident)).await?;
            refresh(ports, incident.broadcast.as_ref(), &messages::broadcast(incident)).await?;
            vec![]
        }
        Effect::CreatePostmortem => {
            if incident.postmortem.is_some() {
                return Ok(vec![]);
            }
            let document = postmortem::document(incident, &store.events(incident.id).await?);
            vec![Outcome::PostmortemCreated(ports.docs.create_postmortem(&document).await?)]
        }
        Effect::ResolvePages => {
            let mut resolved = Vec::new();
            for page in &incident.open_pages {
                ports.pager.resolve(page).await?;
                resolved.push(Outcome::PageResolved(page.clone()));
            }
            resolved
        }
    };
    Ok(outcomes)
}

fn announcement(incident: &Incident, event: &crate::domain::IncidentEvent) -> Option<(crate::model::Message, bool)> {
    if let EventKind::PostmortemCreated { doc } = &event.kind {
        return Some((messages::postmortem_link(incident, doc), true));
    }
    messages::update(incident, event)
}

async fn refresh(ports: &Ports, target: Option<&MessageRef>, message: &crate::model::Message) -> Result<(), PortError> {
    match target {
        Some(target) => ignore_unsupported(ports.chat.update(target, message).await),
        None => Ok(()),
    }
}

fn ignore_unsupported(result: Result<(), PortError>) -> Result<(), PortError> {
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
    let dedup_key = if escalation { format!("{}:{domain}", incident.id) } else { incident.id.to_string() };
    let mut links = Vec::new();
    if let Some(room) = &incident.room {
        links.push(Link { label: "Incident channel".into(), url: room.url.clone() });
    }
    links.push(Link {
        label: format!("{} in SIMA", incident.number),
        url: format!("{}/api/v1/incidents/{}", config.public_url.trim_end_matches('/'), incident.number),
    });
    let mut details = std::collections::BTreeMap::new();
    details.insert("number".to_owned(), incident.number.to_string());
    details.insert("domain".to_owned(), incident.domain.to_string());
    details.insert("reporter".to_owned(), incident.reporter.to_string());
    details.insert("impact".to_owned(), incident.impact.map_or_else(|| "unknown".to_owned(), |i| i.to_string()));
    details.insert("description".to_owned(), incident.description.to_string());
    Page {
        dedup_key,
        service: domain.to_owned(),
        summary: format!("[{}] {}", incident.severity, incident.title()),
        severity: incident.severity,
        timestamp: incident.milestones.declared_at,
        links,
        details,
    }
}
