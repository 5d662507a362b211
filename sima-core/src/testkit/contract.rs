//! The store contract suite: every [`IncidentStore`] implementation runs these
//! checks against a fresh, empty store of its own.
//!
//! Each check is a public async function taking `&dyn IncidentStore`; it panics
//! with a message naming what went wrong. Store crates generate one test per
//! check with [`store_contract_tests!`](crate::store_contract_tests), or call
//! [`run_all`]. The incidents are built with the real domain code
//! ([`Declaration::decide`], [`Incident::from_declared`], [`Incident::decide`]
//! and [`Incident::apply`]), so the data looks like what the service writes.
//!
//! The builders ([`declaration`], [`new_incident`], [`act`], [`generated`]) are
//! public so that stores can reuse them in their own tests and benchmarks.
//!
//! [`sessions`] holds the checks of the [`SessionStore`](crate::ports::SessionStore)
//! port, a trait of its own that stores implement beside [`IncidentStore`].

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures::future::join_all;

use crate::domain::{
    Actor, Command, Declaration, DedupKey, Description, Domain, EventKind, FieldEdit, Impact, Incident, IncidentEvent,
    IncidentId, IncidentNumber, Outcome, Role, Room, RoomId, Severity, Status, Summary, Text, UserRef,
};
use crate::metrics::{compute, Durations};
use crate::ports::{
    AppendBatch, Claim, ClaimToken, ClaimedEffect, Created, EffectId, IncidentFilter, IncidentStore, Lease,
    MilestoneRow, NewEffect, NewIncident, OutboxStats, PortError,
};
use crate::runbook::Effect;

mod fields;
pub mod sessions;
mod tickets;
mod together;
pub mod tracker;

pub use fields::{field_rows_of, security_history, untyped_history, FieldRow};
pub use tickets::{linked_tickets_are_open_or_recently_done, tickets_are_found_by_their_id};
pub use together::writes_sent_together_are_each_kept_or_refused_alone;

/// The future of one check, borrowing the store under test.
pub type CheckFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// Generates one `#[tokio::test]` per contract check. The argument is an async
/// function `runner(check)` where `check: for<'a> FnOnce(&'a dyn IncidentStore)
/// -> CheckFuture<'a>`; the runner builds a fresh store, awaits
/// `check(&store)`, and cleans up.
///
/// ```
/// use sima_core::ports::IncidentStore;
/// use sima_core::testkit::{contract::CheckFuture, InMemoryStore};
///
/// async fn fresh<F>(check: F)
/// where
///     F: for<'a> FnOnce(&'a dyn IncidentStore) -> CheckFuture<'a>,
/// {
///     let store = InMemoryStore::new();
///     check(&store).await;
/// }
/// sima_core::store_contract_tests!(fresh);
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// #     fresh(|store| Box::pin(sima_core::testkit::contract::ping_answers(store))).await;
/// # }
/// ```
#[macro_export]
macro_rules! store_contract_tests {
    ($runner:path) => {
        $crate::store_contract_tests!(@checks [@each $runner;]);
    };
    // With SQL views: `$views(check)` builds a fresh store, awaits
    // `check(&store, &views)` with the store's `SqlViews`, and cleans up.
    ($runner:path, views: $views:path) => {
        $crate::store_contract_tests!($runner);

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn metrics_view_equals_the_core() {
            $views(|store, view| {
                ::std::boxed::Box::pin($crate::testkit::views::metrics_view_equals_the_core(store, view))
            })
            .await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn timeline_has_one_row_per_event() {
            $views(|store, views| {
                ::std::boxed::Box::pin($crate::testkit::views::timeline_has_one_row_per_event(store, views))
            })
            .await;
        }
    };
    // The one list of checks, handed to `@each` (tests) or `@run` (`run_all`).
    (@checks [$($then:tt)*]) => {
        $crate::store_contract_tests!($($then)*
            create_allocates_increasing_numbers,
            lookups_by_id_number_room_and_dedup_key,
            dedup_key_is_unique_while_not_terminal,
            append_extends_the_log_contiguously,
            stale_version_conflicts_and_writes_nothing,
            unknown_incidents_are_not_found,
            effects_enqueued_with_writes_are_claimable,
            completes_marks_the_effect_done_with_the_append,
            claim_due_respects_due_at_order_and_limit,
            rooms_are_claimed_before_older_effects,
            the_most_severe_incidents_are_claimed_first,
            a_changed_severity_moves_pending_effects_in_the_claim_order,
            leases_hide_effects_until_they_expire,
            retry_give_up_and_release,
            unknown_effects_are_not_found,
            stale_holders_are_refused,
            stale_completes_records_events_but_not_completion,
            renewed_leases_are_not_taken,
            released_leases_are_taken_at_once,
            effects_enqueued_leased_belong_to_their_holder,
            retry_failed_requeues_failed_effects,
            outbox_stats_count_each_state,
            outbox_backlog_counts_what_is_not_done,
            remember_and_forget_keys,
            list_filters_and_orders_newest_first,
            milestones_equal_the_snapshots,
            incident_counts_follow_status_and_severity,
            concurrent_appends_lose_no_event,
            concurrent_declarations_create_one_incident,
            concurrent_claims_take_each_effect_once,
            writes_sent_together_are_each_kept_or_refused_alone,
            tickets_are_found_by_their_id,
            linked_tickets_are_open_or_recently_done,
            ping_answers,
        );
    };
    (@run $factory:ident; $($check:ident),* $(,)?) => {
        $( $crate::testkit::contract::$check(&$factory().await).await; )*
    };
    (@each $runner:path; $($check:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                $runner(|store| ::std::boxed::Box::pin($crate::testkit::contract::$check(store))).await;
            }
        )*
    };
}

/// Runs every check, each against a fresh store from `factory`.
pub async fn run_all<S, F, Fut>(factory: F)
where
    S: IncidentStore,
    F: Fn() -> Fut,
    Fut: Future<Output = S>,
{
    crate::store_contract_tests!(@checks [@run factory;]);
}

// ---------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------

/// A fixed time the checks start from: `2026-03-02T09:15:30.123Z`.
pub fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(1_772_442_930_123).unwrap_or_default()
}

/// `t0() + ms` milliseconds.
pub fn at_ms(ms: i64) -> DateTime<Utc> {
    t0() + TimeDelta::milliseconds(ms)
}

fn domain(s: &str) -> Domain {
    Domain::parse(s).unwrap_or_else(|e| panic!("test domain {s}: {e}"))
}

fn text(s: &str) -> Text {
    Text::parse(s).unwrap_or_else(|e| panic!("test text {s}: {e}"))
}

fn user(s: &str) -> UserRef {
    UserRef::parse(s).unwrap_or_else(|e| panic!("test user {s}: {e}"))
}

fn key(s: &str) -> DedupKey {
    DedupKey::parse(s).unwrap_or_else(|e| panic!("test dedup key {s}: {e}"))
}

/// A declaration in `domain` at `severity`, with an optional dedup key.
pub fn declaration(domain_slug: &str, severity: Severity, dedup_key: Option<&str>) -> Declaration {
    Declaration {
        domain: domain(domain_slug),
        summary: Summary::parse(&format!("{domain_slug} is degraded")).unwrap_or_else(|e| panic!("{e}")),
        description: Description::parse("Customers see errors; é and 😀 survive storage.")
            .unwrap_or_else(|e| panic!("{e}")),
        severity,
        impact: Some(Impact::new(120)),
        started_at: None,
        dedup_key: dedup_key.map(key),
        reporter: Actor::User(user("U0REPORTER")),
        private: false,
        incident_type: None,
        fields: Default::default(),
    }
}

/// The new incident a declaration makes at `now`, with a `create_room` effect
/// due at `now`.
///
/// # Panics
/// If the declaration is refused (test input).
pub fn new_incident(declaration: &Declaration, now: DateTime<Utc>) -> NewIncident {
    let kind = declaration.decide(now).unwrap_or_else(|e| panic!("declaration refused: {e}"));
    let event = IncidentEvent { seq: 1, at: now, actor: declaration.reporter.clone(), kind };
    let id = IncidentId::new();
    let incident = Incident::from_declared(id, IncidentNumber::UNALLOCATED, &event)
        .unwrap_or_else(|| panic!("a declared event makes an incident"));
    NewIncident { incident, events: vec![event], effects: vec![NewEffect::due(id, Effect::CreateRoom, now)] }
}

