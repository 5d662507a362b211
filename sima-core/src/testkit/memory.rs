//! An in-memory [`IncidentStore`]: for tests, examples and embedding without a database.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{DedupKey, Incident, IncidentEvent, IncidentId, IncidentNumber, RoomId};
use crate::ports::{
    AppendBatch, ClaimedEffect, Created, EffectId, IncidentFilter, IncidentStore, MilestoneRow, NewEffect, NewIncident,
    OutboxStats, PortError,
};
use crate::runbook::Effect;

#[derive(Debug)]
struct Entry {
    effect: NewEffect,
    attempts: u32,
    lease_until: Option<DateTime<Utc>>,
    done: Option<Result<(), String>>,
}

#[derive(Debug, Default)]
struct State {
    incidents: BTreeMap<IncidentId, Incident>,
    events: HashMap<IncidentId, Vec<IncidentEvent>>,
    effects: BTreeMap<EffectId, Entry>,
    keys: HashMap<String, DateTime<Utc>>,
    last_number: u64,
}

impl State {
    fn enqueue(&mut self, effects: Vec<NewEffect>) {
        for effect in effects {
            self.effects.insert(effect.id, Entry { effect, attempts: 0, lease_until: None, done: None });
        }
    }

    fn entry(&mut self, id: EffectId) -> Result<&mut Entry, PortError> {
        self.effects.get_mut(&id).ok_or_else(|| PortError::NotFound(format!("effect {id}")))
    }
}

/// A store that keeps everything in memory behind one mutex; it implements
/// the whole [`IncidentStore`] contract, transactions included.
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
impl IncidentStore for InMemoryStore {
    async fn create(&self, new: NewIncident) -> Result<Created, PortError> {
        let mut state = self.state();
        if let Some(key) = &new.incident.dedup_key {
            let existing =
                state.incidents.values().find(|i| i.dedup_key.as_ref() == Some(key) && !i.status.is_terminal());
            if let Some(existing) = existing {
                return Ok(Created::Existing(existing.clone()));
            }
        }
        let mut incident = new.incident;
        if state.incidents.contains_key(&incident.id) {
            return Err(PortError::Conflict(format!("incident {} exists", incident.id)));
        }
        state.last_number += 1;
        incident.number = IncidentNumber::new(state.last_number).map_err(|e| PortError::Invalid(e.to_string()))?;
        state.events.insert(incident.id, new.events);
        state.enqueue(new.effects);
        state.incidents.insert(incident.id, incident.clone());
        Ok(Created::New(incident))
    }

    async fn append(&self, batch: AppendBatch) -> Result<Incident, PortError> {
        let mut state = self.state();
        let id = batch.incident.id;
        let stored = state.incidents.get(&id).ok_or_else(|| PortError::NotFound(format!("incident {id}")))?;
        if stored.version != batch.expected_version {
            return Err(PortError::Conflict(format!(
                "incident {id} is at version {}, not {}",
                stored.version, batch.expected_version
            )));
        }
        let contiguous = batch.events.iter().zip(batch.expected_version + 1..).all(|(e, seq)| e.seq == seq);
        if !contiguous || batch.incident.version != batch.expected_version + batch.events.len() as u64 {
            return Err(PortError::Invalid("events must continue the log without gaps".into()));
        }
        if let Some(done) = batch.completes {
            state.entry(done)?.done = Some(Ok(()));
        }
        let mut incident = batch.incident;
        incident.number = state.incidents[&id].number;
        state.events.entry(id).or_default().extend(batch.events);
        state.enqueue(batch.effects);
        state.incidents.insert(id, incident.clone());
        Ok(incident)
    }

    async fn get(&self, id: IncidentId) -> Result<Option<Incident>, PortError> {
        Ok(self.state().incidents.get(&id).cloned())
    }

    async fn get_by_number(&self, number: IncidentNumber) -> Result<Option<Incident>, PortError> {
        Ok(self.state().incidents.values().find(|i| i.number == number).cloned())
    }

    async fn find_by_room(&self, room: &RoomId) -> Result<Option<Incident>, PortError> {
        let state = self.state();
        Ok(state.incidents.values().find(|i| i.room.as_ref().is_some_and(|r| &r.id == room)).cloned())
    }

    async fn find_open_by_dedup_key(&self, key: &DedupKey) -> Result<Option<Incident>, PortError> {
        let state = self.state();
        let found = state.incidents.values().find(|i| i.dedup_key.as_ref() == Some(key) && !i.status.is_terminal());
        Ok(found.cloned())
    }

    async fn list(&self, filter: &IncidentFilter) -> Result<Vec<Incident>, PortError> {
        let state = self.state();
        let mut found: Vec<Incident> = state.incidents.values().filter(|i| filter.matches(i)).cloned().collect();
        found.sort_by_key(|i| std::cmp::Reverse(i.number));
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

    async fn claim_due(
        &self,
        limit: usize,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Vec<ClaimedEffect>, PortError> {
        let lease = chrono::Duration::from_std(lease).map_err(|e| PortError::Invalid(e.to_string()))?;
        let mut state = self.state();
        let mut due: Vec<&mut Entry> = state
            .effects
            .values_mut()
            .filter(|e| e.done.is_none() && e.effect.due_at <= now && e.lease_until.is_none_or(|l| l <= now))
            .collect();
        due.sort_by_key(|e| (e.effect.effect != Effect::CreateRoom, e.effect.due_at, e.effect.id));
        Ok(due
            .into_iter()
            .take(limit)
            .map(|e| {
                e.attempts += 1;
                e.lease_until = Some(now + lease);
                ClaimedEffect {
                    id: e.effect.id,
                    incident_id: e.effect.incident_id,
                    effect: e.effect.effect.clone(),
                    attempts: e.attempts,
                }
            })
            .collect())
    }

    async fn complete(&self, id: EffectId, _now: DateTime<Utc>) -> Result<(), PortError> {
        self.state().entry(id)?.done = Some(Ok(()));
        Ok(())
    }

    async fn retry_at(&self, id: EffectId, at: DateTime<Utc>, _error: &str) -> Result<(), PortError> {
        let mut state = self.state();
        let entry = state.entry(id)?;
        entry.effect.due_at = at;
        entry.lease_until = None;
        Ok(())
    }

    async fn give_up(&self, id: EffectId, _now: DateTime<Utc>, error: &str) -> Result<(), PortError> {
        self.state().entry(id)?.done = Some(Err(error.to_owned()));
        Ok(())
    }

    async fn release(&self, id: EffectId) -> Result<(), PortError> {
        let mut state = self.state();
        let entry = state.entry(id)?;
        entry.lease_until = None;
        entry.attempts = entry.attempts.saturating_sub(1);
        Ok(())
    }

    async fn outbox_stats(&self) -> Result<OutboxStats, PortError> {
        let state = self.state();
        let mut stats = OutboxStats::default();
        for entry in state.effects.values() {
            match entry.done {
                None => stats.pending += 1,
                Some(Ok(())) => stats.completed += 1,
                Some(Err(_)) => stats.failed += 1,
            }
        }
        Ok(stats)
    }

    async fn ping(&self) -> Result<(), PortError> {
        Ok(())
    }
}
