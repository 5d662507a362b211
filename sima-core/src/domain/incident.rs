//! The incident aggregate: the fold of its events.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    ActionItem, ActionStatus, Actor, DedupKey, Description, DocRef, Domain, EffectKind, EventKind, FieldChange,
    FieldValues, HostedStatus, Impact, IncidentEvent, IncidentId, IncidentNumber, MessageRef, PageRef, PublicUpdate,
    Roles, Room, RoomState, Severity, Status, Summary, Text,
};

/// The timestamps the metrics are computed from (docs/architecture.md#metric-spec-v1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestones {
    /// The declared event.
    pub declared_at: DateTime<Utc>,
    /// When impact began; at or before every other milestone.
    pub started_at: DateTime<Utc>,
    /// The first transition out of `open`.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// The first entry into `monitoring` or `resolved`.
    pub mitigated_at: Option<DateTime<Utc>>,
    /// The last entry into `resolved`; absent while reopened.
    pub resolved_at: Option<DateTime<Utc>>,
}

impl Milestones {
    /// Milestones of a just-declared incident.
    pub fn declared(declared_at: DateTime<Utc>, started_at: DateTime<Utc>) -> Self {
        Self { declared_at, started_at, acknowledged_at: None, mitigated_at: None, resolved_at: None }
    }

    /// Moves the milestones along a status change made at `at`.
    pub fn on_status_change(&mut self, from: Status, to: Status, at: DateTime<Utc>) {
        if from == Status::Open && self.acknowledged_at.is_none() {
            self.acknowledged_at = Some(at);
        }
        if matches!(to, Status::Monitoring | Status::Resolved) && self.mitigated_at.is_none() {
            self.mitigated_at = Some(at);
        }
        match to {
            Status::Resolved => self.resolved_at = Some(at),
            Status::Closed => {}
            _ => self.resolved_at = None,
        }
    }

    /// The earliest milestone other than `started_at`, with its name.
    pub fn earliest_after_start(&self) -> (&'static str, DateTime<Utc>) {
        [
            ("acknowledged_at", self.acknowledged_at),
            ("mitigated_at", self.mitigated_at),
            ("resolved_at", self.resolved_at),
        ]
        .into_iter()
        .filter_map(|(name, at)| at.map(|at| (name, at)))
        .fold(("declared_at", self.declared_at), |min, cur| if cur.1 < min.1 { cur } else { min })
    }
}

/// An incident as its events made it: read it through its accessors; it
/// changes only by [`Incident::apply`]ing events. Stores keep it as JSON
/// (serde) or rebuild it from its log ([`Incident::replay`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    /// Identity.
    id: IncidentId,
    /// Human number, allocated by the store.
    number: IncidentNumber,
    /// The `seq` of the last applied event.
    version: u64,
    /// Current status.
    status: Status,
    /// Affected domain.
    domain: Domain,
    /// One line.
    summary: Summary,
    /// Longer text.
    description: Description,
    /// How bad.
    severity: Severity,
    /// Affected customers, if known.
    impact: Option<Impact>,
    /// Who declared it.
    reporter: Actor,
    /// Role holders.
    roles: Roles,
    /// The incident room, once created.
    room: Option<Room>,
    /// The pinned card in the room.
    card: Option<MessageRef>,
    /// The announcement in the broadcast channel.
    broadcast: Option<MessageRef>,
    /// Pages raised and not yet resolved.
    open_pages: Vec<PageRef>,
    /// The post-mortem, once created.
    postmortem: Option<DocRef>,
    /// The root cause, once known.
    root_cause: Option<Text>,
    /// Follow-up actions.
    action_items: Vec<ActionItem>,
    /// Webhook deduplication key.
    dedup_key: Option<DedupKey>,
    /// The kinds of effect that failed for good and were not retried since.
    #[serde(default)]
    failed_effects: Vec<EffectKind>,
    /// Metric timestamps.
    milestones: Milestones,
    /// The `seq` the update-reminder clock runs from: the last update
    /// (status, note, role or field change), the room's creation, or the last
    /// reminder, whichever came last.
    #[serde(default)]
    reminder_basis: u64,
    /// Open, closing or archived.
    #[serde(default)]
    room_state: RoomState,
    /// Whether the post-mortem reminder was posted (it is posted once).
    #[serde(default)]
    postmortem_reminded: bool,
    /// The names of the policy timers that fired (each fires once).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    fired_timers: Vec<String>,
    /// Private: a private room, no broadcast, hidden from those not in its
    /// room. Snapshots stored before privacy existed read as public.
    #[serde(default)]
    private: bool,
    /// The incident type, if declared with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    incident_type: Option<String>,
    /// Custom field values.
    #[serde(default, skip_serializing_if = "FieldValues::is_empty")]
    fields: FieldValues,
    /// What was published on the status page, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    public_updates: Vec<PublicUpdate>,
    /// The `seq` of the last time it was made private: the public updates
    /// recorded before it were withdrawn and stay off the status page.
    #[serde(default, skip_serializing_if = "is_zero_seq")]
    withdrawn_through: u64,
    /// Where a hosted status page keeps this incident, once pushed there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hosted_status: Option<HostedStatus>,
    /// Whether the hosted incident must be withdrawn from the hosted page
    /// (the incident was made private after it was pushed) and is not yet.
    #[serde(default, skip_serializing_if = "is_false")]
    hosted_withdrawal_due: bool,
}

