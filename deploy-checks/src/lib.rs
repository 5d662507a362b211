//! Checks of SIMA's packaging and project hygiene, run with the workspace's
//! tests: the container image recipe, the compose file, the Helm chart, the
//! systemd unit, the Rust version the workspace declares, the license and the
//! changelog. This crate holds the small readers those checks share; the
//! checks themselves are its integration tests (`tests/deploy`).
//!
//! # Layout
//! - [`repo`]: paths and files of the repository.
//! - [`dockerfile`]: a Dockerfile's instructions, and what `.dockerignore` leaves out.
//! - [`env_file`]: the `NAME=value` lines of an environment file.
//! - [`rust_versions`]: the `rust-version` each locked package claims, from `cargo metadata`.
//! - [`chart`]: the Helm chart rendered and linted by Helm's own library.

pub mod chart;
pub mod dockerfile;
pub mod env_file;
pub mod repo;
pub mod rust_versions;
