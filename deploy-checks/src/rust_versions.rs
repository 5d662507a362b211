//! The Rust version each package of the lockfile claims (`rust-version`),
//! read from `cargo metadata`, against the one the workspace declares.

use std::fmt;
use std::process::Command;

use serde_json::Value;

/// A Rust release, `1.89` or `1.89.0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RustVersion {
    major: u64,
    minor: u64,
    patch: u64,
}

impl RustVersion {
    /// Reads `1.89` or `1.89.0`.
    ///
    /// # Errors
    /// Anything else, quoted.
    pub fn parse(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.trim().split('.').collect();
        let number = |part: &str| part.parse::<u64>().map_err(|_| format!("`{text}` is not a Rust version"));
        match parts.as_slice() {
            [major, minor] => Ok(RustVersion { major: number(major)?, minor: number(minor)?, patch: 0 }),
            [major, minor, patch] => {
                Ok(RustVersion { major: number(major)?, minor: number(minor)?, patch: number(patch)? })
            }
            _ => Err(format!("`{text}` is not a Rust version")),
        }
    }
}

impl fmt::Display for RustVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// A package and the Rust version it claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// `uuid 1.29.3`.
    pub package: String,
    /// Its `rust-version`.
    pub rust_version: RustVersion,
    /// Whether it is one of the workspace's own crates.
    pub member: bool,
}

/// Every package of `cargo metadata`'s output (the workspace's and every
/// locked dependency, for every platform) that claims a `rust-version`.
///
/// # Errors
/// Output that is not `cargo metadata --format-version 1`, or an unreadable version.
pub fn claims(metadata: &Value) -> Result<Vec<Claim>, String> {
    let members: Vec<&str> = metadata["workspace_members"]
        .as_array()
        .ok_or("no workspace_members")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mut claims = Vec::new();
    for package in metadata["packages"].as_array().ok_or("no packages")? {
        let Some(rust_version) = package["rust_version"].as_str() else { continue };
        let (name, version) = (package["name"].as_str().unwrap_or("?"), package["version"].as_str().unwrap_or("?"));
        claims.push(Claim {
            package: format!("{name} {version}"),
            rust_version: RustVersion::parse(rust_version)?,
            member: package["id"].as_str().is_some_and(|id| members.contains(&id)),
        });
    }
    Ok(claims)
}

/// The dependencies that need a newer Rust than `declared`, newest first.
pub fn newer_than(claims: &[Claim], declared: RustVersion) -> Vec<&Claim> {
    let mut newer: Vec<&Claim> = claims.iter().filter(|c| !c.member && c.rust_version > declared).collect();
    newer.sort_by(|a, b| b.rust_version.cmp(&a.rust_version).then_with(|| a.package.cmp(&b.package)));
    newer
}

/// `cargo metadata --format-version 1` of the workspace, as the lockfile has it.
///
/// # Errors
/// When cargo cannot be run or fails (its error output).
pub fn workspace_metadata() -> Result<Value, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(crate::repo::root())
        .output()
        .map_err(|error| format!("running cargo metadata: {error}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    serde_json::from_slice(&output.stdout).map_err(|error| format!("cargo metadata's output: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn versions_order_by_number_not_text() {
        let v = |s: &str| RustVersion::parse(s).unwrap();
        assert!(v("1.89") > v("1.9"));
        assert_eq!(v("1.89"), v("1.89.0"));
        assert!(v("1.89.1") > v("1.89"));
        assert_eq!(v("1.89").to_string(), "1.89.0");
        assert!(RustVersion::parse("1.x").is_err());
        assert!(RustVersion::parse("1").is_err());
    }

    #[test]
    fn only_dependencies_newer_than_the_declared_version_are_named() {
        let metadata = json!({
            "workspace_members": ["ours"],
            "packages": [
                {"id": "ours", "name": "sima", "version": "0.1.0", "rust_version": "1.95"},
                {"id": "a", "name": "old", "version": "1.0.0", "rust_version": "1.70"},
                {"id": "b", "name": "same", "version": "2.0.0", "rust_version": "1.89.0"},
                {"id": "c", "name": "newer", "version": "3.0.0", "rust_version": "1.90"},
                {"id": "d", "name": "silent", "version": "4.0.0", "rust_version": null},
            ]
        });
        let claims = claims(&metadata).unwrap();
        assert_eq!(claims.len(), 4);
        let newer = newer_than(&claims, RustVersion::parse("1.89").unwrap());
        assert_eq!(newer.iter().map(|c| c.package.as_str()).collect::<Vec<_>>(), ["newer 3.0.0"]);
    }
}
