//! A bounded in-process index of the dedup keys whose incident is open, so a
//! repeated firing alert is answered without a store round trip.
//!
//! # The rule that keeps replicas correct
//!
//! - An entry says only "key K mapped to incident X, which was not terminal
//!   (neither closed nor a false positive) when this process last read or
//!   created it, less than [`TTL`] ago": exactly what the store's
//!   `find_open_by_dedup_key` would answer then. It is written only from a
//!   store answer, stamped with the time the store was asked.
//! - A hit answers a repeated *firing* alert with X, as the store would have
//!   while X was open, and changes nothing: the index never creates, never
//!   appends. An incident is only ever opened by the store's `create`, whose
//!   unique index (one non-terminal incident per dedup key) stays the last
//!   word, so a stale entry can never open a second incident.
//! - A miss, an expired entry, and every *resolved* alert go to the store;
//!   a resolved alert also drops the key first.
//! - Another replica (or a command on this one) may end X meanwhile; the
//!   index does not see that. Then, for at most [`TTL`], a repeat of K is
//!   answered with X instead of opening a new incident. Monitors resend a
//!   firing alert (Alertmanager every `group_interval`), and the first send
//!   after [`TTL`] reaches the store and opens it.
//! - At most [`CAPACITY`] keys are held; when full, expired entries are
//!   dropped, and if none expired the new key is not held (a miss later).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use sima_core::domain::{DedupKey, Incident};

/// How long an entry answers after the store last said its incident was open.
pub const TTL: Duration = Duration::from_millis(500);

/// The most keys held at once.
pub const CAPACITY: usize = 10_000;

/// One key's incident, as the answer sent for a repeat.
#[derive(Debug, Clone)]
struct Entry {
    /// The JSON body answered for a repeat (`created: false`).
    answer: Bytes,
    /// When the store last showed the incident open.
    seen: Instant,
}

/// The index; cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct OpenKeys {
    entries: Mutex<HashMap<String, Entry>>,
    ttl: Duration,
    capacity: usize,
}

impl Default for OpenKeys {
    fn default() -> Self {
        Self::new(TTL, CAPACITY)
    }
}

impl OpenKeys {
    /// An empty index whose entries answer for `ttl`, holding at most `capacity` keys.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self { entries: Mutex::new(HashMap::new()), ttl, capacity }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // Every update is one insert or remove: a panic elsewhere leaves the map consistent.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The answer for a repeat of `key`, if its incident was seen open less than the TTL ago.
    pub fn answer(&self, key: &DedupKey, now: Instant) -> Option<Bytes> {
        let entries = self.entries();
        let entry = entries.get(key.as_str())?;
        (now.saturating_duration_since(entry.seen) < self.ttl).then(|| entry.answer.clone())
    }

    /// Holds `answer` for `key` when the store, asked at `asked`, showed
    /// `incident` open under that key; drops the key otherwise.
    pub fn remember(&self, key: &DedupKey, incident: &Incident, answer: Bytes, asked: Instant) {
        let mut entries = self.entries();
        let open = !incident.status().is_terminal() && incident.dedup_key() == Some(key);
        if !open {
            entries.remove(key.as_str());
            return;
        }
        if entries.len() >= self.capacity && !entries.contains_key(key.as_str()) {
            let ttl = self.ttl;
            entries.retain(|_, e| asked.saturating_duration_since(e.seen) < ttl);
            if entries.len() >= self.capacity {
                return;
            }
        }
        entries.insert(key.as_str().to_owned(), Entry { answer, seen: asked });
    }

    /// Drops `key`: its alert cleared, so the next firing goes to the store.
    pub fn forget(&self, key: &DedupKey) {
        self.entries().remove(key.as_str());
    }

    /// How many keys are held.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use sima_core::domain::{Command, Severity, Status};
    use sima_core::testkit::contract::{batch, declaration, new_incident};

    fn open(key: &str) -> Incident {
        new_incident(&declaration("payments", Severity::Sev2, Some(key)), Utc::now()).incident
    }

    fn key(s: &str) -> DedupKey {
        DedupKey::parse(s).unwrap()
    }

    #[test]
    fn an_open_incident_answers_repeats_until_the_ttl_passes() {
        let index = OpenKeys::new(Duration::from_secs(1), 10);
        let t0 = Instant::now();
        index.remember(&key("disk-full"), &open("disk-full"), Bytes::from_static(b"{\"created\":false}"), t0);
        assert_eq!(
            index.answer(&key("disk-full"), t0 + Duration::from_millis(999)).as_deref(),
            Some(&b"{\"created\":false}"[..])
        );
        assert_eq!(index.answer(&key("disk-full"), t0 + Duration::from_secs(1)), None, "expired: ask the store");
        assert_eq!(index.answer(&key("other"), t0), None, "a miss goes to the store");
    }

    #[test]
    fn terminal_incidents_other_keys_and_cleared_alerts_are_not_answered() {
        let index = OpenKeys::new(Duration::from_secs(60), 10);
        let t0 = Instant::now();
        let incident = open("cpu");
        index.remember(&key("cpu"), &incident, Bytes::from_static(b"x"), t0);
        let change = Command::ChangeStatus { to: Status::FalsePositive, message: None };
        let ended = batch(&incident, &change, Utc::now()).incident;
        index.remember(&key("cpu"), &ended, Bytes::from_static(b"y"), t0);
        assert_eq!(index.answer(&key("cpu"), t0), None, "a false positive drops the key");
        index.remember(&key("mem"), &open("cpu"), Bytes::from_static(b"z"), t0);
        assert_eq!(index.answer(&key("mem"), t0), None, "an incident under another key is not held");
        index.remember(&key("cpu"), &incident, Bytes::from_static(b"x"), t0);
        index.forget(&key("cpu"));
        assert!(index.is_empty());
    }

    #[test]
    fn a_full_index_drops_expired_keys_and_never_grows_past_its_capacity() {
        let index = OpenKeys::new(Duration::from_secs(1), 2);
        let t0 = Instant::now();
        index.remember(&key("a"), &open("a"), Bytes::new(), t0);
        index.remember(&key("b"), &open("b"), Bytes::new(), t0);
        index.remember(&key("c"), &open("c"), Bytes::new(), t0);
        assert_eq!((index.len(), index.answer(&key("c"), t0)), (2, None), "full of fresh keys: c is not held");
        let later = t0 + Duration::from_secs(2);
        index.remember(&key("c"), &open("c"), Bytes::from_static(b"c"), later);
        assert_eq!((index.len(), index.answer(&key("c"), later).as_deref()), (1, Some(&b"c"[..])));
    }
}
