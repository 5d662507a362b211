//! Integration tests of `SqliteStore`, one temporary file per test.

mod action_items;
mod fields;
mod helpers;
mod keys;
mod metrics;
mod privacy;
mod recipes;
mod resilience;
mod sessions;
mod snapshots;

mod contract {
    //! The sima-core store contract, one test per check.
    use crate::helpers::{fresh, fresh_with_views};
    sima_core::store_contract_tests!(fresh, views: fresh_with_views);
}
