//! What SIMA shows people, as neutral models: messages and forms in chat,
//! the incident room's name and topic, and the page an on-call receives.

mod cards;
mod field_card;
mod field_form;
mod field_inputs;
mod followups;
mod forms;
mod guidance;
mod pages;
mod privacy;
mod public;
mod rooms;
#[cfg(test)]
mod tests;

pub(crate) use cards::announcement;
pub(crate) use cards::owned_card;
#[cfg(any(test, feature = "testkit"))]
pub use cards::{broadcast, card, labelled_card};
pub use cards::{effect_failed, labelled_broadcast};
#[cfg(any(test, feature = "testkit"))]
pub use cards::{postmortem_link, update};
pub(crate) use field_card::field_summary;
pub(crate) use field_form::shaped_declare_form;
pub(crate) use field_inputs::{field_inputs, input_of, TYPE_INPUT};
pub(crate) use followups::action_line;
#[cfg(any(test, feature = "testkit"))]
pub use followups::{action_items, postmortem_reminder};
pub(crate) use followups::{action_items_with, overdue, postmortem_reminder_on};
pub use followups::{closing_summary, update_reminder};
pub(crate) use forms::mark_private;
pub use forms::{declare_form, edit_form, status_form, DomainChoice, SeverityDescriptions};
pub use guidance::{answer, done, help, mistyped, warning, welcome};
pub(crate) use pages::page;
pub(crate) use privacy::visibility_line;
pub(crate) use privacy::withdrawn_broadcast;
pub use public::{publish_form, published};
pub(crate) use public::{published_line, suggested_public_status, update_reminder_with_status_page};
pub(crate) use rooms::room_spec;
