//! The documents that show `sima.toml`: the example documents every key and
//! loads; the adapter READMEs and `docs/configuration.md` show only keys the
//! file accepts.

use std::collections::{BTreeSet, HashMap};

use sima_core::domain::Severity;

use crate::settings::{keys, Settings};

const EXAMPLE: &str = include_str!("../../../../sima.example.toml");

/// The `(section, key)` pairs a TOML text shows, commented out or not
/// (`# token = "…"` documents `token`); the top level is section `""`.
fn documented(text: &str) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    let mut section = String::new();
    for line in text.lines() {
        let line = line.trim_start_matches(['#', ' ']);
        if let Some(header) = line.strip_prefix('[') {
            let name = header.trim_start_matches('[').split(']').next().unwrap_or_default().to_owned();
            if let Some((parent, key)) = name.rsplit_once('.') {
                found.insert((parent.to_owned(), key.to_owned()));
            } else {
                found.insert((String::new(), name.clone()));
            }
            section = name;
        } else if let Some((key, _)) = line.split_once(" = ") {
            if !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
                found.insert((section.clone(), key.to_owned()));
            }
        }
    }
    found
}

#[test]
fn the_example_documents_every_key() {
    let shown = documented(EXAMPLE);
    let missing: Vec<String> = keys::top_level()
        .iter()
        .filter(|key| !shown.contains(&(String::new(), (**key).to_owned())))
        .map(|key| (*key).to_owned())
        .chain(keys::sections().into_iter().flat_map(|(section, fields)| {
            let shown = &shown;
            fields
                .iter()
                .filter(move |key| !shown.contains(&(section.to_owned(), (**key).to_owned())))
                .map(move |key| format!("{section}.{key}"))
        }))
        .collect();
    assert!(missing.is_empty(), "sima.example.toml does not document {missing:?}");
    assert!(shown.contains(&(String::new(), "guards".to_owned())), "[[guards]] is shown");
    assert!(shown.contains(&("guards".to_owned(), "only".to_owned())));
}

#[test]
fn the_reader_of_documented_keys_sees_comments_and_tables() {
    let shown = documented("a = 1\n# b = 2\n# [x]\n# c = \"…\"\n[x.y]\nd = 1\n# Prose, not a key: e = f\n");
    let pairs: Vec<(&str, &str)> = shown.iter().map(|(s, k)| (s.as_str(), k.as_str())).collect();
    assert_eq!(pairs, [("", "a"), ("", "b"), ("", "x"), ("x", "c"), ("x", "y"), ("x.y", "d")]);
}

#[test]
fn the_example_configuration_loads() {
    let example = Settings::from_file_text("sima.example.toml", EXAMPLE, &HashMap::new()).unwrap();
    assert_eq!(example.reminders.update_after_by_severity[&Severity::Sev1].to_string(), "15m");
    assert_eq!(example.effects.retry_for.to_string(), "1d");
    assert_eq!(example.domains.len(), 2);
    assert!(example.auto_migrate);
}

/// The fenced `toml` blocks of a Markdown text.
fn toml_blocks(markdown: &str) -> Vec<String> {
    markdown.split("```toml\n").skip(1).map(|rest| rest.split("```").next().unwrap_or_default().to_owned()).collect()
}

#[test]
fn the_adapter_readmes_and_the_guide_show_only_keys_sima_toml_accepts() {
    let documents = [
        ("sima-pagerduty/README.md", include_str!("../../../../sima-pagerduty/README.md")),
        ("sima-notion/README.md", include_str!("../../../../sima-notion/README.md")),
        ("docs/configuration.md", include_str!("../../../../docs/configuration.md")),
    ];
    for (name, markdown) in documents {
        let blocks = toml_blocks(markdown);
        assert!(!blocks.is_empty(), "{name} shows sima.toml");
        for block in blocks {
            if let Err(error) = Settings::from_file_text(name, &block, &HashMap::new()) {
                panic!("{name}: this block is not a valid sima.toml:\n{block}\n{error:#}");
            }
        }
    }
}
