//! The `/incident …` text-command grammar (docs/architecture.md#the-external-contract): one command
//! table for every chat platform, from which the parser, `help`, typo
//! suggestions and buttons are derived.
//!
//! # Layout
//! - `command`: [`Intent`] (what a command asks for) and [`ParseError`].
//! - `table`: [`COMMANDS`], each command defined once ([`CommandSpec`]).
//! - `parse`: a command line through the table.
//! - `suggest`: the closest commands to a typo.

mod command;
mod parse;
#[cfg(test)]
mod publish_tests;
mod suggest;
mod table;

pub(crate) use command::{Intent, ParseError};
pub(crate) use parse::parse;
pub(crate) use table::{for_button, lookup, COMMANDS};
