//! Reading, layering and checking the settings.
//!
//! # Layout
//! - here: defaults, the file, the named variables, secrets, provider URLs.
//! - `uniform`: every key through `SIMA_<SECTION>__<KEY>`, and errors naming the variable.
//! - `references`: page targets, domains and guards checked against each other.
//! - `documents`: `sima.example.toml` and the adapter READMEs against the settings.

use std::collections::HashMap;

use sima_core::domain::Severity;

use super::*;
use crate::providers::DocsProvider;

mod documents;
mod references;
mod uniform;

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

#[test]
fn defaults_run_embedded() {
    let s = Settings::from_env(&env(&[])).unwrap();
    assert_eq!(s.listen, "127.0.0.1:3000");
    assert_eq!(s.database_url, "sqlite://sima.db");
    assert_eq!(s.broadcast_channel, "production-issues-bot");
    assert!(s.slack.bot_token.is_none() && s.webhook_token.is_none());
    assert!(s.describe()[1].contains("log-only"));
}

#[test]
fn environment_wins_over_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sima.toml");
    std::fs::write(
        &path,
        r#"
listen = "0.0.0.0:8080"
broadcast_channel = "CFILE"
[pagerduty]
routing_key = "file-key"
[[domains]]
name = "outbound-email"
description = "Transactional email"
routing_key = "email-key"
"#,
    )
    .unwrap();
    let s = Settings::from_env(&env(&[
        ("SIMA_CONFIG", path.to_str().unwrap()),
        ("SIMA_SLACK_BROADCAST_CHANNEL", "CENV"),
        ("SIMA_PAGERDUTY_ROUTING_KEY", "env-key"),
    ]))
    .unwrap();
    assert_eq!(s.listen, "0.0.0.0:8080");
    assert_eq!(s.broadcast_channel, "CENV");
    assert_eq!(s.pagerduty.routing_key.unwrap().expose(), "env-key");
    assert_eq!(s.domains[0].routing_key.as_ref().unwrap().expose(), "email-key");
}

#[test]
fn durations_come_from_the_file_and_the_environment_wins() {
    let s = Settings::from_env(&env(&[])).unwrap();
    assert_eq!(s.reminders.update_after.to_string(), "30m");
    assert_eq!(s.rooms.archive_after.to_string(), "7d");
    assert_eq!(s.reminders.postmortem_after.to_string(), "2d");
    assert_eq!(s.effects.retry_for.to_string(), "1d");
    let described = s.describe().join("\n");
    assert!(described.contains("update reminders: 30m") && described.contains("room archive: 7d"), "{described}");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sima.toml");
    let file = "[reminders]\nupdate_after = \"20m\"\n[reminders.update_after_by_severity]\nsev1 = \"15m\"\n\
                [rooms]\narchive_after = \"off\"\n[effects]\nretry_for = \"12h\"\n";
    std::fs::write(&path, file).unwrap();
    let config = path.to_str().unwrap();
    let s = Settings::from_env(&env(&[("SIMA_CONFIG", config)])).unwrap();
    assert_eq!(s.reminders.update_after.to_string(), "20m");
    assert_eq!(s.reminders.update_after_by_severity[&Severity::Sev1].to_string(), "15m");
    assert_eq!(s.rooms.archive_after, crate::delays::Delay::OFF);
    assert_eq!(s.effects.retry_for.to_string(), "12h");

    let s = Settings::from_env(&env(&[
        ("SIMA_CONFIG", config),
        ("SIMA_REMINDER_AFTER", "3s"),
        ("SIMA_ARCHIVE_AFTER", "4s"),
        ("SIMA_POSTMORTEM_REMINDER_AFTER", "off"),
        ("SIMA_EFFECT_RETRY_FOR", "2h"),
    ]))
    .unwrap();
    assert_eq!(s.reminders.update_after.to_string(), "3s");
    assert_eq!(s.reminders.update_after_by_severity[&Severity::Sev1].to_string(), "15m", "kept from the file");
    assert_eq!(s.rooms.archive_after.to_string(), "4s");
    assert_eq!(s.reminders.postmortem_after.to_string(), "off");
    assert_eq!(s.effects.retry_for.to_string(), "2h");

    let err = Settings::from_env(&env(&[("SIMA_ARCHIVE_AFTER", "a week")])).unwrap_err();
    assert!(format!("{err:#}").contains("SIMA_ARCHIVE_AFTER") && format!("{err:#}").contains("`7d`"), "{err:#}");
    let err = Settings::from_env(&env(&[("SIMA_EFFECT_RETRY_FOR", "off")])).unwrap_err();
    assert!(err.to_string().contains("cannot be `off`"), "{err}");
    std::fs::write(&path, "[rooms]\narchive_after = \"7 days\"\n").unwrap();
    let err = Settings::from_env(&env(&[("SIMA_CONFIG", config)])).unwrap_err();
    assert!(format!("{err:#}").contains("no duration"), "{err:#}");
}

