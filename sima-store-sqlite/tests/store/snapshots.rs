//! Reads answered from the store's memory: a commit of this process is read
//! back at once, another process's within half a second, and a stale read
//! never outlives a refused append.

use std::time::Duration;

use sima_core::domain::{Command, Outcome, Room, RoomId, Severity, Text};
use sima_core::ports::{Incidents, PortError};
use sima_core::testkit::contract::{act, at_ms, create_new, declaration, new_incident};
use sima_store_sqlite::SqliteStore;

use crate::helpers::TestDb;

/// Longer than the time an entry answers for another process's writes.
const PAST_TTL: Duration = Duration::from_millis(600);

fn note(text: &str) -> Command {
    Command::AddNote(Text::parse(text).expect("a note"))
}

fn room(id: &str) -> Command {
    let room = Room { id: RoomId::new(id), name: format!("incident-{id}"), url: format!("https://chat/{id}") };
    Command::Record(Outcome::RoomCreated(room))
}

#[tokio::test]
async fn another_process_write_is_read_within_half_a_second() {
    let db = TestDb::create().await;
    let other = SqliteStore::connect(&db.config).await.expect("a second store on the file");
    let id = create_new(&db.store, new_incident(&declaration("payments", Severity::Sev2, None), at_ms(0))).await.id();
    act(&db.store, id, room("C0SNAP"), at_ms(1)).await.expect("the room");
    let version = db.store.find_by_room(&RoomId::new("C0SNAP")).await.expect("read").expect("found").version();

    let written = act(&other, id, note("from the other process"), at_ms(2)).await.expect("the other's note");
    assert!(written.version() > version);
    tokio::time::sleep(PAST_TTL).await;
    let by_id = db.store.get(id).await.expect("read").expect("found");
    let by_room = db.store.find_by_room(&RoomId::new("C0SNAP")).await.expect("read").expect("found");
    assert_eq!((by_id.version(), by_room.version()), (written.version(), written.version()));
}

#[tokio::test]
async fn a_refused_stale_append_sends_the_next_read_to_the_file() {
    let db = TestDb::create().await;
    let other = SqliteStore::connect(&db.config).await.expect("a second store on the file");
    let id = create_new(&db.store, new_incident(&declaration("payments", Severity::Sev2, None), at_ms(0))).await.id();
    let cached = db.store.get(id).await.expect("read").expect("found");
    let written = act(&other, id, note("from the other process"), at_ms(1)).await.expect("the other's note");

    let stale = sima_core::testkit::contract::batch(&cached, &note("stale"), at_ms(2));
    assert!(matches!(db.store.append(stale).await, Err(PortError::Conflict(_))), "the file holds a newer version");
    let reread = db.store.get(id).await.expect("read").expect("found");
    assert_eq!(reread.version(), written.version(), "read from the file right after the refusal");
}

#[tokio::test]
async fn a_newer_incident_given_the_same_room_answers_for_it_at_once() {
    let db = TestDb::create().await;
    let first = create_new(&db.store, new_incident(&declaration("payments", Severity::Sev2, None), at_ms(0))).await;
    act(&db.store, first.id(), room("C0AGAIN"), at_ms(1)).await.expect("the first room");
    let owner = db.store.find_by_room(&RoomId::new("C0AGAIN")).await.expect("read").expect("found");
    assert_eq!(owner.id(), first.id());

    let second = create_new(&db.store, new_incident(&declaration("search", Severity::Sev3, None), at_ms(2))).await;
    act(&db.store, second.id(), room("C0AGAIN"), at_ms(3)).await.expect("the same room again");
    let owner = db.store.find_by_room(&RoomId::new("C0AGAIN")).await.expect("read").expect("found");
    assert_eq!(owner.id(), second.id(), "the newest incident of the room, as the query answers");
}
