//! What SIMA shows people, as neutral models: messages and forms in chat,
//! the incident room's name and topic, and the page an on-call receives.

mod cards;
mod followups;
mod forms;
mod guidance;
mod pages;
mod rooms;
#[cfg(test)]
mod tests;

pub(crate) use cards::announcement;
pub use cards::{broadcast, card, effect_failed};
#[cfg(any(test, feature = "testkit"))]
pub use cards::{postmortem_link, update};
pub(crate) use followups::action_line;
pub use followups::{action_items, closing_summary, postmortem_reminder, update_reminder};
pub use forms::{declare_form, edit_form, status_form, DomainChoice, SeverityDescriptions};
pub use guidance::{answer, done, help, mistyped, warning, welcome};
pub(crate) use pages::page;
pub(crate) use rooms::room_spec;
