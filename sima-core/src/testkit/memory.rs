//! An in-memory [`IncidentStore`] and [`SessionStore`]: for tests, examples and embedding without a database.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{DedupKey, Incident, IncidentEvent, IncidentId, IncidentNumber, RoomId, Ticket};
use crate::ports::{is_after, linked_tickets_of};
use crate::ports::{
    AppendBatch, Claim, ClaimToken, ClaimedEffect, Created, EffectId, IdempotencyKeys, IncidentFilter, Incidents,
    MilestoneRow, NewEffect, NewIncident, Outbox, OutboxStats, PortError, SessionRecord, SessionStore,
};
use crate::runbook::Effect;

#[derive(Debug)]
struct Entry {
    effect: NewEffect,
    attempts: u32,
    lease_until: Option<DateTime<Utc>>,
    token: Option<ClaimToken>,
    first_claimed_at: Option<DateTime<Utc>>,
    done: Option<Result<(), String>>,
}

impl Entry {
    fn held_by(&self, claim: Claim) -> bool {
        self.done.is_none() && self.token == Some(claim.token)
    }

    /// Ends the lease and the claim.
    fn unlease(&mut self) {
        self.lease_until = None;
        self.token = None;
    }
}

#[derive(Debug, Default)]
struct State {
    incidents: BTreeMap<IncidentId, Incident>,
    events: HashMap<IncidentId, Vec<IncidentEvent>>,
    effects: BTreeMap<EffectId, Entry>,
    keys: HashMap<String, DateTime<Utc>>,
    sessions: HashMap<String, Session>,
    last_number: u64,
}

/// A dashboard session and when it was revoked, if it was.
#[derive(Debug)]
struct Session {
    record: SessionRecord,
    revoked_at: Option<DateTime<Utc>>,
}

impl Session {
    /// Neither revoked nor expired at `now`.
    fn live_at(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && now < self.record.expires_at
    }
}

impl State {
    fn enqueue(&mut self, effects: Vec<NewEffect>) {
        for effect in effects {
            let lease = effect.leased;
            let entry = Entry {
                attempts: u32::from(lease.is_some()),
                lease_until: lease.map(|l| l.until),
                token: lease.map(|l| l.token),
                first_claimed_at: lease.map(|l| l.at),
                done: None,
                effect,
            };
            self.effects.insert(entry.effect.id, entry);
        }
    }

    /// The entry `claim` holds: `NotFound` if unknown, `Conflict` if not held.
    fn held(&mut self, claim: Claim) -> Result<&mut Entry, PortError> {
        let id = claim.effect;
        let entry = self.effects.get_mut(&id).ok_or_else(|| PortError::NotFound(format!("effect {id}")))?;
        if !entry.held_by(claim) {
            return Err(PortError::Conflict(format!("effect {id} is not held by this claim")));
        }
        Ok(entry)
    }
}

/// A store that keeps everything in memory behind one mutex; it implements
/// the whole [`IncidentStore`](crate::ports::IncidentStore) contract, transactions
/// included, and the [`SessionStore`] one.
#[derive(Debug, Default)]
pub struct InMemoryStore {
    state: Mutex<State>,
}

impl InMemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only means a test panicked while holding it; the data is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl Incidents for InMemoryStore {
    async fn create(&self, new: NewIncident) -> Result<Created, PortError> {
        let mut state = self.state();
        if let Some(key) = &new.incident.dedup_key() {
            let existing = state.incidents.values().find(|i| i.dedup_key() == Some(key) && !i.status().is_terminal());
            if let Some(existing) = existing {
                return Ok(Created::Existing(existing.clone()));
            }
        }
        let mut incident = new.incident;
        if state.incidents.contains_key(&incident.id()) {
            return Err(PortError::Conflict(format!("incident {} exists", incident.id())));
        }
        state.last_number += 1;
        incident =
            incident.numbered(IncidentNumber::new(state.last_number).map_err(|e| PortError::Invalid(e.to_string()))?);
        state.events.insert(incident.id(), new.events);
        state.enqueue(new.effects);
        state.incidents.insert(incident.id(), incident.clone());
        Ok(Created::New(incident))
    }

    async fn append(&self, batch: AppendBatch) -> Result<Incident, PortError> {
        let mut state = self.state();
        let id = batch.incident.id();
        let stored = state.incidents.get(&id).ok_or_else(|| PortError::NotFound(format!("incident {id}")))?;
        if stored.version() != batch.expected_version {
            return Err(PortError::Conflict(format!(
                "incident {id} is at version {}, not {}",
                stored.version(),
                batch.expected_version
            )));
        }
        batch.check_contiguous()?;
        if let Some(claim) = batch.completes {
            match state.held(claim) {
                Ok(entry) => entry.done = Some(Ok(())),
                Err(PortError::Conflict(why)) => tracing::warn!(%why, "outcome recorded; completion refused"),
                Err(e) => return Err(e),
            }
        }
        let mut incident = batch.incident;
        incident = incident.numbered(state.incidents[&id].number());
        state.events.entry(id).or_default().extend(batch.events);
        state.enqueue(batch.effects);
        state.incidents.insert(id, incident.clone());
        Ok(incident)
    }

