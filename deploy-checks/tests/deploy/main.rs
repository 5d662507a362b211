//! Checks of the packaging files and of the project's hygiene: what can be
//! checked of them on a machine without a container engine or a cluster.
//!
//! - `image`: the Dockerfile, its build context and the environment it sets.
//! - `healthcheck`: the image's health check against a real server.
//! - `compose`: compose.yaml and the example env file it reads.
//! - `chart`: the Helm chart, rendered and linted by Helm's library.
//! - `systemd`: the unit, through `systemd-analyze`.
//! - `hygiene`: rust-version against the lockfile, requirements, license, changelog.

mod chart;
mod compose;
mod healthcheck;
mod helpers;
mod hygiene;
mod image;
mod systemd;
