//! Embedded defaults, so SIMA runs with nothing configured: chat and paging
//! that log what they would send, and post-mortems written as Markdown files.

mod log_chat;
mod log_pager;
mod markdown_docs;

pub use log_chat::LogChat;
pub use log_pager::LogPager;
pub use markdown_docs::MarkdownDocs;