/// The batch that records `command` on `incident` at `now` (events decided by
/// the domain, snapshot folded from them), with no effects.
///
/// # Panics
/// If the domain refuses the command (test input).
pub fn batch(incident: &Incident, command: &Command, now: DateTime<Utc>) -> AppendBatch {
    let kinds = incident.decide(command, now).unwrap_or_else(|e| panic!("{command:?} refused: {e}"));
    let mut next = incident.clone();
    let events: Vec<IncidentEvent> = kinds
        .into_iter()
        .zip(incident.version() + 1..)
        .map(|(kind, seq)| IncidentEvent { seq, at: now, actor: Actor::Api, kind })
        .collect();
    for event in &events {
        next.apply(event);
    }
    AppendBatch { incident: next, expected_version: incident.version(), events, effects: vec![], completes: None }
}

/// Loads the incident, decides `command` at `now` and appends the result.
///
/// # Errors
/// Whatever the store's `append` returns (`Conflict` on a lost race).
///
/// # Panics
/// If the incident does not exist or the domain refuses the command.
pub async fn act(
    store: &dyn IncidentStore,
    id: IncidentId,
    command: Command,
    now: DateTime<Utc>,
) -> Result<Incident, PortError> {
    let incident = must_get(store, id).await;
    store.append(batch(&incident, &command, now)).await
}

/// Creates an incident and expects it to be new.
///
/// # Panics
/// If the store fails or returns an existing incident.
pub async fn create_new(store: &dyn IncidentStore, new: NewIncident) -> Incident {
    match store.create(new).await {
        Ok(Created::New(incident)) => incident,
        other => panic!("expected a new incident, got {other:?}"),
    }
}

async fn must_get(store: &dyn IncidentStore, id: IncidentId) -> Incident {
    store.get(id).await.unwrap_or_else(|e| panic!("get {id}: {e}")).unwrap_or_else(|| panic!("incident {id} missing"))
}

pub(crate) async fn must_act(
    store: &dyn IncidentStore,
    id: IncidentId,
    command: Command,
    now: DateTime<Utc>,
) -> Incident {
    let shown = format!("{command:?}");
    act(store, id, command, now).await.unwrap_or_else(|e| panic!("append {shown}: {e}"))
}

fn status(to: Status) -> Command {
    Command::ChangeStatus { to, message: Some(text(&format!("now {to}"))) }
}

fn effect(incident_id: IncidentId, effect: Effect, due_at: DateTime<Utc>) -> NewEffect {
    NewEffect::due(incident_id, effect, due_at)
}

async fn claim(store: &dyn IncidentStore, limit: usize, now: DateTime<Utc>, lease_secs: u64) -> Vec<ClaimedEffect> {
    store.claim_due(limit, now, Duration::from_secs(lease_secs)).await.unwrap_or_else(|e| panic!("claim_due: {e}"))
}

fn ids(claimed: &[ClaimedEffect]) -> Vec<EffectId> {
    claimed.iter().map(|c| c.id).collect()
}

async fn stats(store: &dyn IncidentStore) -> OutboxStats {
    stats_at(store, at_ms(3_600_000)).await
}

/// Outbox counts at `now`.
async fn stats_at(store: &dyn IncidentStore, now: DateTime<Utc>) -> OutboxStats {
    store.outbox_stats(now).await.unwrap_or_else(|e| panic!("outbox_stats: {e}"))
}

/// Pending, completed and failed counts.
async fn counts(store: &dyn IncidentStore) -> (u64, u64, u64) {
    let s = stats(store).await;
    (s.pending, s.completed, s.failed)
}

/// A small deterministic pseudo-random sequence (so generated data is the same
/// on every run and in every store).
#[derive(Debug, Clone)]
pub struct Lcg(u64);

impl Lcg {
    /// A sequence from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407))
    }

    /// The next value below `n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// A generated incident history: a declaration and the commands that follow,
/// each with the time it happens.
#[derive(Debug, Clone)]
pub struct History {
    /// The declaration.
    pub declaration: Declaration,
    /// When it was declared.
    pub declared_at: DateTime<Utc>,
    /// What happened next, in order.
    pub commands: Vec<(Command, DateTime<Utc>)>,
}

/// An incident with three action items: one owned and due, one done, one
/// added after the incident was closed. Stores' `incident_action_items`
/// views are checked against it.
pub fn action_items_history() -> History {
    let at = |minutes: i64| t0() + chrono::Duration::minutes(minutes);
    let item = |text: &str, owner: Option<&str>, due: Option<&str>| {
        Command::AddActionItem(crate::domain::NewActionItem {
            text: Text::parse(text).unwrap_or_else(|e| panic!("{e}")),
            owner: owner.map(user),
            due: due.map(|d| d.parse().unwrap_or_else(|e| panic!("{d}: {e}"))),
        })
    };
    let status = |to| Command::ChangeStatus { to, message: None };
    History {
        declaration: declaration("payments", Severity::Sev2, None),
        declared_at: t0(),
        commands: vec![
            (item("alert on queue depth", Some("UBOB"), Some("2026-12-01")), at(5)),
            (item("write the runbook", None, None), at(6)),
            (Command::CompleteActionItem(2), at(7)),
            (status(Status::Resolved), at(8)),
            (status(Status::Closed), at(9)),
            (item("rotate the keys", Some("UALICE"), None), at(10)),
        ],
    }
}

/// One row of an `incident_action_items` view: item number, text, owner,
/// status and due date (`YYYY-MM-DD`).
pub type ActionItemRow = (i64, String, Option<String>, String, Option<String>);

/// The rows an `incident_action_items` view shows for [`action_items_history`].
pub fn expected_action_item_rows() -> Vec<ActionItemRow> {
    let row = |item, text: &str, owner: Option<&str>, status: &str, due: Option<&str>| {
        (item, text.to_owned(), owner.map(str::to_owned), status.to_owned(), due.map(str::to_owned))
    };
    vec![
        row(1, "alert on queue depth", Some("UBOB"), "open", Some("2026-12-01")),
        row(2, "write the runbook", None, "done", None),
        row(3, "rotate the keys", Some("UALICE"), "open", None),
    ]
}

const DOMAINS: [&str; 4] = ["outbound-email", "payments", "search", "auth"];

/// The `n`-th generated history: a random walk over the allowed transitions
/// (reopenings, closings and false positives included), role hand-overs,
/// notes, backdated starts and severity edits, at millisecond times.
pub fn generated(n: u64) -> History {
    let mut rng = Lcg::new(n);
    let declared_at = at_ms(n as i64 * 3_600_000 + rng.below(3_600_000) as i64);
    let mut declaration = declaration(
        DOMAINS[rng.below(4) as usize],
        Severity::ALL[rng.below(4) as usize],
        (rng.below(3) == 0).then(|| format!("alert-{n}")).as_deref(),
    );
    if rng.below(3) == 0 {
        declaration.started_at = Some(declared_at - TimeDelta::milliseconds(rng.below(7_200_000) as i64));
    }
    let mut commands = Vec::new();
    let mut now = declared_at;
    let mut current = Status::Open;
    let steps = rng.below(9);
    for _ in 0..steps {
        if current.is_terminal() {
            break;
        }
        now += TimeDelta::milliseconds(1 + rng.below(2_700_000) as i64);
        let command = match rng.below(10) {
            0 => Command::AssignRole { role: Role::IncidentManager, user: user(&format!("U{}", rng.below(5))) },
            1 => Command::AddNote(text(&format!("note {}", rng.below(1000)))),
            2 => Command::Edit(FieldEdit::StartedAt(declared_at - TimeDelta::milliseconds(rng.below(600_000) as i64))),
            3 => Command::Edit(FieldEdit::Severity(Severity::ALL[rng.below(4) as usize])),
            _ => {
                let next = current.next();
                let to = next[rng.below(next.len() as u64) as usize];
                current = to;
                status(to)
            }
        };
        commands.push((command, now));
    }
    History { declaration, declared_at, commands }
}