    async fn get(&self, id: IncidentId) -> Result<Option<Incident>, PortError> {
        Ok(self.state().incidents.get(&id).cloned())
    }

    async fn get_by_number(&self, number: IncidentNumber) -> Result<Option<Incident>, PortError> {
        Ok(self.state().incidents.values().find(|i| i.number() == number).cloned())
    }

    async fn find_by_room(&self, room: &RoomId) -> Result<Option<Incident>, PortError> {
        let state = self.state();
        Ok(state.incidents.values().find(|i| i.room().is_some_and(|r| &r.id == room)).cloned())
    }

    async fn find_open_by_dedup_key(&self, key: &DedupKey) -> Result<Option<Incident>, PortError> {
        let state = self.state();
        let found = state.incidents.values().find(|i| i.dedup_key() == Some(key) && !i.status().is_terminal());
        Ok(found.cloned())
    }

    async fn find_by_ticket(&self, ticket_id: &str) -> Result<Option<(Incident, u32)>, PortError> {
        let state = self.state();
        Ok(state.incidents.values().find_map(|incident| {
            let items = incident.action_items().iter().zip(1u32..);
            let mut linked = items.filter(|(item, _)| item.ticket.as_ref().is_some_and(|t| t.id == ticket_id));
            linked.next().map(|(_, number)| (incident.clone(), number))
        }))
    }

    async fn linked_tickets(
        &self,
        done_since: DateTime<Utc>,
        after: Option<(IncidentId, u32)>,
        limit: usize,
    ) -> Result<Vec<(IncidentId, u32, Ticket)>, PortError> {
        let state = self.state();
        // The map is ordered by incident id, and each incident's items by number.
        let linked = state.incidents.values().flat_map(|incident| linked_tickets_of(incident, done_since));
        Ok(linked.filter(|(id, number, _)| is_after(*id, *number, after)).take(limit).collect())
    }

    async fn list(&self, filter: &IncidentFilter) -> Result<Vec<Incident>, PortError> {
        let state = self.state();
        let mut found: Vec<Incident> = state.incidents.values().filter(|i| filter.matches(i)).cloned().collect();
        found.sort_by_key(|i| std::cmp::Reverse(i.number()));
        found.truncate(filter.limit.unwrap_or(usize::MAX));
        Ok(found)
    }

    async fn events(&self, id: IncidentId) -> Result<Vec<IncidentEvent>, PortError> {
        self.state().events.get(&id).cloned().ok_or_else(|| PortError::NotFound(format!("incident {id}")))
    }

    async fn milestones(&self, filter: &IncidentFilter) -> Result<Vec<MilestoneRow>, PortError> {
        let state = self.state();
        Ok(state.incidents.values().filter(|i| filter.matches(i)).map(MilestoneRow::from).collect())
    }

    async fn ping(&self) -> Result<(), PortError> {
        Ok(())
    }
}

