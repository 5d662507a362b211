//! Durable storage of incidents, their events, the outbox and idempotency keys.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::PortError;
use crate::domain::ids::uuid_id;
use crate::domain::{
    DedupKey, Domain, Effect, Incident, IncidentEvent, IncidentId, IncidentNumber, Milestones, RoomId, Severity,
    Status, Ticket,
};

uuid_id! {
    /// Identity of an outbox entry.
    EffectId
}

uuid_id! {
    /// The token of one claim: whoever holds it holds the lease of the effects
    /// that claim returned.
    ClaimToken
}

/// A worker's hold on one effect. Only the current holder may complete,
/// retry, give up, renew or release it; a stale holder gets `Conflict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Claim {
    /// The effect.
    pub effect: EffectId,
    /// The claim that leased it.
    pub token: ClaimToken,
}

impl Claim {
    /// The error for a holder-only write that changed nothing: `NotFound` if
    /// the effect does not exist, else `Conflict` (the claim no longer holds
    /// it), which stores log as a refused stale write.
    pub fn refused(&self, exists: bool) -> PortError {
        if !exists {
            return PortError::NotFound(format!("effect {}", self.effect));
        }
        tracing::warn!(effect = %self.effect, "refused a write from a claim that no longer holds the effect");
        PortError::Conflict(format!("effect {} is not held by this claim", self.effect))
    }
}

/// A lease an effect is enqueued under: the worker whose recorded outcome
/// planned it holds it from the start and runs it at once, without a claim
/// round trip. Stored as a first claim (one attempt).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    /// The claim that holds it.
    pub token: ClaimToken,
    /// When it was leased: its first claim.
    pub at: DateTime<Utc>,
    /// When the lease ends unless renewed.
    pub until: DateTime<Utc>,
}

impl Lease {
    /// A lease under `token` from `at` for `length` (saturating at the end of time).
    pub fn starting(token: ClaimToken, at: DateTime<Utc>, length: Duration) -> Self {
        let length = chrono::TimeDelta::from_std(length).unwrap_or(chrono::TimeDelta::MAX);
        Self { token, at, until: at.checked_add_signed(length).unwrap_or(DateTime::<Utc>::MAX_UTC) }
    }
}

/// An effect to enqueue in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEffect {
    /// Identity.
    pub id: EffectId,
    /// The incident it acts for.
    pub incident_id: IncidentId,
    /// What to do.
    pub effect: Effect,
    /// Not before this time.
    pub due_at: DateTime<Utc>,
    /// Enqueued already leased (see [`Lease`]); `None` waits for a claim.
    pub leased: Option<Lease>,
}

impl NewEffect {
    /// An effect due at `due_at`, waiting for a claim.
    pub fn due(incident_id: IncidentId, effect: Effect, due_at: DateTime<Utc>) -> Self {
        Self { id: EffectId::new(), incident_id, effect, due_at, leased: None }
    }

    /// The effect as its lease holder sees it once stored, if enqueued leased.
    pub fn claimed(&self) -> Option<ClaimedEffect> {
        self.leased.map(|lease| ClaimedEffect {
            id: self.id,
            token: lease.token,
            incident_id: self.incident_id,
            effect: self.effect.clone(),
            attempts: 1,
            first_claimed_at: lease.at,
        })
    }
}

/// An effect a worker has leased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedEffect {
    /// Identity.
    pub id: EffectId,
    /// The claim that leased it.
    pub token: ClaimToken,
    /// The incident it acts for.
    pub incident_id: IncidentId,
    /// What to do.
    pub effect: Effect,
    /// How many times it has been claimed, this claim included.
    pub attempts: u32,
    /// When it was first claimed (retries give up after a horizon from here).
    pub first_claimed_at: DateTime<Utc>,
}

impl ClaimedEffect {
    /// The worker's hold on it.
    pub fn claim(&self) -> Claim {
        Claim { effect: self.id, token: self.token }
    }
}