/// Writes a generated history into `store` and returns the final snapshot.
/// Commands the domain turns into no event are skipped; a dedup key already
/// open is dropped so that every history makes its own incident.
///
/// # Panics
/// If the store fails.
pub async fn write_history(store: &dyn IncidentStore, history: &History) -> Incident {
    let mut declaration = history.declaration.clone();
    if let Some(key) = &declaration.dedup_key {
        if store.find_open_by_dedup_key(key).await.unwrap_or_else(|e| panic!("{e}")).is_some() {
            declaration.dedup_key = None;
        }
    }
    let mut incident = create_new(store, new_incident(&declaration, history.declared_at)).await;
    for (command, now) in &history.commands {
        let b = batch(&incident, command, *now);
        if b.events.is_empty() {
            continue;
        }
        incident = store.append(b).await.unwrap_or_else(|e| panic!("append {command:?}: {e}"));
    }
    incident
}

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

/// `create` allocates increasing numbers, sets them in the snapshot, and the
/// snapshot and its first event round-trip exactly (millisecond times included).
pub async fn create_allocates_increasing_numbers(store: &dyn IncidentStore) {
    let mut last = IncidentNumber::UNALLOCATED;
    for (i, slug) in ["payments", "search", "auth"].into_iter().enumerate() {
        let mut d = declaration(slug, Severity::Sev2, None);
        d.started_at = Some(at_ms(i as i64 * 1000 - 61_001));
        let new = new_incident(&d, at_ms(i as i64 * 1000));
        let first_event = new.events[0].clone();
        let mut expected = new.incident.clone();
        let created = create_new(store, new).await;
        assert!(created.number() > last, "numbers must increase: {} after {}", created.number(), last);
        assert_ne!(created.number(), IncidentNumber::UNALLOCATED, "the store allocates the number");
        last = created.number();
        expected = expected.numbered(created.number());
        assert_eq!(created, expected, "create returns the snapshot with its number");
        assert_eq!(must_get(store, created.id()).await, expected, "the stored snapshot round-trips");
        let events = store.events(created.id()).await.unwrap_or_else(|e| panic!("events: {e}"));
        assert_eq!(events, vec![first_event], "the declared event round-trips");
    }
}

/// Incidents are found by id, number, room and open dedup key; unknown ones are `None`.
pub async fn lookups_by_id_number_room_and_dedup_key(store: &dyn IncidentStore) {
    let first =
        create_new(store, new_incident(&declaration("payments", Severity::Sev1, Some("pay-1")), at_ms(0))).await;
    let other = create_new(store, new_incident(&declaration("search", Severity::Sev3, None), at_ms(5))).await;
    let room =
        Room { id: RoomId::new("C0ROOM1"), name: "incident_03_02_payments".into(), url: "https://chat/C0ROOM1".into() };
    let with_room = must_act(store, first.id(), Command::Record(Outcome::RoomCreated(room.clone())), at_ms(10)).await;

    assert_eq!(store.get(first.id()).await.ok().flatten(), Some(with_room.clone()));
    assert_eq!(store.get_by_number(first.number()).await.ok().flatten(), Some(with_room.clone()));
    assert_eq!(store.get_by_number(other.number()).await.ok().flatten(), Some(other.clone()));
    assert_eq!(store.find_by_room(&room.id).await.ok().flatten(), Some(with_room.clone()));
    assert_eq!(store.find_open_by_dedup_key(&key("pay-1")).await.ok().flatten(), Some(with_room));

    assert_eq!(store.get(IncidentId::new()).await.ok(), Some(None));
    let unknown_number = IncidentNumber::new(other.number().value() + 1000).unwrap_or(IncidentNumber::UNALLOCATED);
    assert_eq!(store.get_by_number(unknown_number).await.ok(), Some(None));
    assert_eq!(store.find_by_room(&RoomId::new("C0NOPE")).await.ok(), Some(None));
    assert_eq!(store.find_open_by_dedup_key(&key("pay-2")).await.ok(), Some(None));
}

/// A dedup key opens one incident while it is not terminal (resolved is not
/// terminal); a second declaration gets the existing one and writes nothing.
/// Once terminal (false positive or closed), the key may open a new incident.
pub async fn dedup_key_is_unique_while_not_terminal(store: &dyn IncidentStore) {
    let d = declaration("outbound-email", Severity::Sev2, Some("mail-queue"));
    let first = create_new(store, new_incident(&d, at_ms(0))).await;
    let before = stats(store).await;

    let second = new_incident(&d, at_ms(1000));
    let second_id = second.incident.id();
    match store.create(second).await {
        Ok(Created::Existing(existing)) => assert_eq!(existing, first, "the existing incident comes back"),
        other => panic!("expected Existing, got {other:?}"),
    }
    assert_eq!(store.get(second_id).await.ok(), Some(None), "the duplicate is not stored");
    assert!(matches!(store.events(second_id).await, Err(PortError::NotFound(_))), "no events for the duplicate");
    assert_eq!(stats(store).await, before, "the duplicate's effects are not enqueued");

    must_act(store, first.id(), status(Status::Resolved), at_ms(2000)).await;
    match store.create(new_incident(&d, at_ms(3000))).await {
        Ok(Created::Existing(existing)) => assert_eq!(existing.id(), first.id(), "resolved is not terminal"),
        other => panic!("expected Existing while resolved, got {other:?}"),
    }
    must_act(store, first.id(), status(Status::Closed), at_ms(4000)).await;
    assert_eq!(store.find_open_by_dedup_key(&key("mail-queue")).await.ok(), Some(None), "closed is terminal");

    let reopened = create_new(store, new_incident(&d, at_ms(5000))).await;
    assert!(reopened.number() > first.number());
    assert_eq!(
        store.find_open_by_dedup_key(&key("mail-queue")).await.ok().flatten().map(|i| i.id()),
        Some(reopened.id())
    );

    must_act(store, reopened.id(), status(Status::FalsePositive), at_ms(6000)).await;
    let third = create_new(store, new_incident(&d, at_ms(7000))).await;
    assert_eq!(store.find_open_by_dedup_key(&key("mail-queue")).await.ok().flatten().map(|i| i.id()), Some(third.id()));
    let all = store.list(&IncidentFilter::default()).await.unwrap_or_else(|e| panic!("list: {e}"));
    assert_eq!(all.len(), 3, "three incidents over the key's life");
}

/// Appends with the right version extend the log with contiguous `seq`; the
/// stored snapshot is the one appended.
pub async fn append_extends_the_log_contiguously(store: &dyn IncidentStore) {
    let created = create_new(store, new_incident(&declaration("auth", Severity::Sev2, None), at_ms(0))).await;
    let mut expected_events = store.events(created.id()).await.unwrap_or_else(|e| panic!("{e}"));
    let commands = [
        Command::AssignRole { role: Role::IncidentManager, user: user("U0MANAGER") },
        status(Status::Investigating),
        Command::AddNote(text("rolled back the deploy")),
        Command::Edit(FieldEdit::StartedAt(at_ms(-120_000))),
        status(Status::Monitoring),
        status(Status::Resolved),
    ];
    let mut incident = created;
    for (i, command) in commands.into_iter().enumerate() {
        let b = batch(&incident, &command, at_ms(1000 * (i as i64 + 1) + 7));
        expected_events.extend(b.events.iter().cloned());
        let expected = b.incident.clone();
        incident = store.append(b).await.unwrap_or_else(|e| panic!("append {command:?}: {e}"));
        assert_eq!(incident, expected, "append returns the new snapshot");
    }
    let events = store.events(incident.id()).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(events, expected_events, "every event comes back, in order");
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=events.len() as u64).collect::<Vec<_>>(), "seq is contiguous from 1");
    let stored = must_get(store, incident.id()).await;
    assert_eq!(stored, incident);
    assert_eq!(stored.version(), events.len() as u64);
    let replayed = Incident::replay(stored.id(), stored.number(), &events).unwrap_or_else(|| panic!("replay"));
    assert_eq!(replayed, stored, "the snapshot is the fold of the log");
}

