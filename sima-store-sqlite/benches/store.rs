//! Benchmarks of the SQLite store on a temporary file (a bench binary, not
//! criterion: each measurement needs minutes of setup).
//!
//! - appends: events appended per second by 8 concurrent writers, each on its
//!   own incident, then all on one incident (retrying on `Conflict`);
//! - metrics: `SELECT * FROM incident_metrics` and `milestones()` over
//!   `SIMA_BENCH_INCIDENTS` generated incidents (default 100,000).
//!
//! Run: `cargo bench -p sima-store-sqlite`.

use std::time::Instant;

use futures::future::join_all;
use sima_core::domain::{Command, IncidentEvent, IncidentId, Severity, Text};
use sima_core::ports::{IncidentFilter, Incidents, PortError};
use sima_core::testkit::contract::{act, at_ms, create_new, declaration, generated, new_incident, write_history};
use sima_core::testkit::InMemoryStore;
use sima_store_sqlite::{SqliteStore, SqliteStoreConfig};

const WRITERS: usize = 8;
const APPENDS_PER_WRITER: usize = 500;

async fn appends(store: &SqliteStore, shared: bool) -> f64 {
    let mut ids = Vec::new();
    for w in 0..WRITERS {
        if w == 0 || !shared {
            let d = declaration("payments", Severity::Sev2, None);
            ids.push(create_new(store, new_incident(&d, at_ms(w as i64))).await.id());
        }
    }
    let started = Instant::now();
    let writer = |w: usize| {
        let id: IncidentId = ids[if shared { 0 } else { w }];
        async move {
            for n in 0..APPENDS_PER_WRITER {
                loop {
                    let note = Command::AddNote(Text::parse(&format!("writer {w} note {n}")).expect("note"));
                    match act(store, id, note, at_ms(1)).await {
                        Ok(_) => break,
                        Err(PortError::Conflict(_)) => continue,
                        Err(e) => panic!("append: {e}"),
                    }
                }
            }
        }
    };
    join_all((0..WRITERS).map(writer)).await;
    (WRITERS * APPENDS_PER_WRITER) as f64 / started.elapsed().as_secs_f64()
}

/// Generates histories in memory with the domain code, then bulk-loads them.
async fn load(store: &SqliteStore, count: u64) {
    let memory = InMemoryStore::new();
    for n in 0..count {
        write_history(&memory, &generated(n)).await;
    }
    let incidents = memory.list(&IncidentFilter::default()).await.expect("list");
    let ts = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut tx = store.pool().begin().await.expect("begin");
    sqlx::query("DELETE FROM incidents").execute(&mut *tx).await.expect("clear");
    for i in &incidents {
        let m = i.milestones();
        sqlx::query(
            "INSERT INTO incidents (id, number, version, status, domain, severity, summary, declared_at, started_at,
                 acknowledged_at, mitigated_at, resolved_at, snapshot)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )
        .bind(i.id().to_string())
        .bind(i.number().value() as i64)
        .bind(i.version() as i64)
        .bind(i.status().as_str())
        .bind(i.domain().as_str())
        .bind(i.severity().as_str())
        .bind(i.summary().as_str())
        .bind(ts(m.declared_at))
        .bind(ts(m.started_at))
        .bind(m.acknowledged_at.map(ts))
        .bind(m.mitigated_at.map(ts))
        .bind(m.resolved_at.map(ts))
        .bind(serde_json::to_string(i).expect("snapshot"))
        .execute(&mut *tx)
        .await
        .expect("insert incident");
        let events: Vec<IncidentEvent> = memory.events(i.id()).await.expect("events");
        for e in events {
            sqlx::query("INSERT INTO incident_events (incident_id, seq, at, actor, kind, event) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                .bind(i.id().to_string())
                .bind(e.seq as i64)
                .bind(ts(e.at))
                .bind(e.actor.to_string())
                .bind(e.kind.name())
                .bind(serde_json::to_string(&e).expect("event"))
                .execute(&mut *tx)
                .await
                .expect("insert event");
        }
    }
    tx.commit().await.expect("commit");
    sqlx::query("ANALYZE").execute(store.pool()).await.expect("analyze");
}

async fn metrics(store: &SqliteStore, count: u64) {
    let started = Instant::now();
    load(store, count).await;
    println!("metrics: loaded {count} incidents in {:.1} s", started.elapsed().as_secs_f64());
    let (events,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM incident_events").fetch_one(store.pool()).await.expect("count");
    println!("metrics: {events} events");
    for _ in 0..3 {
        let started = Instant::now();
        let rows = sqlx::query("SELECT * FROM incident_metrics").fetch_all(store.pool()).await.expect("view");
        println!(
            "metrics: SELECT * FROM incident_metrics, {} rows: {:.3} s",
            rows.len(),
            started.elapsed().as_secs_f64()
        );
    }
    let started = Instant::now();
    let (mtta,): (Option<f64>,) =
        sqlx::query_as("SELECT avg(tta_seconds) FROM incident_metrics WHERE status <> 'false_positive'")
            .fetch_one(store.pool())
            .await
            .expect("mtta");
    println!(
        "metrics: MTTA over the view: {:.3} s (mean {:.1} s)",
        started.elapsed().as_secs_f64(),
        mtta.unwrap_or(0.0)
    );
    let started = Instant::now();
    let rows = store.milestones(&IncidentFilter::default()).await.expect("milestones");
    let report = sima_core::compute_metrics(&rows);
    println!(
        "metrics: milestones() + compute over {} incidents: {:.3} s (mtta mean {:.1} s)",
        rows.len(),
        started.elapsed().as_secs_f64(),
        report.mtta.mean.unwrap_or(0.0)
    );
}

fn main() {
    // `cargo test --benches` runs bench binaries with no `--bench`; do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let count: u64 = std::env::var("SIMA_BENCH_INCIDENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = SqliteStore::connect(&SqliteStoreConfig::file(dir.path().join("bench.db"))).await.expect("open");
        println!("appends: {:.0} events/s, {WRITERS} writers on their own incidents", appends(&store, false).await);
        println!(
            "appends: {:.0} events/s, {WRITERS} writers on one incident (retrying conflicts)",
            appends(&store, true).await
        );
        metrics(&store, count).await;
        store.close().await;
    });
}