fn is_false(flag: &bool) -> bool {
    !*flag
}

fn is_zero_seq(seq: &u64) -> bool {
    *seq == 0
}

impl Incident {
    /// Identity.
    pub fn id(&self) -> IncidentId {
        self.id
    }

    /// Human number, allocated by the store.
    pub fn number(&self) -> IncidentNumber {
        self.number
    }

    /// The `seq` of the last applied event.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Current status.
    pub fn status(&self) -> Status {
        self.status
    }

    /// Affected domain.
    pub fn domain(&self) -> &Domain {
        &self.domain
    }

    /// One line.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// Longer text.
    pub fn description(&self) -> &Description {
        &self.description
    }

    /// How bad.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// Affected customers, if known.
    pub fn impact(&self) -> Option<Impact> {
        self.impact
    }

    /// Who declared it.
    pub fn reporter(&self) -> &Actor {
        &self.reporter
    }

    /// Role holders.
    pub fn roles(&self) -> &Roles {
        &self.roles
    }

    /// The incident room, once created.
    pub fn room(&self) -> Option<&Room> {
        self.room.as_ref()
    }

    /// The pinned card in the room.
    pub fn card(&self) -> Option<&MessageRef> {
        self.card.as_ref()
    }

    /// The announcement in the broadcast channel.
    pub fn broadcast(&self) -> Option<&MessageRef> {
        self.broadcast.as_ref()
    }

    /// Pages raised and not yet resolved.
    pub fn open_pages(&self) -> &[PageRef] {
        &self.open_pages
    }

    /// The post-mortem, once created.
    pub fn postmortem(&self) -> Option<&DocRef> {
        self.postmortem.as_ref()
    }

    /// The root cause, once known.
    pub fn root_cause(&self) -> Option<&Text> {
        self.root_cause.as_ref()
    }

    /// Follow-up actions.
    pub fn action_items(&self) -> &[ActionItem] {
        &self.action_items
    }

    /// Webhook deduplication key.
    pub fn dedup_key(&self) -> Option<&DedupKey> {
        self.dedup_key.as_ref()
    }

    /// The kinds of effect that failed for good and were not retried since.
    pub fn failed_effects(&self) -> &[EffectKind] {
        &self.failed_effects
    }

    /// Metric timestamps.
    pub fn milestones(&self) -> Milestones {
        self.milestones
    }

    /// The `seq` the update-reminder clock runs from: the last update, the
    /// room's creation, or the last reminder, whichever came last.
    pub fn reminder_basis(&self) -> u64 {
        self.reminder_basis
    }

    /// Open, closing or archived.
    pub fn room_state(&self) -> RoomState {
        self.room_state
    }

    /// Whether the post-mortem reminder was posted (it is posted once).
    pub fn postmortem_reminded(&self) -> bool {
        self.postmortem_reminded
    }

    /// Whether it is private: a private room, no broadcast, and hidden from
    /// those who are not in its room.
    pub fn is_private(&self) -> bool {
        self.private
    }

    /// The incident type, if declared with one.
    pub fn incident_type(&self) -> Option<&str> {
        self.incident_type.as_deref()
    }

    /// Custom field values.
    pub fn fields(&self) -> &FieldValues {
        &self.fields
    }

    /// The same incident under the number its store allocated. For stores
    /// only: the number names the incident; no event changes it.
    #[must_use]
    pub fn numbered(mut self, number: IncidentNumber) -> Self {
        self.number = number;
        self
    }

    /// Builds an incident from its log. `None` if the log does not start with
    /// a `declared` event.
    pub fn replay(id: IncidentId, number: IncidentNumber, events: &[IncidentEvent]) -> Option<Self> {
        let (first, rest) = events.split_first()?;
        let mut incident = Self::from_declared(id, number, first)?;
        for event in rest {
            incident.apply(event);
        }
        Some(incident)
    }