/// A stale expected version returns `Conflict` and writes nothing: no event,
/// no snapshot change, no effect, and `completes` stays pending.
pub async fn stale_version_conflicts_and_writes_nothing(store: &dyn IncidentStore) {
    let created = create_new(store, new_incident(&declaration("search", Severity::Sev3, None), at_ms(0))).await;
    let claimed = claim(store, 10, at_ms(0), 60).await;
    assert_eq!(claimed.len(), 1);
    let current = must_act(store, created.id(), status(Status::Investigating), at_ms(10)).await;
    let events_before = store.events(created.id()).await.unwrap_or_else(|e| panic!("{e}"));
    let stats_before = stats(store).await;

    let mut stale = batch(&created, &Command::AddNote(text("late writer")), at_ms(20));
    stale.effects.push(effect(created.id(), Effect::RefreshCard, at_ms(20)));
    stale.completes = Some(claimed[0].claim());
    match store.append(stale).await {
        Err(PortError::Conflict(_)) => {}
        other => panic!("expected Conflict, got {other:?}"),
    }
    assert_eq!(store.events(created.id()).await.unwrap_or_else(|e| panic!("{e}")), events_before, "no event written");
    assert_eq!(must_get(store, created.id()).await, current, "snapshot unchanged");
    assert_eq!(stats(store).await, stats_before, "no effect enqueued, none completed");
    let again = claim(store, 10, at_ms(60_000), 60).await;
    assert_eq!(ids(&again), vec![claimed[0].id], "the effect named in `completes` is still pending");
}

/// Appending to, or reading the log of, an unknown incident is `NotFound`.
pub async fn unknown_incidents_are_not_found(store: &dyn IncidentStore) {
    let new = new_incident(&declaration("payments", Severity::Sev4, None), at_ms(0));
    let b = batch(&new.incident, &Command::AddNote(text("nobody home")), at_ms(1));
    match store.append(b).await {
        Err(PortError::NotFound(_)) => {}
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert!(matches!(store.events(new.incident.id()).await, Err(PortError::NotFound(_))));
}

/// Effects written by `create` and `append` are claimable when due, with their
/// payload, incident and a first attempt.
pub async fn effects_enqueued_with_writes_are_claimable(store: &dyn IncidentStore) {
    let new = new_incident(&declaration("payments", Severity::Sev1, None), at_ms(0));
    let create_room = new.effects[0].clone();
    let created = create_new(store, new).await;
    let mut b = batch(&created, &status(Status::Investigating), at_ms(100));
    let page = effect(created.id(), Effect::Page { domain: domain("payments"), escalation: true }, at_ms(60_000));
    let invite = effect(created.id(), Effect::InviteMembers { users: vec![user("U1"), user("U2")] }, at_ms(100));
    b.effects = vec![page.clone(), invite.clone()];
    store.append(b).await.unwrap_or_else(|e| panic!("{e}"));

    let now = claim(store, 10, at_ms(100), 3600).await;
    let seen = |c: &ClaimedEffect| (c.id, c.incident_id, c.effect.clone(), c.attempts, c.first_claimed_at);
    assert_eq!(
        now.iter().map(seen).collect::<Vec<_>>(),
        vec![
            (create_room.id, created.id(), Effect::CreateRoom, 1, at_ms(100)),
            (invite.id, created.id(), invite.effect.clone(), 1, at_ms(100)),
        ],
        "due effects, oldest due first"
    );
    assert_eq!(now[0].token, now[1].token, "one claim, one token");
    let later = claim(store, 10, at_ms(60_000), 30).await;
    assert_eq!(
        later.iter().map(seen).collect::<Vec<_>>(),
        vec![(page.id, created.id(), page.effect, 1, at_ms(60_000))]
    );
    assert_ne!(later[0].token, now[0].token, "each claim has its own token");
}

/// `completes` marks the effect done in the same write as the events.
pub async fn completes_marks_the_effect_done_with_the_append(store: &dyn IncidentStore) {
    let created = create_new(store, new_incident(&declaration("auth", Severity::Sev2, None), at_ms(0))).await;
    let claimed = claim(store, 10, at_ms(0), 30).await;
    assert_eq!(claimed.len(), 1);
    let room = Room { id: RoomId::new("C0AUTH"), name: "incident_auth".into(), url: "https://chat/C0AUTH".into() };
    let mut b = batch(&created, &Command::Record(Outcome::RoomCreated(room)), at_ms(500));
    b.completes = Some(claimed[0].claim());
    b.effects.push(effect(created.id(), Effect::PostCard, at_ms(500)));
    store.append(b).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts(store).await, (1, 1, 0));
    let later = claim(store, 10, at_ms(3_600_000), 30).await;
    assert_eq!(later.len(), 1, "only the new effect is claimable");
    assert_eq!(later[0].effect, Effect::PostCard);
}

/// Claims skip effects not yet due, take the oldest due first, and honour the limit.
pub async fn claim_due_respects_due_at_order_and_limit(store: &dyn IncidentStore) {
    let created = create_new(store, new_incident(&declaration("search", Severity::Sev3, None), at_ms(0))).await;
    let first = claim(store, 10, at_ms(0), 3600).await;
    assert_eq!(first.len(), 1);
    let mut b = batch(&created, &Command::AddNote(text("queue")), at_ms(1));
    let due: Vec<NewEffect> = [30, 10, 20, 5_000, 40]
        .into_iter()
        .map(|ms| effect(created.id(), Effect::AnnounceUpdate { seq: ms as u64 }, at_ms(ms)))
        .collect();
    b.effects = due.clone();
    store.append(b).await.unwrap_or_else(|e| panic!("{e}"));

    assert!(claim(store, 10, at_ms(9), 60).await.is_empty(), "nothing due before 10 ms");
    let two = claim(store, 2, at_ms(100), 60).await;
    assert_eq!(ids(&two), vec![due[1].id, due[2].id], "the two oldest due");
    let rest = claim(store, 10, at_ms(100), 60).await;
    assert_eq!(ids(&rest), vec![due[0].id, due[4].id], "the rest due, leased ones skipped");
    assert!(claim(store, 10, at_ms(4_999), 1).await.is_empty(), "the future one waits");
    let last = claim(store, 10, at_ms(5_000), 60).await;
    assert_eq!(ids(&last), vec![due[3].id], "due exactly at now is claimable");
    assert!(claim(store, 0, at_ms(3_600_000), 60).await.is_empty(), "limit 0 claims nothing");
}

/// `create_room` effects are claimed before older effects of other kinds:
/// people are waiting for the room.
pub async fn rooms_are_claimed_before_older_effects(store: &dyn IncidentStore) {
    let older = create_new(store, new_incident(&declaration("search", Severity::Sev3, None), at_ms(0))).await;
    assert_eq!(claim(store, 10, at_ms(0), 3600).await.len(), 1, "the older room is leased away");
    let mut b = batch(&older, &Command::AddNote(text("queue")), at_ms(1));
    b.effects = vec![effect(older.id(), Effect::AnnounceUpdate { seq: 2 }, at_ms(1))];
    store.append(b).await.unwrap_or_else(|e| panic!("{e}"));
    let newer = create_new(store, new_incident(&declaration("api", Severity::Sev1, None), at_ms(50))).await;

    let first = claim(store, 1, at_ms(100), 60).await;
    assert_eq!((first[0].incident_id, &first[0].effect), (newer.id(), &Effect::CreateRoom), "the room goes first");
    let next = claim(store, 1, at_ms(100), 60).await;
    assert_eq!(next[0].effect, Effect::AnnounceUpdate { seq: 2 });
}

