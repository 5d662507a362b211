//! Dashboard sessions: the sima-core session contract, one test per check,
//! and outages.

use sima_core::ports::{PortError, SessionStore};
use sima_core::testkit::contract::sessions::session;
use sima_core::testkit::contract::{at_ms, CheckFuture};

use crate::helpers::TestDb;

/// Runs one session check against a store on a fresh file.
async fn fresh_sessions<F>(check: F)
where
    F: for<'a> FnOnce(&'a dyn SessionStore) -> CheckFuture<'a>,
{
    let db = TestDb::create().await;
    check(&db.store).await;
    db.store.close().await;
}

sima_core::session_store_contract_tests!(fresh_sessions);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_of_a_closed_store_are_transient() {
    let db = TestDb::create().await;
    let s = session("c105ed", "token:api", 0, 60_000);
    db.store.open_session(&s).await.expect("open");
    db.store.close().await;
    assert!(matches!(db.store.open_session(&session("c105ee", "token:api", 0, 1)).await, Err(PortError::Transient(_))));
    assert!(matches!(db.store.live_session(&s.id, at_ms(1)).await, Err(PortError::Transient(_))));
    assert!(matches!(db.store.revoke_session(&s.id, at_ms(1)).await, Err(PortError::Transient(_))));
    assert!(matches!(db.store.revoke_user_sessions(&s.user, at_ms(1)).await, Err(PortError::Transient(_))));
    assert!(matches!(db.store.live_sessions(at_ms(1), 10).await, Err(PortError::Transient(_))));
    assert!(matches!(db.store.forget_sessions_before(at_ms(1)).await, Err(PortError::Transient(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_survive_reopening_the_file() {
    let db = TestDb::create().await;
    let s = session("5a7ed0", "slack:U0ERIN", 0, 60_000);
    db.store.open_session(&s).await.expect("open");
    db.store.close().await;
    let again = sima_store_sqlite::SqliteStore::connect(&db.config).await.expect("reopen");
    assert_eq!(again.live_session(&s.id, at_ms(1)).await.expect("read"), Some(s), "what another replica sees");
}
