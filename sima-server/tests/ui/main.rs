//! The dashboard: its pages over HTTP, its exports and its sign-in.

mod browser;
mod driver;
mod fields;
mod followups;
mod hardening;
mod helpers;
mod metrics_type;
mod oidc;
mod pages;
mod readme;
mod sessions;
mod severities;
mod signin;
mod status_page;
