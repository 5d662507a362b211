//! The pre-filled post-mortem: summary, impact, metrics, timeline, root cause
//! and action items, as a neutral [`Document`](crate::model::Document), and
//! its Markdown form.

mod build;
mod markdown;

pub use build::{describe, document, human_duration};
pub use markdown::{escape_markdown, rich_to_markdown, to_markdown};
