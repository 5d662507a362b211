//! Neutral models that adapters render: messages, forms and documents.

mod document;
mod form;
mod message;

pub use document::{DocBlock, Document, PostmortemProperties, Todo};
pub use form::{Choice, Form, FormId, FormTrigger, Input, InputKind};
pub use message::{Action, ActionId, ActionStyle, Block, Field, Message};
