//! `sima_build_info{version, commit} 1`: which build answers.

use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

use crate::build::{COMMIT, VERSION};

/// Registers `sima_build_info`.
pub(crate) fn register(registry: &mut Registry) {
    let labels = vec![("version", VERSION), ("commit", COMMIT)];
    registry.register("sima_build", "Version and commit of this build", Info::new(labels));
}