    /// The incident a `declared` event creates.
    pub fn from_declared(id: IncidentId, number: IncidentNumber, event: &IncidentEvent) -> Option<Self> {
        let EventKind::Declared {
            domain,
            summary,
            description,
            severity,
            impact,
            started_at,
            dedup_key,
            private,
            incident_type,
            fields,
        } = &event.kind
        else {
            return None;
        };
        Some(Self {
            id,
            number,
            version: event.seq,
            status: Status::Open,
            domain: domain.clone(),
            summary: summary.clone(),
            description: description.clone(),
            severity: *severity,
            impact: *impact,
            reporter: event.actor.clone(),
            roles: Roles::default(),
            room: None,
            card: None,
            broadcast: None,
            open_pages: Vec::new(),
            postmortem: None,
            root_cause: None,
            action_items: Vec::new(),
            dedup_key: dedup_key.clone(),
            failed_effects: Vec::new(),
            milestones: Milestones::declared(event.at, *started_at),
            reminder_basis: event.seq,
            room_state: RoomState::Open,
            postmortem_reminded: false,
            fired_timers: Vec::new(),
            private: *private,
            incident_type: incident_type.clone(),
            fields: fields.clone(),
            public_updates: Vec::new(),
            withdrawn_through: 0,
            hosted_status: None,
            hosted_withdrawal_due: false,
        })
    }

    /// Applies one event (already decided, so it cannot fail).
    pub fn apply(&mut self, event: &IncidentEvent) {
        self.version = event.seq;
        if event.kind.restarts_reminders() {
            self.reminder_basis = event.seq;
        }
        match &event.kind {
            EventKind::Declared { .. } => {}
            EventKind::FieldsSet { changes } => {
                for change in changes {
                    self.fields.set(&change.field, change.new.clone());
                }
            }
            EventKind::VisibilityChanged { private } => {
                self.private = *private;
                if *private {
                    self.withdrawn_through = event.seq;
                    self.hosted_withdrawal_due = self.hosted_status.is_some();
                }
            }
            EventKind::StatusChanged { from, to, .. } => {
                self.status = *to;
                self.milestones.on_status_change(*from, *to, event.at);
                // Reopened between the closing summary and the archive: the room stays.
                if to.is_active() && self.room_state == RoomState::Closing {
                    self.room_state = RoomState::Open;
                }
            }
            EventKind::RoleAssigned { role, user, .. } => self.roles.set(*role, user.clone()),
            EventKind::FieldEdited(change) => self.apply_edit(change),
            EventKind::Escalated { .. } | EventKind::NoteAdded { .. } => {}
            EventKind::RootCauseSet { text } => self.root_cause = Some(text.clone()),
            EventKind::ActionItemAdded { text, owner, due } => self.action_items.push(ActionItem {
                text: text.clone(),
                added_by: event.actor.clone(),
                owner: owner.clone(),
                due: *due,
                status: ActionStatus::Open,
                done_at: None,
                ticket: None,
                export_requested: false,
            }),
            EventKind::ActionItemReopened { number } => {
                if let Some(item) = self.action_item_mut(*number) {
                    item.status = ActionStatus::Open;
                    item.done_at = None;
                }
            }
            EventKind::ActionItemExportRequested { number } => {
                if let Some(item) = self.action_item_mut(*number) {
                    item.export_requested = true;
                }
            }
            EventKind::TicketLinked { number, ticket } | EventKind::TicketUpdated { number, ticket } => {
                if let Some(item) = self.action_item_mut(*number) {
                    item.ticket = Some(ticket.clone());
                }
            }
            EventKind::PublicUpdatePublished { status, title, message, component_status } => {
                self.public_updates.push(PublicUpdate {
                    seq: event.seq,
                    at: event.at,
                    status: *status,
                    title: title.clone(),
                    message: message.clone(),
                    component_status: *component_status,
                });
            }
            EventKind::StatusPageLinked { id, url } => {
                self.hosted_status = Some(HostedStatus { id: id.clone(), url: url.clone() });
                // Pushed while it was being made private: it must come off again.
                self.hosted_withdrawal_due = self.private;
            }
            EventKind::StatusPageWithdrawn { .. } => {
                self.hosted_status = None;
                self.hosted_withdrawal_due = false;
            }
            EventKind::ActionItemDone { number } => {
                if let Some(item) = self.action_item_mut(*number) {
                    item.status = ActionStatus::Done;
                    item.done_at = Some(event.at);
                }
            }
            EventKind::UpdateReminderPosted { .. } => {}
            EventKind::PostmortemReminderPosted => self.postmortem_reminded = true,
            EventKind::ClosingSummaryPosted => self.room_state = RoomState::Closing,
            EventKind::RoomArchived => self.room_state = RoomState::Archived,
            EventKind::RoomCreated { room } => self.room = Some(room.clone()),
            EventKind::MembersInvited { .. } | EventKind::MemberJoined { .. } => {}
            EventKind::EffectFailed { effect, .. } => {
                if !self.failed_effects.contains(effect) {
                    self.failed_effects.push(*effect);
                }
            }
            EventKind::EffectsRetried { effects } => self.failed_effects.retain(|f| !effects.contains(f)),
            EventKind::TimerFired { name } => {
                if !self.timer_fired(name) {
                    self.fired_timers.push(name.clone());
                }
            }
            EventKind::CardPosted { message } => self.card = Some(message.clone()),
            EventKind::BroadcastPosted { message } => self.broadcast = Some(message.clone()),
            EventKind::Paged { page } => {
                if !self.open_pages.contains(page) {
                    self.open_pages.push(page.clone());
                }
            }
            EventKind::PageResolved { page } => self.open_pages.retain(|p| p.dedup_key != page.dedup_key),
            EventKind::PostmortemCreated { doc } => self.postmortem = Some(doc.clone()),
        }
    }

