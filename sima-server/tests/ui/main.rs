//! The dashboard: its pages over HTTP, its exports and its sign-in.

mod browser;
mod helpers;
mod oidc;
mod pages;
mod signin;
