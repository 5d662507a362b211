//! Every key through the environment: `SIMA_<SECTION>__<KEY>` (or
//! `SIMA_<KEY>` at the top level), the named variables over it, and errors
//! naming the variable and the key.

use std::collections::HashMap;
use std::time::Duration;

use sima_core::domain::{Domain, Severity};

use super::env;
use crate::settings::env::uniform_variable;
use crate::settings::named::NAMED;
use crate::settings::{keys, ConfigErrors, Settings};

fn problems(pairs: &[(&str, &str)]) -> Vec<String> {
    match Settings::from_env(&env(pairs)) {
        Ok(_) => Vec::new(),
        Err(error) => error.downcast::<ConfigErrors>().expect("a configuration error").0,
    }
}

#[test]
fn the_file_only_keys_of_before_are_set_from_the_environment() {
    let s = Settings::from_env(&env(&[
        ("SIMA_LIMITS__REQUESTS_PER_SECOND", "7"),
        ("SIMA_LIMITS__TRUST_FORWARDED_FOR", "true"),
        ("SIMA_ROOM_PREFIX", "inc"),
        ("SIMA_PAGE_MIN_SEVERITY", "sev2"),
        ("SIMA_SLACK__TEAM_ID", "T0123ABCD"),
        ("SIMA_ALERTS__DEFAULT_SEVERITY", "sev1"),
        ("SIMA_ALERTS__DEFAULT_DOMAIN", "payments"),
        ("SIMA_ALERTS__RESOLVE_ON_ALERT_RESOLVED", "true"),
        ("SIMA_REMINDERS__UPDATE_AFTER_BY_SEVERITY__SEV2", "5m"),
        ("SIMA_SEVERITIES__SEV1", "Everything is down"),
        ("SIMA_AUTO_MIGRATE", "false"),
        ("SIMA_UI__SLACK_CLIENT_ID", "1234.5678"),
    ]))
    .unwrap();
    assert_eq!((s.limits.requests_per_second, s.limits.trust_forwarded_for), (7, true));
    assert_eq!((s.room_prefix.as_str(), s.page_min_severity), ("inc", Severity::Sev2));
    assert_eq!(s.slack.team_id.as_deref(), Some("T0123ABCD"));
    assert_eq!(s.alerts.default_severity, Severity::Sev1);
    assert_eq!(s.alerts.default_domain, Domain::parse("payments").unwrap());
    assert!(s.alerts.resolve_on_alert_resolved);
    assert_eq!(s.reminders.update_after_by_severity[&Severity::Sev2].to_string(), "5m");
    assert_eq!(s.severities[&Severity::Sev1].description.as_deref(), Some("Everything is down"));
    assert!(!s.auto_migrate);
    assert_eq!(s.ui.slack_client_id.as_deref(), Some("1234.5678"));
}