/// A sev1 declared last is claimed before a flood of older sev4s; among
/// equals, the oldest due goes first.
pub async fn the_most_severe_incidents_are_claimed_first(store: &dyn IncidentStore) {
    let mut sev4s = Vec::new();
    for i in 0..20 {
        let new = new_incident(&declaration("payments", Severity::Sev4, None), at_ms(i));
        sev4s.push(create_new(store, new).await.id());
    }
    let sev1 = create_new(store, new_incident(&declaration("payments", Severity::Sev1, None), at_ms(100))).await;
    // A claim answers its effects in no particular order: compare sets.
    let claimed = |claims: Vec<ClaimedEffect>| claims.iter().map(|c| c.incident_id).collect::<BTreeSet<IncidentId>>();
    let first = claimed(claim(store, 3, at_ms(200), 60).await);
    assert_eq!(first, BTreeSet::from([sev1.id(), sev4s[0], sev4s[1]]), "the sev1, due last, then the oldest sev4s");
    let next = claimed(claim(store, 2, at_ms(200), 60).await);
    assert_eq!(next, BTreeSet::from([sev4s[2], sev4s[3]]), "among equals, the oldest due first");
}

/// An incident whose severity is raised takes its pending effects up the
/// claim order with it; one lowered takes them down.
pub async fn a_changed_severity_moves_pending_effects_in_the_claim_order(store: &dyn IncidentStore) {
    let mut sev3s = Vec::new();
    for i in 0..5 {
        let new = new_incident(&declaration("payments", Severity::Sev3, None), at_ms(i));
        sev3s.push(create_new(store, new).await.id());
    }
    must_act(store, sev3s[4], Command::Edit(FieldEdit::Severity(Severity::Sev1)), at_ms(10)).await;
    must_act(store, sev3s[0], Command::Edit(FieldEdit::Severity(Severity::Sev4)), at_ms(11)).await;
    let order: Vec<IncidentId> = {
        let mut order = Vec::new();
        while let Some(first) = claim(store, 1, at_ms(200), 60).await.first() {
            if !order.contains(&first.incident_id) {
                order.push(first.incident_id);
            }
        }
        order
    };
    assert_eq!(
        order,
        vec![sev3s[4], sev3s[1], sev3s[2], sev3s[3], sev3s[0]],
        "raised first, lowered last (by first claim)"
    );
}

/// A leased effect is not claimable until its lease expires; each claim
/// counts an attempt.
pub async fn leases_hide_effects_until_they_expire(store: &dyn IncidentStore) {
    let new = new_incident(&declaration("payments", Severity::Sev2, None), at_ms(0));
    let id = new.effects[0].id;
    create_new(store, new).await;
    let first = claim(store, 10, at_ms(0), 30).await;
    assert_eq!((ids(&first), first[0].attempts), (vec![id], 1));
    assert!(claim(store, 10, at_ms(29_999), 30).await.is_empty(), "leased until 30 s");
    let second = claim(store, 10, at_ms(30_000), 30).await;
    assert_eq!((ids(&second), second[0].attempts), (vec![id], 2), "claimable again once the lease expired");
    assert!(claim(store, 10, at_ms(59_999), 30).await.is_empty(), "the new lease runs from the claim");
    let third = claim(store, 10, at_ms(60_000), 30).await;
    assert_eq!(third[0].attempts, 3);
}

/// `retry_at` moves the due time and ends the lease; `release` ends the lease
/// without counting the attempt; `give_up` and `complete` end the effect.
pub async fn retry_give_up_and_release(store: &dyn IncidentStore) {
    let created = create_new(store, new_incident(&declaration("auth", Severity::Sev1, None), at_ms(0))).await;
    let mut b = batch(&created, &Command::AddNote(text("more")), at_ms(0));
    let doomed = effect(created.id(), Effect::CreatePostmortem, at_ms(0));
    let done = effect(created.id(), Effect::ResolvePages, at_ms(0));
    b.effects = vec![doomed.clone(), done.clone()];
    store.append(b).await.unwrap_or_else(|e| panic!("{e}"));
    let all = claim(store, 10, at_ms(0), 30).await;
    assert_eq!(all.len(), 3);
    let held = |id: EffectId| {
        all.iter().find(|c| c.id == id).map(ClaimedEffect::claim).unwrap_or_else(|| panic!("claimed {id}"))
    };
    let retried = all[0].claim();

    store.retry_at(retried, at_ms(300_000), "chat said 503").await.unwrap_or_else(|e| panic!("retry_at: {e}"));
    store.give_up(held(doomed.id), at_ms(1), "docs refused").await.unwrap_or_else(|e| panic!("give_up: {e}"));
    store.complete(held(done.id), at_ms(2)).await.unwrap_or_else(|e| panic!("complete: {e}"));
    assert!(claim(store, 10, at_ms(299_999), 30).await.is_empty(), "retried later, finished ones gone");
    let again = claim(store, 10, at_ms(300_000), 30).await;
    assert_eq!((ids(&again), again[0].attempts), (vec![retried.effect], 2));
    assert_eq!(again[0].first_claimed_at, at_ms(0), "the first claim is remembered across retries");

    store.release(again[0].claim()).await.unwrap_or_else(|e| panic!("release: {e}"));
    let after_release = claim(store, 10, at_ms(300_001), 30).await;
    assert_eq!((ids(&after_release), after_release[0].attempts), (vec![retried.effect], 2), "release does not count");
    assert_eq!(counts(store).await, (1, 1, 1));
    store.complete(after_release[0].claim(), at_ms(300_002)).await.unwrap_or_else(|e| panic!("complete: {e}"));
    assert!(claim(store, 10, at_ms(10_000_000), 30).await.is_empty());
    assert_eq!(counts(store).await, (0, 2, 1));
}

/// Outbox operations on an unknown effect are `NotFound`.
pub async fn unknown_effects_are_not_found(store: &dyn IncidentStore) {
    let id = Claim { effect: EffectId::new(), token: ClaimToken::new() };
    assert!(matches!(store.complete(id, at_ms(0)).await, Err(PortError::NotFound(_))), "complete");
    assert!(matches!(store.retry_at(id, at_ms(0), "x").await, Err(PortError::NotFound(_))), "retry_at");
    assert!(matches!(store.give_up(id, at_ms(0), "x").await, Err(PortError::NotFound(_))), "give_up");
    assert!(matches!(store.release(id).await, Err(PortError::NotFound(_))), "release");
    let renewed = store.renew(&[id], at_ms(0)).await.unwrap_or_else(|e| panic!("renew: {e}"));
    assert!(renewed.is_empty(), "nothing to renew");
}

/// Once a lease expired and another worker claimed the effect, the first
/// holder's complete, retry, give-up, release and renewal are refused and
/// change nothing; the new holder's work stands.
pub async fn stale_holders_are_refused(store: &dyn IncidentStore) {
    create_new(store, new_incident(&declaration("auth", Severity::Sev2, None), at_ms(0))).await;
    let first = claim(store, 10, at_ms(0), 10).await;
    let second = claim(store, 10, at_ms(10_000), 10).await;
    assert_eq!(ids(&first), ids(&second), "taken over once the lease expired");
    let (stale, current) = (first[0].claim(), second[0].claim());
    let conflict = |r: Result<(), PortError>, what: &str| {
        assert!(matches!(r, Err(PortError::Conflict(_))), "a stale {what} must be refused, got {r:?}")
    };
    conflict(store.complete(stale, at_ms(10_001)).await, "complete");
    conflict(store.retry_at(stale, at_ms(10_001), "late").await, "retry_at");
    conflict(store.give_up(stale, at_ms(10_001), "late").await, "give_up");
    conflict(store.release(stale).await, "release");
    let renewed = store.renew(&[stale], at_ms(60_000)).await.unwrap_or_else(|e| panic!("renew: {e}"));
    assert!(renewed.is_empty(), "a stale claim renews nothing");
    assert!(claim(store, 10, at_ms(19_999), 10).await.is_empty(), "the current lease still runs");
    assert_eq!(counts(store).await, (1, 0, 0));
    store.complete(current, at_ms(15_000)).await.unwrap_or_else(|e| panic!("the holder completes: {e}"));
    assert_eq!(counts(store).await, (0, 1, 0));
    conflict(store.complete(current, at_ms(15_001)).await, "second complete");
}

