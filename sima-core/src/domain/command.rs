//! Commands and the pure decision function.

use chrono::{DateTime, Utc};

use super::{
    format_time, ComponentStatus, Description, DocRef, Domain, DomainError, EffectKind, EventKind, FieldChange,
    FieldValue, FieldValueChange, HostedStatus, Impact, Incident, MessageRef, NewActionItem, PageRef, PublicStatus,
    Role, Room, RoomState, Severity, Status, Summary, Text, Ticket, TransitionError, UserRef,
};

/// Something someone asks of an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Move to another status, with an optional update message.
    ChangeStatus {
        /// Target status.
        to: Status,
        /// The update people read.
        message: Option<Text>,
    },
    /// Give a role to someone.
    AssignRole {
        /// Which role.
        role: Role,
        /// Its new holder.
        user: UserRef,
    },
    /// Change one field.
    Edit(FieldEdit),
    /// Add a note to the timeline.
    AddNote(Text),
    /// Page the on-call of a domain (the incident's own when `None`).
    Escalate {
        /// The domain to page.
        domain: Option<Domain>,
    },
    /// Write down the root cause.
    SetRootCause(Text),
    /// Record a follow-up action (allowed at any status: follow-ups outlive the incident).
    AddActionItem(NewActionItem),
    /// Mark action item `n` (from 1) done; allowed at any status.
    CompleteActionItem(u32),
    /// Mark action item `n` (from 1) open again; allowed at any status.
    ReopenActionItem(u32),
    /// Ask for action item `n` (from 1) to be exported to the tracker;
    /// allowed at any status, nothing new once asked or exported.
    ExportActionItem(u32),
    /// Someone joined the incident room.
    Join(UserRef),
    /// Make the incident private (allowed at any time) or public again (an
    /// explicit change, guarded: only its Incident Manager or an admin).
    SetVisibility {
        /// Private from now on (`false`: public again).
        private: bool,
    },
    /// Set (`Some`) or clear (`None`) custom fields, values already checked
    /// against the schema ([`super::FieldSchema::updated_values`]); allowed
    /// at any status: incidents are often classified after they end.
    SetFields(Vec<(String, Option<FieldValue>)>),
    /// Publish an update on the status page (refused for private incidents;
    /// after the incident ended, only the `resolved` all-clear).
    Publish {
        /// The stage announced.
        status: PublicStatus,
        /// What customers are told (at most 2000 characters).
        message: Text,
        /// The public title; without it the last update's stands, else a neutral one.
        title: Option<String>,
        /// How the affected components are doing; without it: operational
        /// once resolved, else the last update's, else what the severity implies.
        component_status: Option<ComponentStatus>,
    },
    /// Record the outcome of an effect the runbook ran.
    Record(Outcome),
}

/// A new value for one editable field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldEdit {
    /// New summary.
    Summary(Summary),
    /// New description.
    Description(Description),
    /// New severity.
    Severity(Severity),
    /// New impact.
    Impact(Impact),
    /// New domain.
    Domain(Domain),
    /// Backdated (or corrected) start of impact.
    StartedAt(DateTime<Utc>),
}

/// What an effect achieved on a platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The room exists.
    RoomCreated(Room),
    /// These people were invited.
    MembersInvited(Vec<UserRef>),
    /// The card was posted and pinned.
    CardPosted(MessageRef),
    /// The broadcast was posted.
    BroadcastPosted(MessageRef),
    /// A page was raised.
    Paged(PageRef),
    /// A page was resolved.
    PageResolved(PageRef),
    /// The post-mortem exists.
    PostmortemCreated(DocRef),
    /// An effect failed for good.
    EffectFailed {
        /// Which kind of effect.
        effect: EffectKind,
        /// Why.
        error: String,
    },
    /// Failed effects were queued to run again.
    EffectsRetried(Vec<EffectKind>),
    /// The update reminder scheduled from `seq` was posted.
    UpdateReminderPosted {
        /// The `seq` the reminder clock ran from.
        basis: u64,
    },
    /// The post-mortem reminder was posted.
    PostmortemReminderPosted,
    /// The closing summary was posted in the room.
    ClosingSummaryPosted,
    /// Action item `number` has this ticket in the tracker (recorded once).
    TicketLinked {
        /// The action item, from 1.
        number: u32,
        /// Its ticket.
        ticket: Ticket,
    },
    /// The ticket of action item `number` is now this (recorded when it changed).
    TicketUpdated {
        /// The action item, from 1.
        number: u32,
        /// The ticket as it is now.
        ticket: Ticket,
    },
    /// The hosted status page keeps the incident here (recorded once).
    StatusPageLinked(HostedStatus),
    /// The hosted incident with this id was withdrawn from the status page.
    StatusPageWithdrawn(String),
    /// The room was archived.
    RoomArchived,
    /// A policy's timer fell due with its condition met.
    TimerFired(String),
    /// A policy set the severity.
    SeveritySet {
        /// The new severity.
        severity: Severity,
        /// How many changes made by policies led here, this one included.
        policy_depth: u8,
    },
}

