//! The session store contract: every [`SessionStore`] implementation runs
//! these checks against a fresh, empty store of its own.
//!
//! Each check is a public async function taking `&dyn SessionStore`; it
//! panics with a message naming what went wrong. Store crates generate one
//! test per check with
//! [`session_store_contract_tests!`](crate::session_store_contract_tests), or
//! call [`run_all`].

use std::future::Future;

use chrono::{DateTime, Utc};

use super::at_ms;
use crate::ports::{PortError, SessionRecord, SessionStore};

/// Generates one `#[tokio::test]` per session check. The argument is an async
/// function `runner(check)` where `check: for<'a> FnOnce(&'a dyn SessionStore)
/// -> CheckFuture<'a>`; the runner builds a fresh store, awaits
/// `check(&store)`, and cleans up.
///
/// ```
/// use sima_core::ports::SessionStore;
/// use sima_core::testkit::{contract::CheckFuture, InMemoryStore};
///
/// async fn fresh_sessions<F>(check: F)
/// where
///     F: for<'a> FnOnce(&'a dyn SessionStore) -> CheckFuture<'a>,
/// {
///     let store = InMemoryStore::new();
///     check(&store).await;
/// }
/// sima_core::session_store_contract_tests!(fresh_sessions);
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// #     use sima_core::testkit::contract::sessions::sessions_open_then_live;
/// #     fresh_sessions(|store| Box::pin(sessions_open_then_live(store))).await;
/// # }
/// ```
#[macro_export]
macro_rules! session_store_contract_tests {
    ($runner:path) => {
        $crate::session_store_contract_tests!(@checks [@each $runner;]);
    };
    // The one list of checks, handed to `@each` (tests) or `@run` (`run_all`).
    (@checks [$($then:tt)*]) => {
        $crate::session_store_contract_tests!($($then)*
            sessions_open_then_live,
            sessions_unknown_ids_are_not_live,
            sessions_expire_at_expires_at,
            sessions_revoked_are_not_live_and_revoke_once,
            sessions_revoke_user_counts_only_their_live_sessions,
            sessions_live_list_is_newest_first_within_limit,
            sessions_opening_an_existing_id_conflicts,
            sessions_forget_deletes_only_those_expired_before_cutoff,
        );
    };
    (@run $factory:ident; $($check:ident),* $(,)?) => {
        $( $crate::testkit::contract::sessions::$check(&$factory().await).await; )*
    };
    (@each $runner:path; $($check:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                $runner(|store| ::std::boxed::Box::pin($crate::testkit::contract::sessions::$check(store))).await;
            }
        )*
    };
}

/// Runs every session check, each against a fresh store from `factory`.
pub async fn run_all<S, F, Fut>(factory: F)
where
    S: SessionStore,
    F: Fn() -> Fut,
    Fut: Future<Output = S>,
{
    crate::session_store_contract_tests!(@checks [@run factory;]);
}

// ---------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------

/// A session `id` of `user`, opened at `at_ms(created_ms)`, ending by itself
/// at `at_ms(expires_ms)`.
pub fn session(id: &str, user: &str, created_ms: i64, expires_ms: i64) -> SessionRecord {
    SessionRecord {
        id: id.to_owned(),
        user: user.to_owned(),
        created_at: at_ms(created_ms),
        expires_at: at_ms(expires_ms),
    }
}

/// Opens every session, expecting each to be new.
///
/// # Panics
/// If the store refuses one.
pub async fn open_all(store: &dyn SessionStore, sessions: &[&SessionRecord]) {
    for s in sessions {
        store.open_session(s).await.unwrap_or_else(|e| panic!("open_session {}: {e}", s.id));
    }
}

async fn live(store: &dyn SessionStore, id: &str, now: DateTime<Utc>) -> Option<SessionRecord> {
    store.live_session(id, now).await.unwrap_or_else(|e| panic!("live_session {id}: {e}"))
}

async fn revoke(store: &dyn SessionStore, id: &str, now: DateTime<Utc>) -> bool {
    store.revoke_session(id, now).await.unwrap_or_else(|e| panic!("revoke_session {id}: {e}"))
}