/// A stale claim named in `completes` still appends its events (they are
/// facts), but leaves the effect to its current holder.
pub async fn stale_completes_records_events_but_not_completion(store: &dyn IncidentStore) {
    let created = create_new(store, new_incident(&declaration("auth", Severity::Sev2, None), at_ms(0))).await;
    let first = claim(store, 10, at_ms(0), 10).await;
    let second = claim(store, 10, at_ms(10_000), 10).await;
    let room = Room { id: RoomId::new("C0LATE"), name: "incident_late".into(), url: "https://chat/C0LATE".into() };
    let mut b = batch(&created, &Command::Record(Outcome::RoomCreated(room.clone())), at_ms(10_500));
    b.completes = Some(first[0].claim());
    store.append(b).await.unwrap_or_else(|e| panic!("append: {e}"));
    assert_eq!(must_get(store, created.id()).await.room(), Some(&room), "the outcome is recorded");
    assert_eq!(counts(store).await, (1, 0, 0), "the effect is still the new holder's");
    store.complete(second[0].claim(), at_ms(11_000)).await.unwrap_or_else(|e| panic!("complete: {e}"));
}

/// A renewed lease is not taken by other claims; renewal extends it from the
/// time given, and only the claims still held are renewed.
pub async fn renewed_leases_are_not_taken(store: &dyn IncidentStore) {
    create_new(store, new_incident(&declaration("auth", Severity::Sev2, None), at_ms(0))).await;
    let held = claim(store, 10, at_ms(0), 10).await;
    for second in [3, 6, 9, 12] {
        let until = at_ms(second * 1_000 + 10_000);
        let renewed = store.renew(&[held[0].claim()], until).await.unwrap_or_else(|e| panic!("renew: {e}"));
        assert_eq!(renewed, vec![held[0].id], "renewed at {second} s");
    }
    assert!(claim(store, 10, at_ms(21_999), 10).await.is_empty(), "renewed until 22 s");
    let taken = claim(store, 10, at_ms(22_000), 10).await;
    assert_eq!(ids(&taken), ids(&held), "claimable once the renewed lease ran out");
}

/// A released lease is taken at once by the next claim.
pub async fn released_leases_are_taken_at_once(store: &dyn IncidentStore) {
    create_new(store, new_incident(&declaration("auth", Severity::Sev2, None), at_ms(0))).await;
    let held = claim(store, 10, at_ms(0), 10).await;
    store.release(held[0].claim()).await.unwrap_or_else(|e| panic!("release: {e}"));
    let next = claim(store, 10, at_ms(1), 10).await;
    assert_eq!(ids(&next), ids(&held), "released: claimable before its lease would have run out");
}

/// An effect enqueued already leased (a follow-up handed to the worker that
/// recorded what planned it) is held from the start: others cannot claim it
/// while the lease runs, its holder renews and completes it, and once the
/// lease lapses it is claimed again as a second attempt.
pub async fn effects_enqueued_leased_belong_to_their_holder(store: &dyn IncidentStore) {
    let created = create_new(store, new_incident(&declaration("auth", Severity::Sev2, None), at_ms(0))).await;
    let room_claim = claim(store, 10, at_ms(0), 10).await;
    let token = room_claim[0].token;
    let room = Room { id: RoomId::new("C0LEASE"), name: "incident_lease".into(), url: "https://chat/C0LEASE".into() };
    let mut b = batch(&created, &Command::Record(Outcome::RoomCreated(room)), at_ms(100));
    b.completes = Some(room_claim[0].claim());
    let lease = Lease::starting(token, at_ms(100), Duration::from_secs(10));
    let mut card = effect(created.id(), Effect::PostCard, at_ms(100));
    card.leased = Some(lease);
    let mut pin = effect(created.id(), Effect::PinCard, at_ms(100));
    pin.leased = Some(lease);
    let broadcast = effect(created.id(), Effect::PostBroadcast, at_ms(100));
    b.effects = vec![card.clone(), pin.clone(), broadcast.clone()];
    store.append(b).await.unwrap_or_else(|e| panic!("append: {e}"));

    let held = card.claimed().unwrap_or_else(|| panic!("enqueued leased"));
    assert_eq!((held.token, held.attempts, held.first_claimed_at), (token, 1, at_ms(100)));
    let others = claim(store, 10, at_ms(200), 10).await;
    assert_eq!(ids(&others), vec![broadcast.id], "only the unleased follow-up is claimable");
    assert_eq!(stats(store).await.pending, 3);
    let renewed = store.renew(&[held.claim()], at_ms(20_000)).await.unwrap_or_else(|e| panic!("renew: {e}"));
    assert_eq!(renewed, vec![card.id], "the holder renews what it was handed");
    store.complete(held.claim(), at_ms(300)).await.unwrap_or_else(|e| panic!("the holder completes: {e}"));
    let intruder = Claim { effect: pin.id, token: ClaimToken::new() };
    assert!(matches!(store.complete(intruder, at_ms(300)).await, Err(PortError::Conflict(_))), "not its holder");
    assert!(claim(store, 10, at_ms(10_099), 10).await.is_empty(), "the pin is leased until 10.1 s");
    let lapsed = claim(store, 10, at_ms(10_100), 10).await;
    let seen: Vec<_> = lapsed.iter().map(|c| (c.id, c.attempts, c.first_claimed_at)).collect();
    assert_eq!(seen, vec![(pin.id, 2, at_ms(100))], "a lapsed hand-off is taken over as a second attempt");
}

/// `retry_failed` makes an incident's failed effects pending again, due now,
/// with a fresh horizon; other incidents' effects are untouched.
pub async fn retry_failed_requeues_failed_effects(store: &dyn IncidentStore) {
    let one = create_new(store, new_incident(&declaration("auth", Severity::Sev2, None), at_ms(0))).await;
    let other = create_new(store, new_incident(&declaration("search", Severity::Sev2, None), at_ms(0))).await;
    for claimed in claim(store, 10, at_ms(0), 10).await {
        store.give_up(claimed.claim(), at_ms(1), "chat refused").await.unwrap_or_else(|e| panic!("give_up: {e}"));
    }
    assert_eq!(counts(store).await, (0, 0, 2));
    let requeued = store.retry_failed(one.id(), at_ms(5_000)).await.unwrap_or_else(|e| panic!("retry_failed: {e}"));
    assert_eq!(requeued, 1);
    assert!(claim(store, 10, at_ms(4_999), 10).await.is_empty(), "due from the retry on");
    let again = claim(store, 10, at_ms(5_000), 10).await;
    assert_eq!(
        again.iter().map(|c| (c.incident_id, c.attempts, c.first_claimed_at)).collect::<Vec<_>>(),
        vec![(one.id(), 1, at_ms(5_000))]
    );
    assert_eq!(store.retry_failed(other.id(), at_ms(6_000)).await.ok(), Some(1));
    assert_eq!(store.retry_failed(one.id(), at_ms(6_000)).await.ok(), Some(0), "nothing failed any more");
}

/// `outbox_backlog` gives the pending and scheduled effects and the oldest
/// due as `outbox_stats` does, and no finished ones.
pub async fn outbox_backlog_counts_what_is_not_done(store: &dyn IncidentStore) {
    let backlog =
        |now| async move { store.outbox_backlog(now).await.unwrap_or_else(|e| panic!("outbox_backlog: {e}")) };
    assert_eq!(backlog(at_ms(0)).await, OutboxStats::default(), "an empty store");
    let created = create_new(store, new_incident(&declaration("search", Severity::Sev4, None), at_ms(0))).await;
    let mut b = batch(&created, &Command::AddNote(text("fan out")), at_ms(0));
    b.effects = (0..4).map(|i| effect(created.id(), Effect::AnnounceUpdate { seq: i }, at_ms(i as i64))).collect();
    b.effects.push(effect(created.id(), Effect::ResolvePages, at_ms(7_200_000)));
    store.append(b).await.unwrap_or_else(|e| panic!("{e}"));
    let claimed = claim(store, 2, at_ms(10), 30).await;
    store.complete(claimed[0].claim(), at_ms(11)).await.unwrap_or_else(|e| panic!("{e}"));
    store.give_up(claimed[1].claim(), at_ms(11), "no").await.unwrap_or_else(|e| panic!("{e}"));
    let stats = stats_at(store, at_ms(20)).await;
    assert!(stats.completed >= 1 && stats.failed == 1, "{stats:?}");
    let expected = OutboxStats { completed: 0, failed: 0, ..stats };
    assert_eq!(backlog(at_ms(20)).await, expected);
    assert!(expected.pending >= 3 && expected.scheduled == 1, "{expected:?}");
}

