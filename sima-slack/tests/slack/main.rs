//! Integration tests of the Slack adapter: Web API calls against a mock Slack,
//! Block Kit limits, signatures, inbound parsing and the routes.

mod create_room;
mod helpers;
mod outbound;
mod parse;
mod rate_limits;
mod render;
mod router;
mod signature;
