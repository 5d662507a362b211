//! The incident domain: values, statuses, events, and the pure decide/apply pair.

mod action_item;
mod command;
mod custom_fields;
mod declaration;
mod edit;
mod effect;
mod effect_kind;
mod error;
mod event;
mod field_value;
pub(crate) mod ids;
mod incident;
mod policy_chain;
mod public_update;
mod publish;
mod refs;
mod role;
mod severity;
mod status;
mod status_components;
mod ticket;
mod ticket_decide;
mod time;
mod validation;
mod values;
mod visibility;

pub use action_item::{ActionItem, ActionStatus, NewActionItem};
pub use command::{Command, FieldEdit, Outcome};
pub use custom_fields::{
    use_one_of, FieldDef, FieldKind, FieldSchema, IncidentType, SchemaError, MAX_LINK, MAX_NUMBER, MAX_TEXT_FIELD,
    NO_FIELDS, NO_TYPES,
};
pub use declaration::{Declaration, DeclarationDraft, FieldError};
pub use edit::{EditableField, FieldChange};
pub use effect::{Effect, TimerCondition};
pub use effect_kind::EffectKind;
pub use error::{DomainError, TransitionError};
pub use event::{EventKind, IncidentEvent};
pub use field_value::{FieldInput, FieldValue, FieldValueChange, FieldValues};
pub use ids::{IncidentId, IncidentNumber, IncidentRef};
pub use incident::{Incident, Milestones};
pub use policy_chain::MAX_POLICY_DEPTH;
pub use public_update::{ComponentStatus, HostedStatus, PublicStatus, PublicUpdate};
pub use publish::{
    parse_public_message, parse_public_title, MAX_PUBLIC_MESSAGE, MAX_PUBLIC_TITLE, NEUTRAL_PUBLIC_TITLE,
};
pub use refs::{DocRef, MessageRef, PageRef, Room, RoomId, RoomState};
pub use role::{Actor, Role, Roles};
pub use severity::Severity;
pub use status::Status;
pub use status_components::{components_of, default_public_title, StatusComponent, MAX_COMPONENT_NAME};
pub use ticket::{FollowUpKey, Ticket, TicketState};
pub use time::format_time;
pub use validation::ValidationError;
pub use values::{DedupKey, Description, Domain, Impact, Summary, Text, UserGroupRef, UserRef};
pub use visibility::room_members;

#[cfg(test)]
pub(crate) mod tests;
