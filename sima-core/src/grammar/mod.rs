//! The `/incident …` text-command grammar (ARCHITECTURE.md §6): one parser
//! for every chat platform, with suggestions for typos.

mod parse;
mod suggest;

pub use parse::{parse, ParseError, TextCommand, UserArg};
pub use suggest::suggest;
