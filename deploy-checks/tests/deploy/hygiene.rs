//! Project hygiene: the Rust version the workspace declares against what
//! the lockfile needs, dependency requirements, the license and the changelog.

use deploy_checks::repo;
use deploy_checks::rust_versions::{self, RustVersion};
use sha2::{Digest, Sha256};

fn manifest(path: &str) -> toml::Table {
    repo::read(path).parse().unwrap_or_else(|e| panic!("{path} parses: {e}"))
}

fn workspace_members() -> Vec<String> {
    let root = manifest("Cargo.toml");
    root["workspace"]["members"].as_array().unwrap().iter().filter_map(|m| m.as_str()).map(String::from).collect()
}

#[test]
fn no_locked_dependency_needs_a_newer_rust_than_the_workspace_declares() {
    let root = manifest("Cargo.toml");
    let text = root["workspace"]["package"]["rust-version"].as_str().expect("[workspace.package] rust-version");
    let declared = RustVersion::parse(text).unwrap();
    let metadata = rust_versions::workspace_metadata().expect("cargo metadata --locked");
    let claims = rust_versions::claims(&metadata).unwrap();
    assert!(claims.iter().filter(|c| !c.member).count() > 50, "cargo metadata lists the dependencies");
    let newer: Vec<String> = rust_versions::newer_than(&claims, declared)
        .iter()
        .map(|c| format!("{} needs Rust {}", c.package, c.rust_version))
        .collect();
    assert!(newer.is_empty(), "rust-version = \"{text}\" in Cargo.toml, but the lockfile holds: {}", newer.join("; "));
    let members: Vec<String> = claims
        .iter()
        .filter(|c| c.member && c.rust_version != declared)
        .map(|c| format!("{} claims {}", c.package, c.rust_version))
        .collect();
    assert!(members.is_empty(), "members disagree with the workspace's rust-version: {}", members.join("; "));
}

#[test]
fn no_manifest_pins_a_dependency_to_one_exact_version() {
    fn exact_pins(table: &toml::Table, found: &mut Vec<String>) {
        for (name, value) in table {
            let version = match value {
                toml::Value::String(version) => Some(version.as_str()),
                toml::Value::Table(spec) => spec.get("version").and_then(|v| v.as_str()),
                _ => None,
            };
            if version.is_some_and(|v| v.trim_start().starts_with('=')) {
                found.push(format!("{name} = \"{}\"", version.unwrap_or_default()));
            }
        }
    }
    let mut found = Vec::new();
    let root = manifest("Cargo.toml");
    exact_pins(root["workspace"]["dependencies"].as_table().unwrap(), &mut found);
    for member in workspace_members() {
        let crate_manifest = manifest(&format!("{member}/Cargo.toml"));
        let mut sections: Vec<&toml::Table> = Vec::new();
        for key in ["dependencies", "dev-dependencies", "build-dependencies"] {
            sections.extend(crate_manifest.get(key).and_then(|t| t.as_table()));
        }
        for target in crate_manifest.get("target").and_then(|t| t.as_table()).into_iter().flat_map(|t| t.values()) {
            for key in ["dependencies", "dev-dependencies", "build-dependencies"] {
                sections.extend(target.get(key).and_then(|t| t.as_table()));
            }
        }
        sections.into_iter().for_each(|section| exact_pins(section, &mut found));
    }
    assert!(found.is_empty(), "exact pins conflict with downstream users' lockfiles: {}", found.join(", "));
}

#[test]
fn the_license_file_is_the_apache_2_0_text_the_crates_declare() {
    let root = manifest("Cargo.toml");
    assert_eq!(root["workspace"]["package"]["license"].as_str(), Some("Apache-2.0"));
    let digest = hex(&Sha256::digest(repo::read("LICENSE").as_bytes()));
    // The text published at www.apache.org/licenses/LICENSE-2.0.txt, unchanged.
    assert_eq!(digest, "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30");
}

#[test]
fn the_changelog_keeps_a_changelog_with_an_unreleased_section_and_the_current_version() {
    let changelog = repo::read("CHANGELOG.md");
    assert!(changelog.starts_with("# Changelog\n"), "the title");
    assert!(changelog.contains("https://keepachangelog.com/en/1.1.0/"), "names its format");
    assert!(changelog.contains("https://semver.org/spec/v2.0.0.html"), "names its versioning");
    let headings: Vec<&str> = changelog.lines().filter(|line| line.starts_with("## ")).collect();
    assert_eq!(headings.first(), Some(&"## [Unreleased]"), "Unreleased comes first");
    let root = manifest("Cargo.toml");
    let version = root["workspace"]["package"]["version"].as_str().unwrap();
    assert!(
        headings.iter().any(|h| h.starts_with(&format!("## [{version}] - "))),
        "a section for the workspace's version {version}: {headings:?}"
    );
    for heading in &headings[1..] {
        let date = heading.rsplit(" - ").next().unwrap_or_default();
        let digits = date.chars().filter(char::is_ascii_digit).count();
        assert!(date.len() == 10 && digits == 8 && date.as_bytes()[4] == b'-', "{heading}: dated YYYY-MM-DD");
    }
    let allowed = ["### Added", "### Changed", "### Deprecated", "### Removed", "### Fixed", "### Security"];
    for line in changelog.lines().filter(|line| line.starts_with("### ")) {
        assert!(allowed.contains(&line), "{line} is not a Keep a Changelog kind of change");
    }
    for heading in &headings {
        let label = &heading[3..heading.find(']').map_or(3, |end| end + 1)];
        assert!(changelog.contains(&format!("\n{label}: ")), "{label} has a link at the bottom");
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
