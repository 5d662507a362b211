//! Neutral models that adapters render: messages, forms and documents, made
//! of [`RichText`] that carries no platform syntax.

mod document;
mod form;
mod message;
mod rich_text;

pub use document::{DocBlock, Document, PostmortemProperties, Todo};
pub use form::{Choice, Form, FormId, FormTrigger, Input, InputKind};
pub use message::{Action, ActionId, ActionStyle, Block, Field, Message};
pub use rich_text::{emoji_char, Inline, RichText};
