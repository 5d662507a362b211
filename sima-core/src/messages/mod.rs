//! The messages and forms SIMA shows people, as neutral models.

mod cards;
mod followups;
mod forms;
mod guidance;
#[cfg(test)]
mod tests;

pub use cards::{broadcast, card, effect_failed, postmortem_link, update};
pub use followups::{action_items, closing_summary, postmortem_reminder, update_reminder};
pub(crate) use followups::{action_line, action_text};
pub use forms::{declare_form, edit_form, status_form, DomainChoice, SeverityDescriptions};
pub use guidance::{answer, done, help, mistyped, warning, welcome};