impl Incident {
    /// Decides which events `command` produces, without changing anything.
    /// An empty list means the command changes nothing (e.g. a role given to
    /// its current holder).
    ///
    /// # Errors
    /// [`DomainError`] when the incident's state refuses the command.
    pub fn decide(&self, command: &Command, now: DateTime<Utc>) -> Result<Vec<EventKind>, DomainError> {
        match command {
            Command::Record(outcome) => return Ok(self.record(outcome)),
            Command::AddActionItem(item) => {
                return Ok(vec![EventKind::ActionItemAdded {
                    text: item.text.clone(),
                    owner: item.owner.clone(),
                    due: item.due,
                }])
            }
            Command::CompleteActionItem(number) => {
                let item = self
                    .action_item(*number)
                    .ok_or(DomainError::NoSuchActionItem { number: *number, count: self.action_items().len() })?;
                return Ok(if item.is_open() { vec![EventKind::ActionItemDone { number: *number }] } else { vec![] });
            }
            Command::ReopenActionItem(number) | Command::ExportActionItem(number) => {
                return self.decide_ticket_command(command, *number);
            }
            Command::SetFields(values) => return Ok(self.decide_fields(values).into_iter().collect()),
            // Checked by its own rules: an ended incident may still publish its all-clear.
            Command::Publish { status, message, title, component_status } => {
                return Ok(vec![self.decide_publish(*status, message, title.as_deref(), *component_status)?]);
            }
            // Allowed at any status: an ended incident may still need hiding.
            Command::SetVisibility { private } => {
                return Ok(if *private == self.is_private() {
                    vec![]
                } else {
                    vec![EventKind::VisibilityChanged { private: *private }]
                });
            }
            _ => {}
        }
        if self.status().is_terminal() {
            return Err(DomainError::Terminal(self.status()));
        }
        let events = match command {
            Command::ChangeStatus { to, message } => {
                if *to == self.status() {
                    return Err(DomainError::AlreadyInStatus(self.status()));
                }
                if !self.status().can_become(*to) {
                    return Err(TransitionError::new(self.status(), *to).into());
                }
                vec![EventKind::StatusChanged {
                    from: self.status(),
                    to: *to,
                    message: message.as_ref().map(|m| m.as_str().to_owned()),
                }]
            }
            Command::AssignRole { role, user } => {
                let previous = self.roles().get(*role).cloned();
                if previous.as_ref() == Some(user) {
                    return Ok(vec![]);
                }
                vec![EventKind::RoleAssigned { role: *role, user: user.clone(), previous }]
            }
            Command::Edit(edit) => self.decide_edit(edit, now)?.into_iter().collect(),
            Command::AddNote(text) => vec![EventKind::NoteAdded { text: text.clone() }],
            Command::Escalate { domain } => {
                vec![EventKind::Escalated { domain: domain.clone().unwrap_or_else(|| self.domain().clone()) }]
            }
            Command::SetRootCause(text) => {
                if self.root_cause() == Some(text) {
                    return Ok(vec![]);
                }
                vec![EventKind::RootCauseSet { text: text.clone() }]
            }
            Command::Join(user) => vec![EventKind::MemberJoined { user: user.clone() }],
            Command::Record(_)
            | Command::AddActionItem(_)
            | Command::CompleteActionItem(_)
            | Command::ReopenActionItem(_)
            | Command::ExportActionItem(_)
            | Command::SetVisibility { .. }
            | Command::Publish { .. }
            | Command::SetFields(_) => {
                unreachable!("handled above")
            }
        };
        Ok(events)
    }

    fn decide_fields(&self, values: &[(String, Option<FieldValue>)]) -> Option<EventKind> {
        let changes: Vec<FieldValueChange> = values
            .iter()
            .filter(|(field, new)| self.fields().get(field) != new.as_ref())
            .map(|(field, new)| FieldValueChange {
                field: field.clone(),
                old: self.fields().get(field).cloned(),
                new: new.clone(),
            })
            .collect();
        (!changes.is_empty()).then_some(EventKind::FieldsSet { changes })
    }