/// A new incident: its snapshot (number not yet allocated), its first events
/// and the effects they imply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIncident {
    /// The snapshot; the store sets `number`.
    pub incident: Incident,
    /// The log so far (the `declared` event).
    pub events: Vec<IncidentEvent>,
    /// Effects to enqueue.
    pub effects: Vec<NewEffect>,
}

/// The result of [`Incidents::create`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    /// A new incident, with its allocated number.
    New(Incident),
    /// A non-terminal incident already had this dedup key; nothing was written.
    Existing(Incident),
}

impl Created {
    /// The incident, new or existing.
    pub fn incident(&self) -> &Incident {
        match self {
            Self::New(i) | Self::Existing(i) => i,
        }
    }
}

/// Events to append to one incident, written with its new snapshot and the
/// effects they imply in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendBatch {
    /// The snapshot after the events (its `version` is the last event's `seq`).
    pub incident: Incident,
    /// The version the events were decided on.
    pub expected_version: u64,
    /// The new events, `seq` from `expected_version + 1`.
    pub events: Vec<IncidentEvent>,
    /// Effects to enqueue.
    pub effects: Vec<NewEffect>,
    /// An outbox entry this batch records the outcome of; marked done in the
    /// same transaction when the claim still holds it. A stale claim's events
    /// are still appended (they are facts), but the entry is left to its
    /// current holder.
    pub completes: Option<Claim>,
}

impl AppendBatch {
    /// Checks the events continue the log without gaps (`seq` from
    /// `expected_version + 1`) and the snapshot's version is the last `seq`.
    ///
    /// # Errors
    /// `Invalid` when they do not.
    pub fn check_contiguous(&self) -> Result<(), PortError> {
        let contiguous = self.events.iter().zip(self.expected_version + 1..).all(|(e, seq)| e.seq == seq);
        if !contiguous || self.incident.version() != self.expected_version + self.events.len() as u64 {
            return Err(PortError::Invalid("events must continue the log without gaps".into()));
        }
        Ok(())
    }
}

/// Which incidents a listing or a metric covers. Periods filter `declared_at`:
/// `from` inclusive, `to` exclusive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentFilter {
    /// Only this status.
    pub status: Option<Status>,
    /// Only this domain.
    pub domain: Option<Domain>,
    /// Only this severity.
    pub severity: Option<Severity>,
    /// Declared at or after.
    pub from: Option<DateTime<Utc>>,
    /// Declared before.
    pub to: Option<DateTime<Utc>>,
    /// At most this many (newest first).
    pub limit: Option<usize>,
}

impl IncidentFilter {
    /// Whether `incident` passes the filter (ignoring `limit`).
    pub fn matches(&self, incident: &Incident) -> bool {
        self.status.is_none_or(|s| s == incident.status())
            && self.domain.as_ref().is_none_or(|d| d == incident.domain())
            && self.severity.is_none_or(|s| s == incident.severity())
            && self.from.is_none_or(|f| incident.milestones().declared_at >= f)
            && self.to.is_none_or(|t| incident.milestones().declared_at < t)
    }
}

/// What the metrics need of one incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneRow {
    /// Identity.
    pub id: IncidentId,
    /// Number.
    pub number: IncidentNumber,
    /// Domain.
    pub domain: Domain,
    /// Severity.
    pub severity: Severity,
    /// Status.
    pub status: Status,
    /// Timestamps.
    pub milestones: Milestones,
}

impl From<&Incident> for MilestoneRow {
    fn from(i: &Incident) -> Self {
        Self {
            id: i.id(),
            number: i.number(),
            domain: i.domain().clone(),
            severity: i.severity(),
            status: i.status(),
            milestones: i.milestones(),
        }
    }
}

