//! Writes sent at once, as a store's group commit batches them: each is kept
//! or refused on its own, and answered only once it is stored.

use std::collections::BTreeSet;

use futures::future::{join, join_all};

use super::{at_ms, batch, create_new, declaration, must_act, must_get, new_incident, text};
use crate::domain::{Command, Incident, Severity};
use crate::ports::{AppendBatch, Created, IncidentFilter, IncidentStore, PortError};

/// 24 declarations (4 of them sharing a dedup key) and 8 appends (half of
/// them on a stale version) sent together. Every answer is readable on the
/// store the moment it arrives; one incident is opened for the shared key;
/// numbers keep no gaps; only the stale appends are refused, writing nothing.
pub async fn writes_sent_together_are_each_kept_or_refused_alone(store: &dyn IncidentStore) {
    let mut fresh = Vec::new();
    let mut stale = Vec::new();
    for i in 0..8 {
        let created = create_new(store, new_incident(&declaration("search", Severity::Sev3, None), at_ms(i))).await;
        if i % 2 == 0 {
            fresh.push(created);
        } else {
            must_act(store, created.id(), Command::AddNote(text("moved on")), at_ms(50 + i)).await;
            stale.push(created);
        }
    }
    let declare = |i: i64| async move {
        let key = (i < 4).then_some("together:shared");
        let answer = store.create(new_incident(&declaration("payments", Severity::Sev2, key), at_ms(100 + i))).await;
        let created = answer.unwrap_or_else(|e| panic!("declaration {i}: {e}"));
        let stored = must_get(store, created.incident().id()).await;
        assert_eq!(stored.number(), created.incident().number(), "declaration {i} is stored when answered");
        created
    };
    let append = |(i, sent): (usize, AppendBatch)| async move {
        let id = sent.incident.id();
        let answer = store.append(sent).await;
        if let Ok(appended) = &answer {
            assert_eq!(must_get(store, id).await.version(), appended.version(), "append {i} is stored");
        }
        answer
    };
    let appends: Vec<(usize, AppendBatch)> = fresh
        .iter()
        .chain(&stale)
        .map(|base| batch(base, &Command::AddNote(text("sent together")), at_ms(200)))
        .enumerate()
        .collect();
    let (created, appended) = join(join_all((0..24).map(declare)), join_all(appends.into_iter().map(append))).await;

    let new: Vec<&Incident> = created
        .iter()
        .filter_map(|c| match c {
            Created::New(incident) => Some(incident),
            Created::Existing(_) => None,
        })
        .collect();
    assert_eq!(new.len(), 21, "20 declarations without a key and one for the shared key are new");
    let shared: BTreeSet<_> = created[..4].iter().map(|c| c.incident().id()).collect();
    assert_eq!(shared.len(), 1, "the shared key opened one incident: {shared:?}");

    let all = store.list(&IncidentFilter::default()).await.unwrap_or_else(|e| panic!("list: {e}"));
    let mut numbers: Vec<u64> = all.iter().map(|i| i.number().value()).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=29).collect::<Vec<u64>>(), "29 incidents, numbered without gaps");

    for (i, answer) in appended.iter().enumerate() {
        if i < fresh.len() {
            assert!(answer.is_ok(), "append {i} on the current version: {answer:?}");
        } else {
            assert!(matches!(answer, Err(PortError::Conflict(_))), "append {i} on a stale version: {answer:?}");
        }
    }
    for base in &stale {
        let events = store.events(base.id()).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(events.len(), 2, "a refused append wrote nothing: {events:?}");
    }
}
