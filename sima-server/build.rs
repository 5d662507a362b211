//! Records the commit the binary is built from, for `sima-server --version`
//! and the `sima_build_info` metric: `SIMA_BUILD_COMMIT` when set (a build
//! from an archive, or a container build without `.git`), else
//! `git rev-parse --short=12 HEAD`, else `unknown`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=SIMA_BUILD_COMMIT");
    let from_env = std::env::var("SIMA_BUILD_COMMIT").ok().map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    let commit = from_env.or_else(git_commit).unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=SIMA_BUILD_COMMIT={commit}");
}

/// The short hash of `HEAD`, and a rerun whenever `HEAD` moves.
fn git_commit() -> Option<String> {
    let git_dir = git(&["rev-parse", "--absolute-git-dir"])?;
    let git_dir = PathBuf::from(git_dir);
    watch(&git_dir.join("HEAD"));
    watch(&git_dir.join("packed-refs"));
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watch(&git_dir.join(branch));
    }
    git(&["rev-parse", "--short=12", "HEAD"])
}

/// Rebuilds when `path` changes (only paths that exist: a missing one would
/// make every build rerun this script).
fn watch(path: &Path) {
    if path.exists() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (output.status.success() && !text.is_empty()).then_some(text)
}
