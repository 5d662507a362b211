//! Integration tests of the Teams adapter: Graph and Connector calls against
//! mock servers, error mapping, token caching, rendering, signed inbound
//! activities of the configured tenant and team, and SIMA's runbooks end to
//! end with Teams as the chat platform.

mod errors;
mod helpers;
mod inbound;
mod outbound;
mod parse;
mod render;
mod runbook;
mod tenancy;
mod tokens;
mod world;