#[test]
fn mistakes_are_explained() {
    let err = Settings::from_env(&env(&[("SIMA_DATABASE_URL", "mysql://x")])).unwrap_err();
    assert!(err.to_string().contains("sqlite:// or postgres://"));
    let err = Settings::from_env(&env(&[("SIMA_NOTION_TOKEN", "t")])).unwrap_err();
    assert!(err.to_string().contains("SIMA_NOTION_DATA_SOURCE_ID"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sima.toml");
    std::fs::write(&path, "lisen = \"x\"").unwrap();
    let err = Settings::from_env(&env(&[("SIMA_CONFIG", path.to_str().unwrap())])).unwrap_err();
    assert!(format!("{err:#}").contains("unknown field `lisen`"), "{err:#}");
}

#[test]
fn secrets_do_not_print() {
    let s = Settings::from_env(&env(&[
        ("SIMA_WEBHOOK_TOKEN", "hunter2-hunter2-hunter2"),
        ("SIMA_API_TOKEN", "api-token-0123456789"),
        ("SIMA_DATABASE_URL", "postgres://sima:db-pa55word@db.internal:5432/sima?sslmode=require"),
    ]))
    .unwrap();
    let shown = format!("{s:?} {}", s.describe().join(" "));
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(!shown.contains("api-token-0123456789"), "{shown}");
    assert!(!shown.contains("db-pa55word"), "{shown}");
    assert!(shown.contains("postgres://sima:[redacted]@db.internal:5432/sima?sslmode=require"), "{shown}");
}

#[test]
fn an_app_token_runs_socket_mode_without_a_signing_secret() {
    let app_token = "xapp-1-A0SIMA-1234-0123456789abcdef";
    let s =
        Settings::from_env(&env(&[("SIMA_SLACK_BOT_TOKEN", "xoxb-1"), ("SIMA_SLACK_APP_TOKEN", app_token)])).unwrap();
    assert_eq!(s.slack.app_token.as_ref().unwrap().expose(), app_token);
    assert!(s.slack.signing_secret.is_none());
    let described = s.describe().join("\n");
    assert!(described.contains("chat: Slack (Web API; inbound over Socket Mode; HTTP routes refused"), "{described}");
    assert!(!format!("{s:?} {described}").contains("0123456789abcdef"), "the app token is never printed");

    let s = Settings::from_env(&env(&[
        ("SIMA_SLACK_BOT_TOKEN", "xoxb-1"),
        ("SIMA_SLACK_APP_TOKEN", app_token),
        ("SIMA_SLACK_SIGNING_SECRET", "0123456789abcdef0123"),
    ]))
    .unwrap();
    assert!(s.describe()[1].contains("inbound over Socket Mode and signed HTTP requests"), "{:?}", s.describe());
    let s = Settings::from_env(&env(&[("SIMA_SLACK_SIGNING_SECRET", "0123456789abcdef0123")])).unwrap();
    assert!(s.describe()[1].contains("inbound over signed HTTP requests"), "{:?}", s.describe());

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sima.toml");
    std::fs::write(&path, format!("[slack]\napp_token = \"{app_token}\"\n")).unwrap();
    let s = Settings::from_env(&env(&[("SIMA_CONFIG", path.to_str().unwrap())])).unwrap();
    assert_eq!(s.slack.app_token.unwrap().expose(), app_token);
}

#[test]
fn a_token_that_is_not_an_app_token_is_explained() {
    for wrong in ["xoxb-1234-secretbotvalue", "xapp", " xapp-1-A0"] {
        let err = Settings::from_env(&env(&[("SIMA_SLACK_APP_TOKEN", wrong)])).unwrap_err().to_string();
        assert!(err.contains("SIMA_SLACK_APP_TOKEN") && err.contains("`xapp-`"), "{err}");
        assert!(!err.contains("secretbotvalue"), "the value is never echoed: {err}");
    }
    assert!(Settings::from_env(&env(&[("SIMA_SLACK_APP_TOKEN", "")])).unwrap().slack.app_token.is_none());
}

#[test]
fn empty_or_short_secrets_are_refused_from_env_and_file() {
    for name in ["SIMA_SLACK_SIGNING_SECRET", "SIMA_WEBHOOK_TOKEN", "SIMA_API_TOKEN", "SIMA_API_READ_TOKEN"] {
        for value in ["", "short", " padded-token-0123456789 "] {
            let err = Settings::from_env(&env(&[(name, value)])).unwrap_err();
            assert!(err.to_string().contains(name), "{name}={value:?}: {err}");
            assert!(!err.to_string().contains("short"), "the value is never echoed: {err}");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    for body in ["api_token = \"\"", "webhook_token = \"tiny\"", "[slack]\nsigning_secret = \"abc\""] {
        let path = dir.path().join("sima.toml");
        std::fs::write(&path, body).unwrap();
        let err = Settings::from_env(&env(&[("SIMA_CONFIG", path.to_str().unwrap())])).unwrap_err();
        assert!(err.to_string().contains("at least 16 characters"), "{body}: {err}");
    }
    assert!(Settings::from_env(&env(&[("SIMA_API_TOKEN", "0123456789abcdef")])).is_ok());
}

#[test]
fn a_wrong_database_scheme_is_refused_without_its_password() {
    let err = Settings::from_env(&env(&[("SIMA_DATABASE_URL", "mysql://sima:hunter2-secret@db/sima")]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("SIMA_DATABASE_URL") && err.contains("db/sima"), "{err}");
    assert!(!err.contains("hunter2"), "the password is never logged: {err}");
}

#[test]
fn provider_urls_that_receive_secrets_must_be_https_unless_loopback() {
    for name in ["SIMA_SLACK_API_URL", "SIMA_SLACK_AUTHORIZE_URL", "SIMA_PAGERDUTY_EVENTS_URL", "SIMA_NOTION_API_URL"] {
        for url in
            ["http://slack.example.com/api", "http://127.0.0.1.evil.example/api", "ftp://x", "http://u@localhost/"]
        {
            let err = Settings::from_env(&env(&[(name, url)])).unwrap_err().to_string();
            assert!(err.contains(name) && err.contains("https://"), "{name}={url}: {err}");
        }
        for url in
            ["https://slack.example.com/api", "http://127.0.0.1:9999/api", "http://localhost:80", "http://[::1]:1/x"]
        {
            assert!(Settings::from_env(&env(&[(name, url)])).is_ok(), "{name}={url}");
        }
    }
}

#[test]
fn the_loopback_default_needs_a_loopback_listener_and_no_declared_proxy() {
    let open = |pairs: &[(&str, &str)]| Settings::from_env(&env(pairs)).unwrap().open_to_loopback();
    assert!(open(&[]));
    assert!(open(&[("SIMA_LISTEN", "[::1]:3000")]));
    assert!(open(&[("SIMA_LISTEN", "localhost:3000")]));
    assert!(!open(&[("SIMA_LISTEN", "0.0.0.0:3000")]));
    assert!(!open(&[("SIMA_LISTEN", "sima.internal:3000")]));
    assert!(!open(&[("SIMA_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1")]));
    let described = Settings::from_env(&env(&[("SIMA_LISTEN", "0.0.0.0:3000")])).unwrap().describe().join("\n");
    assert!(described.contains("refusing every client"), "{described}");
    let described = Settings::from_env(&env(&[])).unwrap().describe().join("\n");
    assert!(described.contains("open to clients on this machine only"), "{described}");
    let err = Settings::from_env(&env(&[("SIMA_TRUSTED_PROXIES", "10.0.0.0/8,nonsense")])).unwrap_err();
    assert!(err.to_string().contains("nonsense"), "{err}");
}

#[test]
fn a_remote_database_without_certificate_checks_is_warned_about() {
    let warning = |url: &str| Settings { database_url: url.into(), ..Settings::default() }.database_tls_warning();
    let remote = warning("postgres://sima:pw@db.internal:5432/sima?sslmode=require").expect("a warning");
    assert!(remote.contains("sslmode=verify-full") && !remote.contains("pw@"), "{remote}");
    assert!(warning("postgres://sima:pw@db.internal/sima").is_some());
    assert!(warning("postgres://sima@db.internal/sima?sslmode=verify-full").is_none());
    assert!(warning("postgres://postgres@127.0.0.1:5432/sima").is_none(), "loopback");
    assert!(warning("postgresql://postgres@localhost/sima").is_none(), "loopback");
    assert!(warning("sqlite://sima.db").is_none());
}

const CONFLUENCE: [(&str, &str); 5] = [
    ("SIMA_CONFLUENCE_URL", "https://acme.atlassian.net/wiki"),
    ("SIMA_CONFLUENCE_EMAIL", "sima@acme.example"),
    ("SIMA_CONFLUENCE_API_TOKEN", "ATATT3x-confluence-secret"),
    ("SIMA_CONFLUENCE_SPACE_ID", "98306"),
    ("SIMA_CONFLUENCE_PARENT_ID", "557057"),
];

#[test]
fn confluence_is_read_from_env_inferred_and_its_token_never_printed() {
    let s = Settings::from_env(&env(&CONFLUENCE)).unwrap();
    assert_eq!(s.docs_provider().unwrap(), DocsProvider::Confluence);
    let c = &s.confluence;
    assert_eq!(c.url.as_deref(), Some("https://acme.atlassian.net/wiki"));
    assert_eq!(c.email.as_deref(), Some("sima@acme.example"));
    assert_eq!(c.api_token.as_ref().map(Secret::expose), Some("ATATT3x-confluence-secret"));
    assert_eq!((c.space_id.as_deref(), c.parent_id.as_deref()), (Some("98306"), Some("557057")));
    let shown = format!("{s:?}");
    assert!(shown.contains("98306") && !shown.contains("confluence-secret"), "{shown}");
    assert!(s.describe().join("\n").contains("Confluence (space 98306)"));

    let mut with_notion = CONFLUENCE.to_vec();
    with_notion.extend([("SIMA_NOTION_TOKEN", "ntn_x"), ("SIMA_NOTION_DATA_SOURCE_ID", "d")]);
    assert_eq!(Settings::from_env(&env(&with_notion)).unwrap().docs_provider().unwrap(), DocsProvider::Notion);
    let mut markdown = CONFLUENCE.to_vec();
    markdown.push(("SIMA_DOCS", "markdown"));
    assert_eq!(Settings::from_env(&env(&markdown)).unwrap().docs_provider().unwrap(), DocsProvider::Markdown);
}

#[test]
fn confluence_without_its_settings_stops_the_start_naming_what_is_missing() {
    let err = Settings::from_env(&env(&[("SIMA_DOCS", "confluence")])).unwrap_err().to_string();
    for name in
        ["SIMA_CONFLUENCE_URL", "SIMA_CONFLUENCE_EMAIL", "SIMA_CONFLUENCE_API_TOKEN", "SIMA_CONFLUENCE_SPACE_ID"]
    {
        assert!(err.contains(name), "{name}: {err}");
    }
    assert!(!err.contains("PARENT_ID"), "the parent is optional: {err}");
    let partial = &CONFLUENCE[..3];
    let err = Settings::from_env(&env(partial)).unwrap_err().to_string();
    assert!(err.contains("SIMA_CONFLUENCE_SPACE_ID") && !err.contains("SIMA_CONFLUENCE_EMAIL"), "{err}");
    assert!(!err.contains("confluence-secret"), "{err}");
}

#[test]
fn the_confluence_url_must_be_https_unless_loopback() {
    let with_url = |url: &'static str| {
        let mut pairs = CONFLUENCE.to_vec();
        pairs[0] = ("SIMA_CONFLUENCE_URL", url);
        Settings::from_env(&env(&pairs))
    };
    let err = with_url("http://acme.atlassian.net/wiki").unwrap_err().to_string();
    assert!(err.contains("SIMA_CONFLUENCE_URL"), "{err}");
    assert!(with_url("http://127.0.0.1:8090/wiki").is_ok());
    assert!(with_url("https://acme.atlassian.net/wiki").is_ok());
}
