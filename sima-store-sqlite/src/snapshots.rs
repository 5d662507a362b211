//! The latest snapshot of recently used incidents, in memory, so that reads
//! by id or by room (every chat command, every runbook step) skip the
//! database: on SQLite each statement is two hand-offs to the connection's
//! thread and back, which the profiles show costing more than the query.
//!
//! # Why a read from here is as good as one from the file
//! - Every incident this store writes goes through its group commit, which
//!   records the committed snapshot here before it answers anyone: a caller
//!   told "stored" reads its own write back, and so does everyone else in
//!   this process.
//! - An entry only moves forward: a snapshot replaces it only with a higher
//!   version, so a slow read never puts an older one back; a room points at
//!   the incident with the highest number that has it, as the query does.
//! - Another process may write the same file (the store allows it), and
//!   that is not seen here. So an entry answers only for [`TTL`] after the
//!   file or a commit of this process last showed it; then the file is read
//!   again. An append refused as stale drops its incident's entry, and a
//!   failed commit, whose outcome is unknown, drops every entry.
//! - At most [`CAPACITY`] incidents are held; a full cache drops its stale
//!   entries, then makes room by dropping one arbitrary entry.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use sima_core::domain::{Incident, IncidentId, RoomId};

/// How long an entry answers after the file or a commit last showed it.
pub(crate) const TTL: Duration = Duration::from_millis(500);

/// The most incidents held at once.
pub(crate) const CAPACITY: usize = 2_048;

/// One incident's snapshot and when it was last seen current.
#[derive(Debug)]
struct Entry {
    incident: Incident,
    seen: Instant,
}

/// Which incident a room belongs to, and when that was last seen.
#[derive(Debug, Clone, Copy)]
struct RoomOwner {
    id: IncidentId,
    number: u64,
    seen: Instant,
}

#[derive(Debug, Default)]
struct Held {
    incidents: HashMap<IncidentId, Entry>,
    rooms: HashMap<RoomId, RoomOwner>,
}

/// The cache; shared by every clone of a store.
#[derive(Debug, Default)]
pub(crate) struct Snapshots {
    held: Mutex<Held>,
}

impl Snapshots {
    fn held(&self) -> MutexGuard<'_, Held> {
        // Every update leaves both maps consistent between statements that cannot panic.
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The incident `id`, if it was seen current less than [`TTL`] ago.
    pub(crate) fn get(&self, id: IncidentId, now: Instant) -> Option<Incident> {
        let held = self.held();
        let entry = held.incidents.get(&id)?;
        fresh(entry.seen, now).then(|| entry.incident.clone())
    }

    /// The newest incident of `room`, if both the room's owner and its
    /// snapshot were seen current less than [`TTL`] ago.
    pub(crate) fn by_room(&self, room: &RoomId, now: Instant) -> Option<Incident> {
        let held = self.held();
        let owner = held.rooms.get(room).filter(|owner| fresh(owner.seen, now))?;
        let entry = held.incidents.get(&owner.id)?;
        fresh(entry.seen, now).then(|| entry.incident.clone())
    }

    /// Keeps `incident`, read from the file or committed, as seen at `seen`
    /// (taken before the read began, so an entry never looks fresher than it
    /// is). A room it holds stops pointing at an older incident.
    pub(crate) fn keep(&self, incident: &Incident, seen: Instant) {
        let mut held = self.held();
        keep_in(&mut held, incident, seen);
    }

    /// Keeps `incident` as the newest incident of `room`, which the file
    /// answered to a read begun at `seen`.
    pub(crate) fn keep_owner(&self, room: &RoomId, incident: &Incident, seen: Instant) {
        let mut held = self.held();
        keep_in(&mut held, incident, seen);
        let number = incident.number().value();
        match held.rooms.get_mut(room) {
            Some(current) if current.number > number => {}
            Some(current) if current.id == incident.id() => current.seen = current.seen.max(seen),
            _ => {
                held.rooms.insert(room.clone(), RoomOwner { id: incident.id(), number, seen });
            }
        }
    }

    /// Forgets who owns `room`: the file had no incident there.
    pub(crate) fn room_missing(&self, room: &RoomId) {
        self.held().rooms.remove(room);
    }

    /// Drops `id`: its next read goes to the file.
    pub(crate) fn drop_incident(&self, id: IncidentId) {
        let mut held = self.held();
        held.incidents.remove(&id);
        held.rooms.retain(|_, owner| owner.id != id);
    }

    /// Drops everything: the next reads go to the file.
    pub(crate) fn clear(&self) {
        let mut held = self.held();
        held.incidents.clear();
        held.rooms.clear();
    }
}

fn fresh(seen: Instant, now: Instant) -> bool {
    now.saturating_duration_since(seen) < TTL
}

fn keep_in(held: &mut Held, incident: &Incident, seen: Instant) {
    if let Some(room) = incident.room() {
        // A newer incident now holds this room: the old owner no longer answers for it.
        let number = incident.number().value();
        if held.rooms.get(&room.id).is_some_and(|owner| owner.id != incident.id() && owner.number < number) {
            held.rooms.remove(&room.id);
        }
    }
    match held.incidents.get_mut(&incident.id()) {
        Some(entry) if entry.incident.version() > incident.version() => {}
        Some(entry) if entry.incident.version() == incident.version() => entry.seen = entry.seen.max(seen),
        Some(entry) => *entry = Entry { incident: incident.clone(), seen },
        None => {
            if held.incidents.len() >= CAPACITY {
                make_room(held, seen);
            }
            held.incidents.insert(incident.id(), Entry { incident: incident.clone(), seen });
        }
    }
}

/// Drops stale entries; if none was stale, one arbitrary entry.
fn make_room(held: &mut Held, now: Instant) {
    held.incidents.retain(|_, entry| fresh(entry.seen, now));
    if held.incidents.len() >= CAPACITY {
        if let Some(id) = held.incidents.keys().next().copied() {
            held.incidents.remove(&id);
        }
    }
    let incidents = &held.incidents;
    held.rooms.retain(|_, owner| incidents.contains_key(&owner.id));
}

#[cfg(test)]
mod tests;
