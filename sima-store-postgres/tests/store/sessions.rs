//! Dashboard sessions: the sima-core session contract, one test per check,
//! against a real server; outages; and what a second replica sees.

use sima_core::ports::{PortError, SessionStore};
use sima_core::testkit::contract::sessions::session;
use sima_core::testkit::contract::{at_ms, CheckFuture};
use sima_store_postgres::{PgStore, PgStoreConfig};

use crate::helpers::TestDb;

/// Runs one session check against a store on a fresh database.
async fn fresh_sessions<F>(check: F)
where
    F: for<'a> FnOnce(&'a dyn SessionStore) -> CheckFuture<'a>,
{
    let Some(db) = TestDb::create().await else { return };
    check(&db.store).await;
    db.store.close().await;
}

sima_core::session_store_contract_tests!(fresh_sessions);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_of_a_closed_pool_are_transient() {
    let Some(db) = TestDb::create().await else { return };
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
async fn a_revocation_on_one_replica_holds_on_another() {
    let Some(db) = TestDb::create().await else { return };
    let other = PgStore::connect(&PgStoreConfig::new(db.database.url().to_owned())).await.expect("a second replica");
    let s = session("4e91ca", "slack:U0FRANK", 0, 60_000);
    db.store.open_session(&s).await.expect("open");
    assert_eq!(other.live_session(&s.id, at_ms(1)).await.expect("read"), Some(s.clone()), "opened everywhere");
    assert!(other.revoke_session(&s.id, at_ms(2)).await.expect("revoke"), "signed out on the other replica");
    assert_eq!(db.store.live_session(&s.id, at_ms(3)).await.expect("read"), None, "revoked everywhere");
    match other.open_session(&s).await {
        Err(PortError::Conflict(why)) => assert!(!why.contains(&s.id), "ids stay out of errors: {why}"),
        got => panic!("expected Conflict, got {got:?}"),
    }
    other.close().await;
    db.store.close().await;
}
