//! The messages and forms SIMA shows people, as neutral models.

mod cards;
mod failures;
mod forms;
mod guidance;

pub use cards::{broadcast, card, postmortem_link, update};
pub use failures::effect_failed;
pub use forms::{declare_form, edit_form, status_form, DomainChoice, SeverityDescriptions};
pub use guidance::{answer, help, mistyped, welcome, COMMANDS};