async fn revoke_user(store: &dyn SessionStore, user: &str, now: DateTime<Utc>) -> u64 {
    store.revoke_user_sessions(user, now).await.unwrap_or_else(|e| panic!("revoke_user_sessions {user}: {e}"))
}

async fn listed(store: &dyn SessionStore, now: DateTime<Utc>, limit: u32) -> Vec<SessionRecord> {
    store.live_sessions(now, limit).await.unwrap_or_else(|e| panic!("live_sessions: {e}"))
}

fn ids(sessions: &[SessionRecord]) -> Vec<&str> {
    sessions.iter().map(|s| s.id.as_str()).collect()
}

/// Whether opening `session` again is refused as `Conflict` (the id is still
/// stored) rather than accepted (it was forgotten).
async fn id_taken(store: &dyn SessionStore, session: &SessionRecord) -> bool {
    match store.open_session(session).await {
        Ok(()) => false,
        Err(PortError::Conflict(_)) => true,
        Err(e) => panic!("open_session {}: expected Ok or Conflict, got {e}", session.id),
    }
}

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

/// An opened session is live from its opening on, and reads back whole
/// (millisecond times included).
pub async fn sessions_open_then_live(store: &dyn SessionStore) {
    let opened = session("9f3c0a7be41d", "slack:U0ALICE", 0, 43_200_000);
    open_all(store, &[&opened]).await;
    assert_eq!(live(store, &opened.id, at_ms(0)).await, Some(opened.clone()), "live at its opening");
    assert_eq!(live(store, &opened.id, at_ms(60_000)).await, Some(opened.clone()), "live a minute later");
    let token = session("0b1d2e3f4a5c", "token:api", 1_000, 2_000);
    open_all(store, &[&token]).await;
    assert_eq!(live(store, &token.id, at_ms(1_500)).await, Some(token), "each id reads back its own record");
    assert_eq!(live(store, &opened.id, at_ms(1_500)).await, Some(opened), "the first is untouched");
}

/// An id never opened is not live, in an empty store or beside others
/// (no prefix or case-insensitive match).
pub async fn sessions_unknown_ids_are_not_live(store: &dyn SessionStore) {
    assert_eq!(live(store, "c0ffee", at_ms(0)).await, None, "an empty store");
    open_all(store, &[&session("c0ffee00", "token:read", 0, 60_000)]).await;
    for unknown in ["c0ffee", "c0ffee000", "C0FFEE00", "", "c0ffee00 "] {
        assert_eq!(live(store, unknown, at_ms(10)).await, None, "{unknown:?} was never opened");
    }
    assert!(live(store, "c0ffee00", at_ms(10)).await.is_some(), "the opened one is live");
}

/// A session is live until just before `expires_at` and expired from then
/// on; an expired session cannot be revoked.
pub async fn sessions_expire_at_expires_at(store: &dyn SessionStore) {
    let s = session("e1e1e1", "slack:U0BOB", 0, 10_000);
    open_all(store, &[&s]).await;
    assert_eq!(live(store, &s.id, at_ms(9_999)).await, Some(s.clone()), "live a millisecond before");
    assert_eq!(live(store, &s.id, at_ms(10_000)).await, None, "expired at expires_at");
    assert_eq!(live(store, &s.id, at_ms(3_600_000)).await, None, "expired later");
    assert!(!revoke(store, &s.id, at_ms(10_000)).await, "an expired session is not live, so not revoked");
    assert!(listed(store, at_ms(10_000), 10).await.is_empty(), "not listed once expired");
}