/// `outbox_stats` counts pending, completed and failed effects.
pub async fn outbox_stats_count_each_state(store: &dyn IncidentStore) {
    assert_eq!(stats(store).await, OutboxStats::default(), "an empty store");
    assert_eq!(stats(store).await.oldest_pending_due, None);
    let created = create_new(store, new_incident(&declaration("search", Severity::Sev4, None), at_ms(0))).await;
    let mut b = batch(&created, &Command::AddNote(text("fan out")), at_ms(0));
    b.effects = (0..5).map(|i| effect(created.id(), Effect::AnnounceUpdate { seq: i }, at_ms(i as i64))).collect();
    store.append(b).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts(store).await, (6, 0, 0));
    assert_eq!(stats(store).await.oldest_pending_due, Some(at_ms(0)));
    let claimed = claim(store, 3, at_ms(10), 30).await;
    store.complete(claimed[0].claim(), at_ms(11)).await.unwrap_or_else(|e| panic!("{e}"));
    store.complete(claimed[1].claim(), at_ms(11)).await.unwrap_or_else(|e| panic!("{e}"));
    store.give_up(claimed[2].claim(), at_ms(11), "no").await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts(store).await, (3, 2, 1), "leased ones are pending");
    assert_eq!(stats(store).await.oldest_pending_due, Some(at_ms(2)), "the earliest due of the pending ones");

    let mut later = batch(&must_get(store, created.id()).await, &Command::AddNote(text("remind")), at_ms(20));
    later.effects = vec![effect(created.id(), Effect::ResolvePages, at_ms(7_200_000))];
    store.append(later).await.unwrap_or_else(|e| panic!("{e}"));
    let hour = stats_at(store, at_ms(3_600_000)).await;
    assert_eq!((hour.pending, hour.scheduled), (3, 1), "due later is scheduled, not pending");
    assert_eq!(hour.oldest_pending_due, Some(at_ms(2)), "a scheduled effect is not waiting");
    let two_hours = stats_at(store, at_ms(7_200_000)).await;
    assert_eq!((two_hours.pending, two_hours.scheduled), (4, 0), "pending once due");
    let retried = claim(store, 1, at_ms(7_200_000), 30).await;
    store.retry_at(retried[0].claim(), at_ms(9_000_000), "503").await.unwrap_or_else(|e| panic!("{e}"));
    let waiting = stats_at(store, at_ms(7_200_001)).await;
    assert_eq!((waiting.pending, waiting.scheduled), (4, 0), "an effect waiting to retry is pending");
}

/// `remember` is true only the first time; `forget_keys_before` deletes keys
/// first seen strictly before the cutoff.
pub async fn remember_and_forget_keys(store: &dyn IncidentStore) {
    let remember = |k: &'static str, ms: i64| async move {
        store.remember(k, at_ms(ms)).await.unwrap_or_else(|e| panic!("remember {k}: {e}"))
    };
    assert!(remember("chat:Ev1", 0).await, "first time");
    assert!(!remember("chat:Ev1", 5).await, "second time");
    assert!(remember("chat:Ev2", 1_000).await);
    assert!(remember("webhook:é😀", 2_000).await, "any text is a key");
    store.forget_key("chat:Ev2").await.unwrap_or_else(|e| panic!("forget_key: {e}"));
    store.forget_key("never-seen").await.unwrap_or_else(|e| panic!("forget_key of an unknown key: {e}"));
    assert!(remember("chat:Ev2", 1_000).await, "a forgotten key is new again");
    let forgotten = store.forget_keys_before(at_ms(1_000)).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(forgotten, 1, "only the key seen before the cutoff");
    assert!(remember("chat:Ev1", 3_000).await, "forgotten keys are new again");
    assert!(!remember("chat:Ev2", 3_000).await, "kept at the cutoff");
    assert!(!remember("webhook:é😀", 3_000).await);
    assert_eq!(store.forget_keys_before(at_ms(10_000)).await.ok(), Some(3));
}

/// `list` filters by status, domain, severity and period (from inclusive, to
/// exclusive), returns newest first and honours the limit.
pub async fn list_filters_and_orders_newest_first(store: &dyn IncidentStore) {
    let specs = [
        ("payments", Severity::Sev1, 0),
        ("search", Severity::Sev2, 1_000),
        ("payments", Severity::Sev3, 2_000),
        ("auth", Severity::Sev1, 3_000),
    ];
    let mut made = Vec::new();
    for (slug, sev, ms) in specs {
        made.push(create_new(store, new_incident(&declaration(slug, sev, None), at_ms(ms))).await);
    }
    let resolved = must_act(store, made[2].id(), status(Status::Resolved), at_ms(5_000)).await;
    made[2] = resolved;
    let numbers = |v: Vec<Incident>| v.into_iter().map(|i| i.number()).collect::<Vec<_>>();
    let list = |f: IncidentFilter| async move { store.list(&f).await.unwrap_or_else(|e| panic!("list {f:?}: {e}")) };
    let n = |i: usize| made[i].number();

    let all = list(IncidentFilter::default()).await;
    assert_eq!(all[0], made[3], "full snapshots come back");
    assert_eq!(numbers(all), vec![n(3), n(2), n(1), n(0)], "newest first");
    let by_status = list(IncidentFilter { status: Some(Status::Resolved), ..Default::default() }).await;
    assert_eq!(numbers(by_status), vec![n(2)]);
    let by_domain = list(IncidentFilter { domain: Some(domain("payments")), ..Default::default() }).await;
    assert_eq!(numbers(by_domain), vec![n(2), n(0)]);
    let by_severity = list(IncidentFilter { severity: Some(Severity::Sev1), ..Default::default() }).await;
    assert_eq!(numbers(by_severity), vec![n(3), n(0)]);
    let period = list(IncidentFilter { from: Some(at_ms(1_000)), to: Some(at_ms(3_000)), ..Default::default() }).await;
    assert_eq!(numbers(period), vec![n(2), n(1)], "from inclusive, to exclusive");
    let limited = list(IncidentFilter { limit: Some(2), ..Default::default() }).await;
    assert_eq!(numbers(limited), vec![n(3), n(2)]);
    let combined = list(IncidentFilter {
        domain: Some(domain("payments")),
        severity: Some(Severity::Sev1),
        from: Some(at_ms(0)),
        ..Default::default()
    })
    .await;
    assert_eq!(numbers(combined), vec![n(0)]);
    let none = list(IncidentFilter { status: Some(Status::Closed), ..Default::default() }).await;
    assert!(none.is_empty());
}

