//! The dashboard: its pages over HTTP, its exports and its sign-in.

mod browser;
mod driver;
mod hardening;
mod helpers;
mod oidc;
mod pages;
mod readme;
mod sessions;
mod signin;
