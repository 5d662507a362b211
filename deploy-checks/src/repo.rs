//! Paths and files of the repository the checks read.

use std::path::{Path, PathBuf};

/// The repository's root (the workspace's directory).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// The text of a file, by its path from the root.
///
/// # Panics
/// When the file cannot be read: a check needs it.
pub fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|error| panic!("reading {path}: {error}"))
}

/// Whether CI runs these checks (`CI=true`): tools they need must be there.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true")
}