#[test]
fn arrays_and_tables_are_written_as_toml_values() {
    let s = Settings::from_env(&env(&[
        ("SIMA_LIMITS__TRUSTED_PROXIES", r#"["10.0.0.0/8", "192.168.0.1"]"#),
        ("SIMA_DOMAINS", r#"[{ name = "payments", routing_key = "payments-key" }]"#),
        ("SIMA_REMINDERS__UPDATE_AFTER_BY_SEVERITY", r#"{ sev1 = "10m" }"#),
    ]))
    .unwrap();
    assert_eq!(s.limits.trusted_proxies, ["10.0.0.0/8", "192.168.0.1"]);
    assert_eq!(s.domains[0].name.as_str(), "payments");
    assert_eq!(s.domains[0].routing_key.as_ref().unwrap().expose(), "payments-key");
    assert_eq!(s.reminders.update_after_by_severity[&Severity::Sev1].to_string(), "10m");
}

#[test]
fn every_key_of_every_section_is_reachable_by_the_uniform_rule() {
    let mut keys_tried = 0;
    let top = keys::top_level().iter().map(|key| (*key).to_owned());
    let nested = keys::sections()
        .into_iter()
        .filter(|(section, _)| !matches!(*section, "domains" | "guards"))
        .flat_map(|(section, fields)| fields.iter().map(move |field| format!("{section}.{field}")));
    for key in top.chain(nested) {
        let variable = uniform_variable(&key);
        for problem in problems(&[(variable.as_str(), "x")]) {
            assert!(!problem.contains("unknown field"), "{variable}: {problem}");
        }
        keys_tried += 1;
    }
    assert!(keys_tried > 60, "{keys_tried} keys");
}

#[test]
fn every_named_variable_sets_a_key_the_file_has() {
    for named in NAMED {
        for problem in problems(&[(named.variable, "https://example.com/0123456789abcdef")]) {
            assert!(!problem.contains("unknown field"), "{}: {problem}", named.variable);
        }
        let (section, key) = named.key.rsplit_once('.').unwrap_or(("", named.key));
        let known = if section.is_empty() {
            keys::top_level().contains(&key)
        } else {
            keys::sections().iter().any(|(name, fields)| *name == section && fields.contains(&key))
        };
        assert!(known, "{} sets {}, which no setting has", named.variable, named.key);
    }
}

#[test]
fn a_named_variable_wins_over_the_uniform_form() {
    let s = Settings::from_env(&env(&[
        ("SIMA_SLACK__BOT_TOKEN", "xoxb-uniform"),
        ("SIMA_SLACK_BOT_TOKEN", "xoxb-named"),
        ("SIMA_BROADCAST_CHANNEL", "C0UNIFORM"),
        ("SIMA_SLACK_BROADCAST_CHANNEL", "C0NAMED"),
    ]))
    .unwrap();
    assert_eq!(s.slack.bot_token.unwrap().expose(), "xoxb-named");
    assert_eq!(s.broadcast_channel, "C0NAMED");
    let s = Settings::from_env(&env(&[("SIMA_SLACK__BOT_TOKEN", "xoxb-uniform")])).unwrap();
    assert_eq!(s.slack.bot_token.unwrap().expose(), "xoxb-uniform");
}

#[test]
fn empty_named_values_keep_their_old_meaning() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sima.toml");
    std::fs::write(
        &path,
        "[pagerduty]\nrouting_key = \"file-key\"\n[ui]\nsession_key = \"file-session-key\"\n\
         [teams]\ntenant_id = \"file-tenant\"\n",
    )
    .unwrap();
    let config = path.to_str().unwrap();
    let s = Settings::from_env(&env(&[
        ("SIMA_CONFIG", config),
        ("SIMA_PAGERDUTY_ROUTING_KEY", ""),
        ("SIMA_SESSION_KEY", ""),
        ("SIMA_TEAMS_TENANT_ID", " "),
        ("SIMA_CHAT", " "),
    ]))
    .unwrap();
    assert!(s.pagerduty.routing_key.is_none(), "an empty credential unsets the file's");
    assert_eq!(s.ui.session_key.unwrap().expose(), "file-session-key", "an empty session key is ignored");
    assert!(s.teams.tenant_id.is_none(), "a blank name unsets the file's");
    assert!(s.chat.provider.is_none());
    // A guard token stays set when empty, and is refused (the route is not opened).
    for variable in ["SIMA_API_TOKEN", "SIMA_METRICS_TOKEN", "SIMA_SLACK__SIGNING_SECRET"] {
        let said = problems(&[(variable, "")]).join("\n");
        assert!(said.contains("must be at least 16 characters"), "{variable}: {said}");
    }
    let said = problems(&[("SIMA_API_TOKEN", "")]).join("\n");
    assert!(said.contains("SIMA_API_TOKEN (api_token)"), "{said}");
    // Through the uniform rule (as in the file), an empty credential is a mistake, not a way to unset it.
    let said =
        problems(&[("SIMA_PAGERDUTY__ROUTING_KEY", ""), ("SIMA_DOMAINS", r#"[{ name = "api", routing_key = " " }]"#)]);
    assert_eq!(
        said,
        [
            "pagerduty.routing_key is set but empty: give the credential, or leave the key unset",
            "domains[0].routing_key is set but empty: give the credential, or leave the key unset",
        ]
    );
}

#[test]
fn the_reminder_variable_keeps_its_list_syntax() {
    let s = Settings::from_env(&env(&[("SIMA_REMINDER_AFTER", "20m, sev1=15m, SEV4=off")])).unwrap();
    let schedule = crate::delays::schedule(&s.reminders, &s.rooms);
    assert_eq!(schedule.update_after(Severity::Sev1), Some(Duration::from_secs(900)));
    assert_eq!(schedule.update_after(Severity::Sev2), Some(Duration::from_secs(1200)));
    assert_eq!(schedule.update_after(Severity::Sev4), None);
    let said = problems(&[("SIMA_REMINDER_AFTER", "sev9=1m")]).join("\n");
    assert!(said.contains("SIMA_REMINDER_AFTER") && said.contains("sev9"), "{said}");
}

#[test]
fn errors_name_the_variable_and_the_key_or_the_file() {
    let said = problems(&[("SIMA_LIMITS__BURST", "lots")]);
    assert_eq!(said, ["SIMA_LIMITS__BURST (limits.burst): invalid type: found string \"lots\", expected u32"]);
    let said = problems(&[("SIMA_PAGE_MIN_SEVERITY", "sev7")]);
    assert_eq!(said, ["SIMA_PAGE_MIN_SEVERITY (page_min_severity): unknown value `sev7`, expected one of `sev1`, `sev2`, `sev3`, `sev4`"]);
    let said = problems(&[("SIMA_API__TOKEN", "0123456789abcdef0")]);
    assert_eq!(said, ["SIMA_API__TOKEN: unknown field `api` at the top level; did you mean `ui`?"]);
    let said = problems(&[("SIMA_LIMITS__BURSTY", "1"), ("SIMA_TEAMS__TENANT", "t")]);
    assert_eq!(
        said,
        [
            "SIMA_LIMITS__BURSTY: unknown field `bursty` in [limits]; did you mean `burst`?",
            "SIMA_TEAMS__TENANT: unknown field `tenant` in [teams], expected one of `tenant_id`, `app_id`, \
             `app_password`, `team_id`, `broadcast_channel`, `graph_url`, `connector_url`, `token_url`, `openid_url`",
        ]
    );
    let said = Settings::from_file_text("ops/sima.toml", "[limits]\nburst = \"lots\"\n", &HashMap::new())
        .unwrap_err()
        .to_string();
    assert_eq!(said, "limits.burst in ops/sima.toml: invalid type: found string \"lots\", expected u32");
    let said = Settings::from_file_text("ops/sima.toml", "listen = [", &HashMap::new()).unwrap_err().to_string();
    assert!(said.starts_with("ops/sima.toml is not valid TOML: TOML parse error at line 1"), "{said}");
}

#[test]
fn every_problem_is_listed_not_only_the_first() {
    let said = problems(&[
        ("SIMA_API_TOKEN", "short"),
        ("SIMA_LIMITS__BURST", "0"),
        ("SIMA_DATABASE_URL", "mysql://db"),
        ("SIMA_EFFECT_RETRY_FOR", "off"),
        ("SIMA_NOTION_TOKEN", "ntn_x"),
    ]);
    assert_eq!(said.len(), 5, "{said:#?}");
    let unknown = problems(&[("SIMA_LIMITS__A", "1"), ("SIMA_LIMITS__B", "1"), ("SIMA_SLACK__C", "1")]);
    assert_eq!(unknown.len(), 3, "{unknown:#?}");
}

#[test]
fn variables_that_are_not_settings_are_left_alone() {
    let s = Settings::from_env(&env(&[
        ("SIMA_LOG_FORMAT", "json"),
        ("SIMA_TEST_DATABASE_URL", "postgres://elsewhere"),
        ("SIMA_SKIP_POSTGRES", "1"),
        ("PATH", "/usr/bin"),
    ]));
    assert!(s.is_ok(), "{:#}", s.unwrap_err());
}
