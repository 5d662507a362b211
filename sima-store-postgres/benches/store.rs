//! Benchmarks of the PostgreSQL store (a bench binary, not criterion: each
//! measurement needs minutes of setup on a real server).
//!
//! - appends: events appended per second by 8 concurrent writers, each on its
//!   own incident, then all on one incident (retrying on `Conflict`);
//! - metrics: `SELECT * FROM incident_metrics` and `milestones()` over
//!   `SIMA_BENCH_INCIDENTS` generated incidents (default 100,000).
//!
//! Run: `cargo bench -p sima-store-postgres` (server from `SIMA_TEST_DATABASE_URL`).

use std::time::Instant;

use futures::future::join_all;
use sima_core::domain::{Command, Incident, IncidentEvent, IncidentId, Severity, Text};
use sima_core::ports::{IncidentFilter, Incidents, PortError};
use sima_core::testkit::contract::{act, at_ms, create_new, declaration, generated, new_incident, write_history};
use sima_core::testkit::InMemoryStore;
use sima_store_postgres::{PgStore, PgStoreConfig};
use sqlx::types::Json;
use sqlx::{Connection, PgConnection};

const WRITERS: usize = 8;
const APPENDS_PER_WRITER: usize = 500;

fn base_url() -> String {
    std::env::var("SIMA_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn with_database(base: &str, database: &str) -> String {
    let head = base.split_once('?').map_or(base, |(h, _)| h);
    let (scheme, rest) = head.split_once("://").expect("a postgres:// URL");
    let host = rest.split_once('/').map_or(rest, |(h, _)| h);
    format!("{scheme}://{host}/{database}")
}

async fn appends(store: &PgStore, shared: bool) -> f64 {
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
async fn load(store: &PgStore, count: u64) {
    let memory = InMemoryStore::new();
    for n in 0..count {
        write_history(&memory, &generated(n)).await;
    }
    let incidents = memory.list(&IncidentFilter::default()).await.expect("list");
    sqlx::query("TRUNCATE incidents CASCADE").execute(store.pool()).await.expect("truncate");
    for chunk in incidents.chunks(2_000) {
        let mut tx = store.pool().begin().await.expect("begin");
        let mut events: Vec<(IncidentId, IncidentEvent)> = Vec::new();
        for i in chunk {
            for e in memory.events(i.id()).await.expect("events") {
                events.push((i.id(), e));
            }
        }
        let col =
            |f: &dyn Fn(&Incident) -> Option<chrono::DateTime<chrono::Utc>>| chunk.iter().map(f).collect::<Vec<_>>();
        sqlx::query(
            "INSERT INTO incidents (id, number, version, status, domain, severity, summary, declared_at, started_at,
                 acknowledged_at, mitigated_at, resolved_at, snapshot)
             SELECT * FROM UNNEST($1::uuid[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],
                 $8::timestamptz[], $9::timestamptz[], $10::timestamptz[], $11::timestamptz[], $12::timestamptz[], $13::jsonb[])",
        )
        .bind(chunk.iter().map(|i| i.id().as_uuid()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|i| i.number().value() as i64).collect::<Vec<_>>())
        .bind(chunk.iter().map(|i| i.version() as i64).collect::<Vec<_>>())
        .bind(chunk.iter().map(|i| i.status().as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|i| i.domain().as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|i| i.severity().as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|i| i.summary().as_str()).collect::<Vec<_>>())
        .bind(col(&|i| Some(i.milestones().declared_at)))
        .bind(col(&|i| Some(i.milestones().started_at)))
        .bind(col(&|i| i.milestones().acknowledged_at))
        .bind(col(&|i| i.milestones().mitigated_at))
        .bind(col(&|i| i.milestones().resolved_at))
        .bind(chunk.iter().map(Json).collect::<Vec<_>>())
        .execute(&mut *tx)
        .await
        .expect("insert incidents");
        sqlx::query(
            "INSERT INTO incident_events (incident_id, seq, at, actor, kind, event)
             SELECT * FROM UNNEST($1::uuid[], $2::bigint[], $3::timestamptz[], $4::text[], $5::text[], $6::jsonb[])",
        )
        .bind(events.iter().map(|(id, _)| id.as_uuid()).collect::<Vec<_>>())
        .bind(events.iter().map(|(_, e)| e.seq as i64).collect::<Vec<_>>())
        .bind(events.iter().map(|(_, e)| e.at).collect::<Vec<_>>())
        .bind(events.iter().map(|(_, e)| e.actor.to_string()).collect::<Vec<_>>())
        .bind(events.iter().map(|(_, e)| e.kind.name()).collect::<Vec<_>>())
        .bind(events.iter().map(|(_, e)| Json(e)).collect::<Vec<_>>())
        .execute(&mut *tx)
        .await
        .expect("insert events");
        tx.commit().await.expect("commit");
    }
    sqlx::query("ANALYZE").execute(store.pool()).await.expect("analyze");
}

async fn metrics(store: &PgStore, count: u64) {
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
        let base = base_url();
        let name = format!("sima_bench_{}", uuid::Uuid::now_v7().simple());
        let mut admin = PgConnection::connect(&base).await.expect("PostgreSQL reachable");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create database");
        let mut config = PgStoreConfig::new(with_database(&base, &name));
        config.max_connections = 16;
        let store = PgStore::connect(&config).await.expect("connect");
        println!("appends: {:.0} events/s, {WRITERS} writers on their own incidents", appends(&store, false).await);
        println!(
            "appends: {:.0} events/s, {WRITERS} writers on one incident (retrying conflicts)",
            appends(&store, true).await
        );
        metrics(&store, count).await;
        store.close().await;
        sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut admin).await.expect("drop database");
    });
}
