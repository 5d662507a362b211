use std::time::{Duration, Instant};

use sima_core::domain::{Command, IncidentNumber, Outcome, Room, RoomId, Severity, Text};
use sima_core::testkit::contract::{at_ms, batch, declaration, new_incident};

use super::{Snapshots, CAPACITY, TTL};
use sima_core::domain::Incident;

fn declared(number: u64) -> Incident {
    let new = new_incident(&declaration("payments", Severity::Sev2, None), at_ms(0));
    new.incident.numbered(IncidentNumber::new(number).expect("a number"))
}

fn in_room(incident: &Incident, room: &str) -> Incident {
    let room = Room { id: RoomId::new(room), name: format!("incident-{room}"), url: format!("https://chat/{room}") };
    batch(incident, &Command::Record(Outcome::RoomCreated(room)), at_ms(1)).incident
}

fn noted(incident: &Incident) -> Incident {
    batch(incident, &Command::AddNote(Text::parse("a note").expect("text")), at_ms(2)).incident
}

#[test]
fn a_kept_incident_answers_until_its_ttl_runs_out() {
    let (cache, now) = (Snapshots::default(), Instant::now());
    let incident = declared(1);
    cache.keep(&incident, now);
    assert_eq!(cache.get(incident.id(), now + TTL / 2), Some(incident.clone()));
    assert_eq!(cache.get(incident.id(), now + TTL), None, "past the TTL the file is read again");
    assert_eq!(cache.get(declared(2).id(), now), None);
}

#[test]
fn an_older_snapshot_never_replaces_a_newer_one() {
    let (cache, now) = (Snapshots::default(), Instant::now());
    let old = declared(1);
    let new = noted(&old);
    cache.keep(&new, now);
    cache.keep(&old, now + Duration::from_millis(1));
    assert_eq!(cache.get(old.id(), now).map(|i| i.version()), Some(new.version()));
}

#[test]
fn a_room_answers_only_for_the_owner_the_file_named() {
    let (cache, now) = (Snapshots::default(), Instant::now());
    let first = in_room(&declared(1), "C1");
    cache.keep(&first, now);
    assert_eq!(cache.by_room(&RoomId::new("C1"), now), None, "a kept incident does not claim its room");
    cache.keep_owner(&RoomId::new("C1"), &first, now);
    assert_eq!(cache.by_room(&RoomId::new("C1"), now), Some(first.clone()));
    let later = noted(&first);
    cache.keep(&later, now);
    assert_eq!(cache.by_room(&RoomId::new("C1"), now), Some(later), "the owner's newest snapshot");
}

#[test]
fn a_newer_incident_in_the_same_room_unseats_the_old_owner() {
    let (cache, now) = (Snapshots::default(), Instant::now());
    let first = in_room(&declared(1), "C1");
    cache.keep_owner(&RoomId::new("C1"), &first, now);
    cache.keep(&in_room(&declared(2), "C1"), now);
    assert_eq!(cache.by_room(&RoomId::new("C1"), now), None, "the file decides between them");
    let second = in_room(&declared(2), "C1");
    cache.keep_owner(&RoomId::new("C1"), &second, now);
    cache.keep_owner(&RoomId::new("C1"), &first, now);
    assert_eq!(cache.by_room(&RoomId::new("C1"), now).map(|i| i.number()), Some(second.number()));
}

#[test]
fn dropped_and_cleared_entries_send_reads_to_the_file() {
    let (cache, now) = (Snapshots::default(), Instant::now());
    let (a, b) = (in_room(&declared(1), "C1"), declared(2));
    cache.keep_owner(&RoomId::new("C1"), &a, now);
    cache.keep(&b, now);
    cache.drop_incident(a.id());
    assert_eq!((cache.get(a.id(), now), cache.by_room(&RoomId::new("C1"), now)), (None, None));
    assert!(cache.get(b.id(), now).is_some());
    cache.clear();
    assert_eq!(cache.get(b.id(), now), None);
    cache.keep_owner(&RoomId::new("C1"), &a, now);
    cache.room_missing(&RoomId::new("C1"));
    assert_eq!(cache.by_room(&RoomId::new("C1"), now), None);
}

#[test]
fn the_cache_holds_at_most_its_capacity() {
    let (cache, now) = (Snapshots::default(), Instant::now());
    let stale = declared(1);
    cache.keep(&stale, now);
    let later = now + TTL;
    for number in 2..=u64::try_from(CAPACITY).expect("fits") + 10 {
        cache.keep(&declared(number), later);
    }
    let held = cache.held();
    assert!(held.incidents.len() <= CAPACITY, "{} held", held.incidents.len());
    assert!(!held.incidents.contains_key(&stale.id()), "stale entries go first");
}
