//! `sima-pagerduty` pages a domain's on-call through PagerDuty Events API v2.
//! [`PagerDutyPager`] implements SIMA's [`PagingPort`](sima_core::ports::PagingPort):
//! it triggers an alert per incident (dedup key = incident id) with the routing
//! key of the incident's domain, and acknowledges and resolves that same alert.
//! PagerDuty's wire types stay inside this crate.
//!
//! # Layout
//! - [`config`]: [`PagerDutyConfig`] (enqueue URL, routing keys per domain, timeouts, retries).
//! - `client`: the HTTP client, with timeouts and bounded retries honouring `Retry-After`.
//! - `dto`: Events API v2 wire types (`EnqueueEventRequest`, `EnqueueEventResponse`).
//! - `render`: a neutral `Page` to a trigger event (severity, summary, links, details).
//! - `adapter`: [`PagerDutyPager`], the `PagingPort` implementation.
//! - [`error`]: [`PagerDutyError`] and its mapping into `PortError` (statuses through `PortError::from_http`).

#![forbid(unsafe_code)]

mod adapter;
mod client;
pub mod config;
mod dto;
pub mod error;
mod render;

pub use adapter::PagerDutyPager;
pub use config::{HttpPolicy, PagerDutyConfig, Secret, DEFAULT_EVENTS_URL};
pub use error::PagerDutyError;
