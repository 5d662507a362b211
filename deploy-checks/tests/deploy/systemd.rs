//! The systemd unit: `systemd-analyze verify` and its offline security
//! rating, where systemd-analyze exists (CI has it), and the directives the
//! operations guide promises.

use std::path::Path;
use std::process::{Command, Output};

use deploy_checks::repo;

use crate::helpers::settings_from;

const UNIT: &str = "deploy/systemd/sima.service";

/// `(section, key, value)` of every directive, in order.
fn directives() -> Vec<(String, String, String)> {
    let mut section = String::new();
    let mut found = Vec::new();
    for line in repo::read(UNIT).lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_owned();
        } else if let Some((key, value)) = line.split_once('=') {
            found.push((section.clone(), key.trim().to_owned(), value.trim().to_owned()));
        }
    }
    found
}

fn values(key: &str) -> Vec<String> {
    directives().into_iter().filter(|(_, k, _)| k == key).map(|(_, _, v)| v).collect()
}

/// Runs systemd-analyze on a copy of the unit whose ExecStart names an
/// executable that exists here (verify refuses a missing one); `None`
/// outside CI when systemd-analyze is absent.
fn analyze(arguments: &[&str]) -> Option<Output> {
    if !Path::new("/usr/bin/systemd-analyze").exists() && !repo::in_ci() {
        eprintln!("note: no systemd-analyze here; the unit is only read");
        return None;
    }
    let unit = repo::read(UNIT).replace("ExecStart=/usr/local/bin/sima-server", "ExecStart=/bin/true");
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("sima.service");
    std::fs::write(&path, unit).unwrap();
    let output = Command::new("systemd-analyze").args(arguments).arg(&path).output().expect("systemd-analyze runs");
    Some(output)
}

#[test]
fn the_unit_passes_systemd_analyze_verify() {
    let Some(output) = analyze(&["verify"]) else { return };
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "systemd-analyze verify: {said}");
    assert!(!said.contains("sima.service"), "systemd-analyze verify has remarks on the unit: {said}");
}

#[test]
fn the_unit_is_rated_ok_by_systemd_analyze_security() {
    // 20 is an exposure of 2.0: "OK" on systemd's scale (a bare unit rates 9.6, "UNSAFE").
    let Some(output) = analyze(&["security", "--offline=yes", "--threshold=20"]) else { return };
    let said = String::from_utf8_lossy(&output.stdout);
    let rating = said.lines().find(|line| line.contains("Overall exposure level")).unwrap_or_default();
    assert!(output.status.success(), "exposure above 2.0: {rating}");
    assert!(rating.contains("OK"), "{rating}");
}

#[test]
fn the_unit_runs_unprivileged_restarts_on_failure_and_reads_its_secrets_from_etc_sima() {
    let one = |key: &str| match values(key).as_slice() {
        [value] => value.clone(),
        other => panic!("{key}= appears {} times", other.len()),
    };
    assert_eq!(one("ExecStart"), "/usr/local/bin/sima-server serve");
    assert_eq!(one("DynamicUser"), "yes");
    assert_eq!(one("StateDirectory"), "sima");
    assert_eq!(one("WorkingDirectory"), "/var/lib/sima");
    assert_eq!(one("EnvironmentFile"), "/etc/sima/sima.env");
    assert_eq!(one("Restart"), "on-failure");
    assert_eq!(one("CapabilityBoundingSet"), "", "no capability at all");
    for (key, value) in
        [("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"), ("PrivateTmp", "yes")]
    {
        assert_eq!(one(key), value, "{key}");
    }
    assert_eq!(one("RestrictAddressFamilies"), "AF_INET AF_INET6 AF_UNIX");
    let stop: u64 = one("TimeoutStopSec").trim_end_matches('s').parse().unwrap();
    assert!(stop > 20, "SIMA may take 20 s to finish its effects; TimeoutStopSec={stop}s kills it first");
}

#[test]
fn the_units_defaults_are_a_configuration_sima_accepts() {
    let defaults: Vec<(String, String)> = values("Environment")
        .iter()
        .map(|assignment| assignment.split_once('=').expect("Environment=NAME=value"))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    let settings = settings_from(defaults).expect("the unit's defaults are valid");
    assert_eq!(settings.database_url, "sqlite:///var/lib/sima/sima.db");
    assert_eq!(settings.postmortem_dir, Path::new("/var/lib/sima/postmortems"));
    assert!(settings.open_to_loopback(), "on loopback, as a fresh install is");
}