/// A revoked session is not live any more; revoking it again, or revoking
/// an unknown id, is `false`; other sessions, the user's own included, stay.
pub async fn sessions_revoked_are_not_live_and_revoke_once(store: &dyn SessionStore) {
    let phone = session("aaaa0001", "slack:U0CAROL", 0, 60_000);
    let laptop = session("aaaa0002", "slack:U0CAROL", 100, 60_000);
    open_all(store, &[&phone, &laptop]).await;
    assert!(revoke(store, &phone.id, at_ms(1_000)).await, "a live session is revoked");
    assert_eq!(live(store, &phone.id, at_ms(1_000)).await, None, "not live once revoked");
    assert_eq!(live(store, &phone.id, at_ms(2_000)).await, None, "nor later");
    assert!(!revoke(store, &phone.id, at_ms(1_001)).await, "revoking twice is false the second time");
    assert_eq!(live(store, &laptop.id, at_ms(1_000)).await, Some(laptop.clone()), "the other session stays");
    assert!(!revoke(store, "aaaa0003", at_ms(1_000)).await, "an unknown id is not revoked");
    assert_eq!(ids(&listed(store, at_ms(1_000), 10).await), vec![laptop.id.as_str()], "only the live one is listed");
}

/// `revoke_user_sessions` revokes the user's live sessions only, counts
/// them, and leaves other users (a longer id with the same prefix included)
/// alone.
pub async fn sessions_revoke_user_counts_only_their_live_sessions(store: &dyn SessionStore) {
    let user = "slack:U1";
    let mine = [session("b001", user, 0, 60_000), session("b002", user, 10, 90_000)];
    let revoked = session("b003", user, 20, 60_000);
    let expired = session("b004", user, 30, 500);
    let others = [session("b005", "slack:U10", 0, 60_000), session("b006", "token:api", 0, 60_000)];
    let shouty = session("b007", "SLACK:U1", 0, 60_000);
    open_all(store, &[&mine[0], &mine[1], &revoked, &expired, &others[0], &others[1], &shouty]).await;
    assert!(revoke(store, &revoked.id, at_ms(100)).await);

    assert_eq!(revoke_user(store, user, at_ms(1_000)).await, 2, "the two live ones, not the revoked or expired");
    for s in &mine {
        assert_eq!(live(store, &s.id, at_ms(1_000)).await, None, "{} revoked with its user", s.id);
    }
    for s in others.iter().chain([&shouty]) {
        assert_eq!(live(store, &s.id, at_ms(1_000)).await, Some(s.clone()), "{} of {} stays", s.id, s.user);
    }
    assert_eq!(revoke_user(store, user, at_ms(2_000)).await, 0, "nothing live is left");
    assert_eq!(revoke_user(store, "slack:U0NOBODY", at_ms(2_000)).await, 0, "an unknown user");
    assert!(!revoke(store, &mine[0].id, at_ms(2_000)).await, "already revoked");
}

/// `live_sessions` lists live sessions newest first (same instant: highest
/// id first), at most `limit`, without revoked or expired ones.
pub async fn sessions_live_list_is_newest_first_within_limit(store: &dyn SessionStore) {
    let oldest = session("d001", "token:api", 0, 90_000);
    let middle_a = session("d00a", "slack:U2", 2_000, 90_000);
    let middle_b = session("d00b", "slack:U3", 2_000, 90_000);
    let newest = session("d002", "token:read", 3_000, 90_000);
    let revoked = session("d003", "slack:U4", 4_000, 90_000);
    let expired = session("d004", "slack:U5", 5_000, 6_000);
    let later_expiring = session("d005", "slack:U6", 1_000, 7_001);
    // Opened out of order, so insertion order is not the answer.
    open_all(store, &[&middle_a, &expired, &oldest, &newest, &revoked, &later_expiring, &middle_b]).await;
    assert!(revoke(store, &revoked.id, at_ms(5_000)).await);

    let all = listed(store, at_ms(7_000), 100).await;
    assert_eq!(
        all,
        vec![newest.clone(), middle_b.clone(), middle_a.clone(), later_expiring.clone(), oldest.clone()],
        "newest first, ties by id, whole records"
    );
    assert_eq!(ids(&listed(store, at_ms(7_000), 2).await), vec!["d002", "d00b"], "the newest two");
    assert!(listed(store, at_ms(7_000), 0).await.is_empty(), "a limit of 0");
    assert_eq!(
        ids(&listed(store, at_ms(7_001), 100).await),
        vec!["d002", "d00b", "d00a", "d001"],
        "one more expired at its expires_at"
    );
    assert_eq!(
        ids(&listed(store, at_ms(5_500), 100).await),
        vec!["d004", "d002", "d00b", "d00a", "d005", "d001"],
        "before its expiry the short one is listed first; the revoked one never"
    );
    assert!(listed(store, at_ms(90_000), 100).await.is_empty(), "all expired");
}

