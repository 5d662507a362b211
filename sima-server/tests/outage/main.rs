//! The real server through outages of its store, and behind a real
//! Prometheus Alertmanager: a private PostgreSQL cluster stopped for 20 s, a
//! SQLite file made read-only for 20 s, and an alert fired and resolved.

#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;
#[allow(dead_code)]
#[path = "../api/process.rs"]
mod process;

mod alertmanager;
mod cluster;
mod postgres;
mod scenario;
mod sqlite;
mod trickle;