/// `milestones` equal the snapshots' (reopenings, closings, false positives and
/// backdated starts included), filters apply, and the metrics agree.
pub async fn milestones_equal_the_snapshots(store: &dyn IncidentStore) {
    let mut snapshots = BTreeMap::new();
    for n in 0..40 {
        let incident = write_history(store, &generated(n)).await;
        snapshots.insert(incident.number(), incident);
    }
    // A hand-written history that exercises every milestone rule.
    let mut d = declaration("payments", Severity::Sev1, None);
    d.started_at = Some(at_ms(-90_000));
    let id = create_new(store, new_incident(&d, at_ms(0))).await.id();
    for (command, ms) in [
        (status(Status::Investigating), 60_000),
        (status(Status::Monitoring), 120_500),
        (status(Status::Resolved), 180_250),
        (status(Status::Investigating), 240_000),
        (Command::Edit(FieldEdit::StartedAt(at_ms(-30_001))), 250_000),
        (status(Status::Resolved), 300_999),
        (status(Status::Closed), 400_000),
    ] {
        must_act(store, id, command, at_ms(ms)).await;
    }
    let hand = must_get(store, id).await;
    let m = hand.milestones();
    assert_eq!(
        (m.started_at, m.acknowledged_at, m.mitigated_at, m.resolved_at),
        (at_ms(-30_001), Some(at_ms(60_000)), Some(at_ms(120_500)), Some(at_ms(300_999))),
        "the domain's milestones for the hand-written history"
    );
    snapshots.insert(hand.number(), hand);

    let mut rows = store.milestones(&IncidentFilter::default()).await.unwrap_or_else(|e| panic!("milestones: {e}"));
    rows.sort_by_key(|r| r.number);
    let expected: Vec<MilestoneRow> = snapshots.values().map(MilestoneRow::from).collect();
    assert_eq!(rows.len(), expected.len());
    for (row, want) in rows.iter().zip(&expected) {
        assert_eq!(row, want, "milestones of {}", want.number);
        assert_eq!(Durations::of(&row.milestones), Durations::of(&want.milestones));
    }
    assert_eq!(compute(&rows), compute(&expected), "the metrics agree");

    let filter = IncidentFilter {
        domain: Some(domain("payments")),
        from: Some(at_ms(0)),
        to: Some(at_ms(20 * 3_600_000)),
        limit: Some(1),
        ..Default::default()
    };
    let mut filtered = store.milestones(&filter).await.unwrap_or_else(|e| panic!("milestones: {e}"));
    filtered.sort_by_key(|r| r.number);
    let want: Vec<MilestoneRow> = snapshots.values().filter(|i| filter.matches(i)).map(MilestoneRow::from).collect();
    assert!(want.len() > 1, "the filter keeps several incidents");
    assert_eq!(filtered, want, "filters apply and `limit` is ignored");
}

/// `incident_counts` counts the incidents by status and severity, and follows
/// a change of status.
pub async fn incident_counts_follow_status_and_severity(store: &dyn IncidentStore) {
    let counts = || async { store.incident_counts().await.unwrap_or_else(|e| panic!("incident_counts: {e}")) };
    assert_eq!(counts().await, crate::ports::IncidentCounts::default(), "an empty store");
    let mut written = Vec::new();
    for n in 0..40 {
        written.push(write_history(store, &generated(n)).await);
    }
    let expected: crate::ports::IncidentCounts = written.iter().map(|i| (i.status(), i.severity())).collect();
    assert_eq!(counts().await, expected);
    assert_eq!(counts().await.total(), 40);

    let open = create_new(store, new_incident(&declaration("search", Severity::Sev4, None), at_ms(0))).await;
    let before = counts().await;
    must_act(store, open.id(), Command::ChangeStatus { to: Status::Investigating, message: None }, at_ms(1)).await;
    let after = counts().await;
    assert_eq!(after.get(Status::Open, Severity::Sev4), before.get(Status::Open, Severity::Sev4) - 1);
    assert_eq!(after.get(Status::Investigating, Severity::Sev4), before.get(Status::Investigating, Severity::Sev4) + 1);
    assert_eq!(after.total(), 41);
}

/// 16 writers appending to one incident, retrying on `Conflict`, lose no
/// event and leave a contiguous log.
pub async fn concurrent_appends_lose_no_event(store: &dyn IncidentStore) {
    const WRITERS: usize = 16;
    const NOTES: usize = 5;
    let id = create_new(store, new_incident(&declaration("payments", Severity::Sev1, None), at_ms(0))).await.id();
    let writer = |w: usize| async move {
        let mut conflicts = 0u32;
        for n in 0..NOTES {
            let note = Command::AddNote(text(&format!("writer {w} note {n}")));
            loop {
                match act(store, id, note.clone(), at_ms(1 + (w * NOTES + n) as i64)).await {
                    Ok(_) => break,
                    Err(PortError::Conflict(_)) => conflicts += 1,
                    Err(e) => panic!("writer {w}: {e}"),
                }
                assert!(conflicts < 10_000, "writer {w} starves");
            }
        }
    };
    join_all((0..WRITERS).map(writer)).await;
    let events = store.events(id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(events.len(), 1 + WRITERS * NOTES, "no event lost");
    assert!(events.iter().zip(1..).all(|(e, seq)| e.seq == seq), "contiguous seq");
    let notes: BTreeSet<String> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::NoteAdded { text } => Some(text.as_str().to_owned()),
            _ => None,
        })
        .collect();
    assert_eq!(notes.len(), WRITERS * NOTES, "every note once");
    assert_eq!(must_get(store, id).await.version(), events.len() as u64);
}

/// 32 concurrent declarations with one dedup key create one incident; the
/// others get it back as `Existing`.
pub async fn concurrent_declarations_create_one_incident(store: &dyn IncidentStore) {
    let d = declaration("outbound-email", Severity::Sev2, Some("alertmanager:mail-queue"));
    let results = join_all((0..32).map(|i| store.create(new_incident(&d, at_ms(i))))).await;
    let mut new_ids = Vec::new();
    let mut existing_ids = BTreeSet::new();
    for result in results {
        match result {
            Ok(Created::New(i)) => new_ids.push(i.id()),
            Ok(Created::Existing(i)) => {
                existing_ids.insert(i.id());
            }
            Err(e) => panic!("a declaration failed: {e}"),
        }
    }
    assert_eq!(new_ids.len(), 1, "exactly one new incident");
    assert!(existing_ids.iter().all(|id| *id == new_ids[0]), "the others get it back");
    let all = store.list(&IncidentFilter::default()).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all.iter().map(|i| i.id()).collect::<Vec<_>>(), new_ids, "one stored incident");
    assert_eq!(stats(store).await.pending, 1, "one set of effects");
}

/// Four workers claiming 1,000 effects claim each exactly once.
pub async fn concurrent_claims_take_each_effect_once(store: &dyn IncidentStore) {
    const EFFECTS: usize = 1_000;
    let mut new = new_incident(&declaration("search", Severity::Sev3, None), at_ms(0));
    let id = new.incident.id();
    new.effects =
        (0..EFFECTS).map(|i| effect(id, Effect::AnnounceUpdate { seq: i as u64 }, at_ms(i as i64 % 7))).collect();
    create_new(store, new).await;
    let worker = |_w: usize| async move {
        let mut mine = Vec::new();
        loop {
            let claimed = claim(store, 25, at_ms(10), 600).await;
            if claimed.is_empty() {
                return mine;
            }
            for c in claimed {
                assert_eq!(c.attempts, 1, "claimed once");
                store.complete(c.claim(), at_ms(11)).await.unwrap_or_else(|e| panic!("{e}"));
                mine.push(c.id);
            }
        }
    };
    let per_worker = join_all((0..4).map(worker)).await;
    let all: Vec<EffectId> = per_worker.into_iter().flatten().collect();
    let unique: BTreeSet<EffectId> = all.iter().copied().collect();
    assert_eq!(all.len(), EFFECTS, "every effect claimed");
    assert_eq!(unique.len(), EFFECTS, "none claimed twice");
    assert_eq!(counts(store).await, (0, EFFECTS as u64, 0));
}

/// `ping` answers.
pub async fn ping_answers(store: &dyn IncidentStore) {
    store.ping().await.unwrap_or_else(|e| panic!("ping: {e}"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::InMemoryStore;

    async fn in_memory<F>(check: F)
    where
        F: for<'a> FnOnce(&'a dyn IncidentStore) -> CheckFuture<'a>,
    {
        let store = InMemoryStore::new();
        check(&store).await;
    }

    crate::store_contract_tests!(in_memory);

    #[tokio::test]
    async fn run_all_passes_against_the_in_memory_store() {
        run_all(|| async { InMemoryStore::new() }).await;
    }

    #[test]
    fn generated_histories_are_deterministic_and_varied() {
        let a = generated(7);
        let b = generated(7);
        assert_eq!(a.declared_at, b.declared_at);
        assert_eq!(a.commands, b.commands);
        let closing =
            (0..200).filter(|n| generated(*n).commands.iter().any(|(c, _)| *c == status(Status::Closed))).count();
        assert!(closing > 0, "some histories close");
    }
}
