//! Integration tests of the Slack adapter: Web API calls against a mock Slack,
//! Block Kit limits, signatures, inbound parsing, the routes and Socket Mode.

mod core_messages;
mod create_room;
mod escaping;
mod helpers;
mod manifest;
mod outbound;
mod parse;
mod publish_form;
mod rate_limits;
mod render;
mod router;
mod signature;
mod socket;
mod user_email;