/// Opening an id that exists is `Conflict` and changes nothing, whether the
/// stored session is live, revoked or expired.
pub async fn sessions_opening_an_existing_id_conflicts(store: &dyn SessionStore) {
    let first = session("f00d", "slack:U0DAVE", 0, 60_000);
    open_all(store, &[&first]).await;
    let intruder = session("f00d", "token:api", 500, 120_000);
    match store.open_session(&intruder).await {
        Err(PortError::Conflict(_)) => {}
        other => panic!("opening an existing id: expected Conflict, got {other:?}"),
    }
    assert_eq!(live(store, "f00d", at_ms(1_000)).await, Some(first.clone()), "the first record is kept");
    assert!(revoke(store, "f00d", at_ms(1_000)).await);
    assert!(id_taken(store, &intruder).await, "a revoked id stays taken");
    assert_eq!(live(store, "f00d", at_ms(1_000)).await, None, "and stays revoked");
    let short = session("5407", "token:read", 0, 1_000);
    open_all(store, &[&short]).await;
    assert!(id_taken(store, &session("5407", "token:read", 2_000, 90_000)).await, "an expired id stays taken");
    assert_eq!(live(store, "5407", at_ms(2_000)).await, None, "and stays expired");
}

/// `forget_sessions_before` deletes sessions that expired strictly before
/// the cutoff, revoked or not; the rest stay (their ids still taken).
pub async fn sessions_forget_deletes_only_those_expired_before_cutoff(store: &dyn SessionStore) {
    let expired = session("a1", "slack:U7", 0, 1_000);
    let revoked_expired = session("a2", "slack:U7", 0, 2_000);
    let at_cutoff = session("a3", "slack:U8", 0, 3_000);
    let revoked_live = session("a4", "slack:U8", 0, 10_000);
    let live_one = session("a5", "token:api", 0, 10_000);
    open_all(store, &[&expired, &revoked_expired, &at_cutoff, &revoked_live, &live_one]).await;
    assert!(revoke(store, "a2", at_ms(500)).await);
    assert!(revoke(store, "a4", at_ms(500)).await);

    let forget = |cutoff_ms: i64| async move {
        store.forget_sessions_before(at_ms(cutoff_ms)).await.unwrap_or_else(|e| panic!("forget_sessions_before: {e}"))
    };
    assert_eq!(forget(3_000).await, 2, "the two that expired before the cutoff");
    assert_eq!(forget(3_000).await, 0, "nothing more");
    assert!(!id_taken(store, &session("a1", "slack:U7", 4_000, 20_000)).await, "a forgotten id is free");
    assert!(!id_taken(store, &session("a2", "slack:U7", 4_000, 20_000)).await, "a forgotten revoked id is free");
    for kept in [&at_cutoff, &revoked_live, &live_one] {
        assert!(id_taken(store, kept).await, "{} is kept", kept.id);
    }
    assert_eq!(live(store, "a5", at_ms(4_000)).await, Some(live_one), "a live session is untouched");
    assert_eq!(live(store, "a1", at_ms(4_000)).await.map(|s| s.user), Some("slack:U7".into()), "reopened");
    assert_eq!(forget(1_000_000).await, 5, "everything has expired by then");
    assert!(listed(store, at_ms(0), 100).await.is_empty(), "nothing left");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::contract::CheckFuture;
    use crate::testkit::InMemoryStore;

    async fn in_memory<F>(check: F)
    where
        F: for<'a> FnOnce(&'a dyn SessionStore) -> CheckFuture<'a>,
    {
        let store = InMemoryStore::new();
        check(&store).await;
    }

    crate::session_store_contract_tests!(in_memory);

    #[tokio::test]
    async fn run_all_passes_against_the_in_memory_store() {
        run_all(|| async { InMemoryStore::new() }).await;
    }
}