    fn decide_edit(&self, edit: &FieldEdit, now: DateTime<Utc>) -> Result<Option<EventKind>, DomainError> {
        let change = match edit {
            FieldEdit::Summary(v) => FieldChange::Summary { old: self.summary().clone(), new: v.clone() },
            FieldEdit::Description(v) => FieldChange::Description { old: self.description().clone(), new: v.clone() },
            FieldEdit::Severity(v) => FieldChange::Severity { old: self.severity(), new: *v, policy_depth: 0 },
            FieldEdit::Impact(v) => FieldChange::Impact { old: self.impact(), new: *v },
            FieldEdit::Domain(v) => FieldChange::Domain { old: self.domain().clone(), new: v.clone() },
            FieldEdit::StartedAt(at) => {
                let (milestone, limit) = self.milestones().earliest_after_start();
                let (milestone, limit) = if now < limit { ("current time", now) } else { (milestone, limit) };
                if *at > limit {
                    return Err(DomainError::StartAfterMilestone {
                        given: format_time(*at),
                        milestone,
                        limit: format_time(limit),
                    });
                }
                FieldChange::StartedAt { old: self.milestones().started_at, new: *at }
            }
        };
        Ok((!change.is_no_op()).then_some(EventKind::FieldEdited(change)))
    }

    fn record(&self, outcome: &Outcome) -> Vec<EventKind> {
        let event = match outcome {
            Outcome::RoomCreated(room) if self.room().is_none() => EventKind::RoomCreated { room: room.clone() },
            Outcome::MembersInvited(users) => EventKind::MembersInvited { users: users.clone() },
            Outcome::CardPosted(m) if self.card().is_none() => EventKind::CardPosted { message: m.clone() },
            Outcome::BroadcastPosted(m) if self.broadcast().is_none() => {
                EventKind::BroadcastPosted { message: m.clone() }
            }
            Outcome::Paged(page) => EventKind::Paged { page: page.clone() },
            Outcome::PageResolved(page) => EventKind::PageResolved { page: page.clone() },
            Outcome::PostmortemCreated(doc) if self.postmortem().is_none() => {
                EventKind::PostmortemCreated { doc: doc.clone() }
            }
            Outcome::EffectFailed { effect, error } => {
                EventKind::EffectFailed { effect: *effect, error: error.clone() }
            }
            Outcome::EffectsRetried(effects) if !effects.is_empty() => {
                EventKind::EffectsRetried { effects: effects.clone() }
            }
            // A reminder counts only if nothing moved the clock since it was scheduled.
            Outcome::UpdateReminderPosted { basis } if *basis == self.reminder_basis() && self.status().is_active() => {
                EventKind::UpdateReminderPosted { basis: *basis }
            }
            Outcome::PostmortemReminderPosted if !self.postmortem_reminded() => EventKind::PostmortemReminderPosted,
            Outcome::ClosingSummaryPosted if self.room_state() == RoomState::Open => EventKind::ClosingSummaryPosted,
            Outcome::TicketLinked { number, ticket } | Outcome::TicketUpdated { number, ticket } => {
                return self.record_ticket(outcome, *number, ticket);
            }
            Outcome::StatusPageLinked(hosted) if self.hosted_status().is_none() => {
                EventKind::StatusPageLinked { id: hosted.id.clone(), url: hosted.url.clone() }
            }
            // Only the hosted incident still recorded: a new one linked since stays.
            Outcome::StatusPageWithdrawn(id) if self.hosted_status().is_some_and(|h| &h.id == id) => {
                EventKind::StatusPageWithdrawn { id: id.clone() }
            }
            Outcome::RoomArchived if self.room_state() != RoomState::Archived => EventKind::RoomArchived,
            // Once per name: a replay or a second replica finds it recorded.
            Outcome::TimerFired(name) if !self.timer_fired(name) => EventKind::TimerFired { name: name.clone() },
            // Recorded as an edit, unless the incident ended or already has it.
            Outcome::SeveritySet { severity, policy_depth }
                if *severity != self.severity() && self.status().is_active() =>
            {
                EventKind::FieldEdited(FieldChange::Severity {
                    old: self.severity(),
                    new: *severity,
                    policy_depth: *policy_depth,
                })
            }
            _ => return vec![],
        };
        vec![event]
    }
}
