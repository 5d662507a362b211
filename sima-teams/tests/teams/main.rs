//! Integration tests of the Teams adapter: Graph and Connector calls against
//! mock servers, error mapping, pacing, token caching, names in mentions,
//! rendering, signed inbound activities and invokes of the configured tenant,
//! team and Connector, the app package, and SIMA's runbooks end to end with
//! Teams as the chat platform.

mod channels;
mod dialogs;
mod errors;
mod helpers;
mod inbound;
mod mentions;
mod outbound;
mod pacing;
mod package;
mod parse;
mod private_rooms;
mod render;
mod runbook;
mod tenancy;
mod tokens;
mod world;