#[async_trait]
impl Outbox for InMemoryStore {
    async fn claim_due(
        &self,
        limit: usize,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Vec<ClaimedEffect>, PortError> {
        let lease = chrono::Duration::from_std(lease).map_err(|e| PortError::Invalid(e.to_string()))?;
        let token = ClaimToken::new();
        let mut guard = self.state();
        let state = &mut *guard;
        let mut due: Vec<&mut Entry> = state
            .effects
            .values_mut()
            .filter(|e| e.done.is_none() && e.effect.due_at <= now && e.lease_until.is_none_or(|l| l <= now))
            .collect();
        // As the SQL stores: the most severe incident first, then rooms, then the oldest due.
        let incidents = &state.incidents;
        due.sort_by_key(|e| {
            let severity = incidents.get(&e.effect.incident_id).map(|i| std::cmp::Reverse(i.severity()));
            (severity.is_none(), severity, e.effect.effect != Effect::CreateRoom, e.effect.due_at, e.effect.id)
        });
        Ok(due
            .into_iter()
            .take(limit)
            .map(|e| {
                e.attempts += 1;
                e.lease_until = Some(now + lease);
                e.token = Some(token);
                let first_claimed_at = *e.first_claimed_at.get_or_insert(now);
                ClaimedEffect {
                    id: e.effect.id,
                    token,
                    incident_id: e.effect.incident_id,
                    effect: e.effect.effect.clone(),
                    attempts: e.attempts,
                    first_claimed_at,
                }
            })
            .collect())
    }

    async fn renew(&self, claims: &[Claim], until: DateTime<Utc>) -> Result<Vec<EffectId>, PortError> {
        let mut state = self.state();
        Ok(claims
            .iter()
            .filter_map(|claim| {
                let entry = state.held(*claim).ok()?;
                entry.lease_until = Some(until);
                Some(claim.effect)
            })
            .collect())
    }

    async fn complete(&self, claim: Claim, _now: DateTime<Utc>) -> Result<(), PortError> {
        let mut state = self.state();
        let entry = state.held(claim)?;
        entry.done = Some(Ok(()));
        entry.unlease();
        Ok(())
    }

    async fn retry_at(&self, claim: Claim, at: DateTime<Utc>, _error: &str) -> Result<(), PortError> {
        let mut state = self.state();
        let entry = state.held(claim)?;
        entry.effect.due_at = at;
        entry.unlease();
        Ok(())
    }

    async fn give_up(&self, claim: Claim, _now: DateTime<Utc>, error: &str) -> Result<(), PortError> {
        let mut state = self.state();
        let entry = state.held(claim)?;
        entry.done = Some(Err(error.to_owned()));
        entry.unlease();
        Ok(())
    }

    async fn release(&self, claim: Claim) -> Result<(), PortError> {
        let mut state = self.state();
        let entry = state.held(claim)?;
        entry.unlease();
        entry.attempts = entry.attempts.saturating_sub(1);
        Ok(())
    }

    async fn retry_failed(&self, incident: IncidentId, now: DateTime<Utc>) -> Result<u64, PortError> {
        let mut state = self.state();
        let mut count = 0;
        for entry in state.effects.values_mut() {
            if entry.effect.incident_id == incident && matches!(entry.done, Some(Err(_))) {
                entry.done = None;
                entry.attempts = 0;
                entry.first_claimed_at = None;
                entry.effect.due_at = now;
                entry.unlease();
                count += 1;
            }
        }
        Ok(count)
    }

    async fn outbox_stats(&self, now: DateTime<Utc>) -> Result<OutboxStats, PortError> {
        let state = self.state();
        let mut stats = OutboxStats::default();
        for entry in state.effects.values() {
            match entry.done {
                None if entry.effect.due_at > now && entry.attempts == 0 => stats.scheduled += 1,
                None => {
                    stats.pending += 1;
                    let due = entry.effect.due_at;
                    stats.oldest_pending_due = Some(stats.oldest_pending_due.map_or(due, |oldest| oldest.min(due)));
                }
                Some(Ok(())) => stats.completed += 1,
                Some(Err(_)) => stats.failed += 1,
            }
        }
        Ok(stats)
    }
}

#[async_trait]
impl IdempotencyKeys for InMemoryStore {
    async fn remember(&self, key: &str, now: DateTime<Utc>) -> Result<bool, PortError> {
        let mut state = self.state();
        if state.keys.contains_key(key) {
            return Ok(false);
        }
        state.keys.insert(key.to_owned(), now);
        Ok(true)
    }

    async fn forget_key(&self, key: &str) -> Result<(), PortError> {
        self.state().keys.remove(key);
        Ok(())
    }

    async fn forget_keys_before(&self, cutoff: DateTime<Utc>) -> Result<u64, PortError> {
        let mut state = self.state();
        let before = state.keys.len();
        state.keys.retain(|_, seen| *seen >= cutoff);
        Ok((before - state.keys.len()) as u64)
    }
}

#[async_trait]
impl SessionStore for InMemoryStore {
    async fn open_session(&self, session: &SessionRecord) -> Result<(), PortError> {
        let mut state = self.state();
        if state.sessions.contains_key(&session.id) {
            return Err(PortError::Conflict("a session with this id exists".into()));
        }
        state.sessions.insert(session.id.clone(), Session { record: session.clone(), revoked_at: None });
        Ok(())
    }

    async fn live_session(&self, id: &str, now: DateTime<Utc>) -> Result<Option<SessionRecord>, PortError> {
        let state = self.state();
        Ok(state.sessions.get(id).filter(|s| s.live_at(now)).map(|s| s.record.clone()))
    }

    async fn revoke_session(&self, id: &str, now: DateTime<Utc>) -> Result<bool, PortError> {
        let mut state = self.state();
        match state.sessions.get_mut(id) {
            Some(session) if session.live_at(now) => {
                session.revoked_at = Some(now);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn revoke_user_sessions(&self, user: &str, now: DateTime<Utc>) -> Result<u64, PortError> {
        let mut state = self.state();
        let mut count = 0;
        for session in state.sessions.values_mut().filter(|s| s.record.user == user && s.live_at(now)) {
            session.revoked_at = Some(now);
            count += 1;
        }
        Ok(count)
    }

    async fn live_sessions(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<SessionRecord>, PortError> {
        let state = self.state();
        let mut live: Vec<&SessionRecord> =
            state.sessions.values().filter(|s| s.live_at(now)).map(|s| &s.record).collect();
        live.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
        Ok(live.into_iter().take(limit as usize).cloned().collect())
    }

    async fn forget_sessions_before(&self, cutoff: DateTime<Utc>) -> Result<u64, PortError> {
        let mut state = self.state();
        let before = state.sessions.len();
        state.sessions.retain(|_, s| s.record.expires_at >= cutoff);
        Ok((before - state.sessions.len()) as u64)
    }
}
