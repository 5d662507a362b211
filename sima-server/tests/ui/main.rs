//! The dashboard: its pages over HTTP, its exports and its sign-in.

mod browser;
mod driver;
mod helpers;
mod oidc;
mod pages;
mod readme;
mod signin;
