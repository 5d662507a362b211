//! The dashboard: its pages over HTTP, its exports and its sign-in.

mod helpers;
mod pages;
mod signin;
