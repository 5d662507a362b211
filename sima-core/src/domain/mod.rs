//! The incident domain: values, statuses, events, and the pure decide/apply pair.

mod action_item;
mod command;
mod edit;
mod effect_kind;
mod error;
mod event;
pub(crate) mod ids;
mod incident;
mod refs;
mod role;
mod severity;
mod status;
mod values;

pub use action_item::{ActionItem, ActionStatus, NewActionItem};
pub use command::{format_time, Command, Declaration, FieldEdit, Outcome};
pub use edit::FieldChange;
pub use effect_kind::EffectKind;
pub use error::{DomainError, TransitionError, ValidationError};
pub use event::{EditableField, EventKind, IncidentEvent};
pub use ids::{IncidentId, IncidentNumber, IncidentRef};
pub use incident::{Incident, Milestones};
pub use refs::{DocRef, MessageRef, PageRef, Room, RoomId, RoomState};
pub use role::{Actor, Role, Roles};
pub use severity::Severity;
pub use status::Status;
pub use values::{DedupKey, Description, Domain, Impact, Summary, Text, UserRef};

#[cfg(test)]
pub(crate) mod tests;