/// Counts of outbox entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct OutboxStats {
    /// Not yet done, and due or already tried: waiting to run, running, or
    /// waiting to retry.
    pub pending: u64,
    /// Not yet done, never tried and due later: reminders, archives,
    /// post-mortem nudges.
    pub scheduled: u64,
    /// Done successfully.
    pub completed: u64,
    /// Given up on.
    pub failed: u64,
    /// The earliest due time of the pending ones.
    pub oldest_pending_due: Option<DateTime<Utc>>,
}

/// How many incidents have each status and severity (the `sima_incidents`
/// gauges of `/metrics`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentCounts(HashMap<(Status, Severity), u64>);

impl IncidentCounts {
    /// Incidents with this status and severity.
    pub fn get(&self, status: Status, severity: Severity) -> u64 {
        self.0.get(&(status, severity)).copied().unwrap_or_default()
    }

    /// Counts `n` more incidents with this status and severity.
    pub fn add(&mut self, status: Status, severity: Severity, n: u64) {
        *self.0.entry((status, severity)).or_default() += n;
    }

    /// All incidents.
    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }
}

impl FromIterator<(Status, Severity)> for IncidentCounts {
    fn from_iter<I: IntoIterator<Item = (Status, Severity)>>(incidents: I) -> Self {
        let mut counts = Self::default();
        for (status, severity) in incidents {
            counts.add(status, severity, 1);
        }
        counts
    }
}

/// Incidents and their event logs: the decisions the service records.
/// Every implementation passes `sima_core::testkit::store_contract`.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Incidents: Send + Sync {
    /// Stores a new incident, allocating its number, unless a non-terminal
    /// incident has the same dedup key (then returns it and writes nothing).
    ///
    /// # Errors
    /// `Transient` when the database is unreachable.
    async fn create(&self, new: NewIncident) -> Result<Created, PortError>;

    /// Appends events with optimistic concurrency.
    ///
    /// # Errors
    /// `Conflict` when the stored version is not `expected_version`;
    /// `NotFound` for an unknown incident; `Transient` when unreachable.
    async fn append(&self, batch: AppendBatch) -> Result<Incident, PortError>;

    /// The incident with this id.
    ///
    /// # Errors
    /// `Transient` when unreachable.
    async fn get(&self, id: IncidentId) -> Result<Option<Incident>, PortError>;

    /// The incident with this number.
    ///
    /// # Errors
    /// `Transient` when unreachable.
    async fn get_by_number(&self, number: IncidentNumber) -> Result<Option<Incident>, PortError>;

    /// The incident whose room this is.
    ///
    /// # Errors
    /// `Transient` when unreachable.
    async fn find_by_room(&self, room: &RoomId) -> Result<Option<Incident>, PortError>;

    /// The non-terminal incident with this dedup key.
    ///
    /// # Errors
    /// `Transient` when unreachable.
    async fn find_open_by_dedup_key(&self, key: &DedupKey) -> Result<Option<Incident>, PortError>;

    /// Incidents matching `filter`, newest first.
    ///
    /// # Errors
    /// `Transient` when unreachable.
    async fn list(&self, filter: &IncidentFilter) -> Result<Vec<Incident>, PortError>;

    /// The whole log of an incident, by `seq`.
    ///
    /// # Errors
    /// `NotFound` for an unknown incident; `Transient` when unreachable.
    async fn events(&self, id: IncidentId) -> Result<Vec<IncidentEvent>, PortError>;

    /// Milestones of the incidents matching `filter` (`limit` ignored).
    ///
    /// # Errors
    /// `Transient` when unreachable.
    async fn milestones(&self, filter: &IncidentFilter) -> Result<Vec<MilestoneRow>, PortError>;

    /// How many incidents have each status and severity. SQL stores count
    /// in the database (an index scan, nothing sent per incident); the
    /// default counts the milestone rows.
    ///
    /// # Errors
    /// `Transient` when unreachable.
    async fn incident_counts(&self) -> Result<IncidentCounts, PortError> {
        let rows = self.milestones(&IncidentFilter::default()).await?;
        Ok(rows.iter().map(|row| (row.status, row.severity)).collect())
    }

    /// Checks the database answers.
    ///
    /// # Errors
    /// `Transient` when unreachable.
    async fn ping(&self) -> Result<(), PortError>;

    /// The incident one of whose action items has the ticket with this
    /// tracker id, and that item's number (from 1). SQL stores answer from
    /// an index on `action_items.ticket_id`; the default reads every incident.
    ///
    /// # Errors
    /// `Transient` when unreachable.
    async fn find_by_ticket(&self, ticket_id: &str) -> Result<Option<(Incident, u32)>, PortError> {
        let incidents = self.list(&IncidentFilter::default()).await?;
        Ok(incidents.into_iter().find_map(|incident| {
            let number = incident
                .action_items()
                .iter()
                .position(|item| item.ticket.as_ref().is_some_and(|ticket| ticket.id == ticket_id))?;
            Some((incident, u32::try_from(number + 1).ok()?))
        }))
    }

    /// Up to `limit` action items linked to a ticket that are open, or were
    /// done at or after `done_since`: the tickets worth reading back from
    /// the tracker. Each is its incident, its number (from 1) and its ticket
    /// as last recorded, in order of incident id then number, starting
    /// after `after` (an incident id and item number, usually the last one
    /// of the previous page; `None`: from the first), so that pages of
    /// `limit` cover them all. SQL stores answer from `action_items`; the
    /// default reads every incident.
    ///
    /// # Errors
    /// `Transient` when unreachable.
    async fn linked_tickets(
        &self,
        done_since: DateTime<Utc>,
        after: Option<(IncidentId, u32)>,
        limit: usize,
    ) -> Result<Vec<(IncidentId, u32, Ticket)>, PortError> {
        let incidents = self.list(&IncidentFilter::default()).await?;
        let mut linked: Vec<_> =
            incidents.iter().flat_map(|incident| linked_tickets_of(incident, done_since)).collect();
        linked.sort_by_key(|(id, number, _)| (*id, *number));
        Ok(linked.into_iter().filter(|(id, number, _)| is_after(*id, *number, after)).take(limit).collect())
    }
}

