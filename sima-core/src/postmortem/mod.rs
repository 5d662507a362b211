//! The pre-filled post-mortem: summary, impact, metrics, timeline, root cause
//! and action items, as a neutral [`Document`](crate::model::Document), and
//! its Markdown form.

mod build;
mod fields;
mod markdown;

pub use build::describe;
pub(crate) use build::document;
pub(crate) use fields::with_fields;
pub use markdown::{escape_markdown, to_markdown};