    fn apply_edit(&mut self, change: &FieldChange) {
        match change {
            FieldChange::Summary { new, .. } => self.summary = new.clone(),
            FieldChange::Description { new, .. } => self.description = new.clone(),
            FieldChange::Severity { new, .. } => self.severity = *new,
            FieldChange::Impact { new, .. } => self.impact = Some(*new),
            FieldChange::Domain { new, .. } => self.domain = new.clone(),
            FieldChange::StartedAt { new, .. } => self.milestones.started_at = *new,
        }
    }

    /// Whether the room's opening runbook will still record `message`
    /// (`card` or `broadcast`): the room exists, the message is not recorded,
    /// and its effect (`post_card`, `post_broadcast`) has not failed for good.
    pub fn awaits(&self, message: Option<&MessageRef>, effect: EffectKind) -> bool {
        self.room.is_some() && message.is_none() && !self.failed_effects.contains(&effect)
    }

    /// What was published on the status page, oldest first.
    pub fn public_updates(&self) -> &[PublicUpdate] {
        &self.public_updates
    }

    /// The public updates the status page may show: those published since
    /// the incident was last made private (making it private withdraws the
    /// earlier ones for good; making it public again shows nothing until a
    /// new update is published). Empty while it is private.
    pub fn shown_public_updates(&self) -> &[PublicUpdate] {
        if self.private {
            return &[];
        }
        let first = self.public_updates.partition_point(|u| u.seq <= self.withdrawn_through);
        &self.public_updates[first..]
    }

    /// Where a hosted status page keeps this incident, once pushed there.
    pub fn hosted_status(&self) -> Option<&HostedStatus> {
        self.hosted_status.as_ref()
    }

    /// Whether the hosted incident was pushed before the incident was made
    /// private and is not withdrawn from the hosted page yet.
    pub fn hosted_withdrawal_due(&self) -> bool {
        self.hosted_withdrawal_due && self.hosted_status.is_some()
    }

    /// Action item `number` (from 1).
    pub fn action_item(&self, number: u32) -> Option<&ActionItem> {
        self.action_items.get(usize::try_from(number).ok()?.checked_sub(1)?)
    }

    fn action_item_mut(&mut self, number: u32) -> Option<&mut ActionItem> {
        self.action_items.get_mut(usize::try_from(number).ok()?.checked_sub(1)?)
    }

    /// Whether the policy timer `name` fired for this incident.
    pub fn timer_fired(&self, name: &str) -> bool {
        self.fired_timers.iter().any(|t| t == name)
    }

    /// Whether messages may be posted in the room (it exists and is not archived).
    pub fn room_is_open(&self) -> bool {
        self.room.is_some() && self.room_state != RoomState::Archived
    }

    /// Who a reminder speaks to: the Incident Manager, else the reporter if a person declared it.
    pub fn lead(&self) -> Option<&super::UserRef> {
        self.roles.get(super::Role::IncidentManager).or_else(|| self.reporter.user())
    }

    /// A short title: `INC-42 · Emails are late`.
    pub fn title(&self) -> String {
        format!("{} · {}", self.number, self.summary)
    }
}