/// Whether item `number` of incident `id` comes after the cursor `after`
/// (in order of incident id then number), as [`Incidents::linked_tickets`] pages.
pub(crate) fn is_after(id: IncidentId, number: u32, after: Option<(IncidentId, u32)>) -> bool {
    after.is_none_or(|cursor| (id, number) > cursor)
}

/// The action items of `incident` linked to a ticket that are open or were
/// done at or after `done_since`, as [`Incidents::linked_tickets`] answers them.
pub(crate) fn linked_tickets_of(incident: &Incident, done_since: DateTime<Utc>) -> Vec<(IncidentId, u32, Ticket)> {
    let items = incident.action_items().iter().zip(1u32..);
    items
        .filter(|(item, _)| item.is_open() || item.done_at.is_some_and(|at| at >= done_since))
        .filter_map(|(item, number)| Some((incident.id(), number, item.ticket.clone()?)))
        .collect()
}

/// The outbox: effects waiting to run, leased to one worker at a time
/// through claims (see [`Claim`]).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Outbox: Send + Sync {
    /// Leases up to `limit` effects due at `now` (not done, not leased or
    /// lease expired) until `now + lease`, under a new [`ClaimToken`]:
    /// `create_room` effects first (people are waiting for the room), then
    /// oldest due first. Concurrent callers never get the same effect while
    /// its lease runs.
    ///
    /// # Errors
    /// `Transient` when unreachable.
    async fn claim_due(
        &self,
        limit: usize,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Vec<ClaimedEffect>, PortError>;

    /// Extends the leases of the effects these claims still hold until
    /// `until`; returns the ids renewed (a lost or finished one is left out).
    ///
    /// # Errors
    /// `Transient` when unreachable.
    async fn renew(&self, claims: &[Claim], until: DateTime<Utc>) -> Result<Vec<EffectId>, PortError>;

    /// Marks an effect done.
    ///
    /// # Errors
    /// `NotFound` for an unknown effect; `Conflict` when `claim` no longer
    /// holds it (taken over or finished); `Transient` when unreachable.
    async fn complete(&self, claim: Claim, now: DateTime<Utc>) -> Result<(), PortError>;

    /// Releases an effect to run again at `at`, noting why it failed.
    ///
    /// # Errors
    /// As [`Outbox::complete`].
    async fn retry_at(&self, claim: Claim, at: DateTime<Utc>, error: &str) -> Result<(), PortError>;

    /// Marks an effect failed for good.
    ///
    /// # Errors
    /// As [`Outbox::complete`].
    async fn give_up(&self, claim: Claim, now: DateTime<Utc>, error: &str) -> Result<(), PortError>;

    /// Ends a lease without counting the attempt, so any worker may claim the
    /// effect at once (graceful shutdown).
    ///
    /// # Errors
    /// As [`Outbox::complete`].
    async fn release(&self, claim: Claim) -> Result<(), PortError>;

    /// Makes the failed effects of an incident pending again, due at `now`,
    /// with a fresh retry horizon; returns how many.
    ///
    /// # Errors
    /// `Transient` when unreachable.
    async fn retry_failed(&self, incident: IncidentId, now: DateTime<Utc>) -> Result<u64, PortError>;

    /// Outbox counts at `now`: what is due then (or waits to retry) is
    /// pending, what is due later and never tried is scheduled.
    ///
    /// # Errors
    /// `Transient` when unreachable.
    async fn outbox_stats(&self, now: DateTime<Utc>) -> Result<OutboxStats, PortError>;

    /// The effects not done yet, as [`Outbox::outbox_stats`] counts them
    /// (`pending`, `scheduled`, the oldest due), with `completed` and
    /// `failed` left 0. SQL stores read only unfinished effects, so it costs
    /// the same however long the outbox's history; the default takes them
    /// from `outbox_stats`.
    ///
    /// # Errors
    /// `Transient` when unreachable.
    async fn outbox_backlog(&self, now: DateTime<Utc>) -> Result<OutboxStats, PortError> {
        let stats = self.outbox_stats(now).await?;
        Ok(OutboxStats { completed: 0, failed: 0, ..stats })
    }
}

