//! What this binary is: its version and the commit it was built from (see
//! `build.rs`), for `sima-server --version` and the `sima_build_info` metric.

/// The crate version (`0.1.0`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The commit built from: `SIMA_BUILD_COMMIT` at build time, else
/// `git rev-parse --short=12 HEAD`, else `unknown`.
pub const COMMIT: &str = env!("SIMA_BUILD_COMMIT");

/// `0.1.0 (commit 1a2b3c4d5e6f)`, as `--version` prints it after the name.
pub const LONG_VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("SIMA_BUILD_COMMIT"), ")");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_names_the_commit() {
        assert!(!COMMIT.is_empty());
        assert_eq!(LONG_VERSION, format!("{VERSION} (commit {COMMIT})"));
    }
}