/// Idempotency keys: work that must run once per key (a retried webhook,
/// a redelivered chat event).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait IdempotencyKeys: Send + Sync {
    /// Records an idempotency key; `true` the first time it is seen.
    ///
    /// # Errors
    /// `Transient` when unreachable.
    async fn remember(&self, key: &str, now: DateTime<Utc>) -> Result<bool, PortError>;

    /// Deletes one idempotency key, so the work it guarded may run again
    /// (a Slack event whose handling failed); forgetting an unknown key is not an error.
    ///
    /// # Errors
    /// `Transient` when unreachable; `Unsupported` from stores that do not
    /// implement it (the default), whose keys then stay until they expire.
    async fn forget_key(&self, key: &str) -> Result<(), PortError> {
        let _ = key;
        Err(PortError::Unsupported("forgetting one idempotency key".into()))
    }

    /// Deletes idempotency keys first seen before `cutoff`; returns how many.
    ///
    /// # Errors
    /// `Transient` when unreachable.
    async fn forget_keys_before(&self, cutoff: DateTime<Utc>) -> Result<u64, PortError>;
}

/// Everything a store offers: [`Incidents`], the [`Outbox`] and the
/// [`IdempotencyKeys`]. Implemented for every type that implements the three,
/// so `Arc<dyn IncidentStore>` serves where all are needed and narrower
/// ports (`Arc<dyn IdempotencyKeys>`) where they are not.
pub trait IncidentStore: Incidents + Outbox + IdempotencyKeys {}

impl<T: Incidents + Outbox + IdempotencyKeys + ?Sized> IncidentStore for T {}
