//! The `sima-server` command line, run as the real binary in an empty
//! directory: `--help` and `--version` touch nothing, `check-config` names
//! each problem, `migrate` creates the schema on SQLite and PostgreSQL, and
//! `serve` with `SIMA_AUTO_MIGRATE=false` refuses a schema that is not current.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use sima_store_postgres::ScratchDatabase;
use sqlx::{Connection, PgConnection, SqliteConnection};

use crate::process::ServerProcess;

/// `sima-server args…` in `dir`, with none of this process's `SIMA_*`
/// variables, plus `env`; killed if it has not exited after a minute (a
/// command that served instead of exiting).
fn sima(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sima-server"));
    command.current_dir(dir).args(args).env("NO_COLOR", "1").stdin(Stdio::null());
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SIMA_") {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().copied()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("the sima-server binary starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("the child can be waited for").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("sima-server {args:?} did not exit by itself");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("its output")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

#[test]
fn help_and_version_create_nothing_and_bind_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let occupied = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let listen = occupied.local_addr().unwrap().to_string();
    for args in [&["--help"][..], &["-h"], &["help"], &["--version"], &["-V"], &["check-config", "--help"]] {
        let out = sima(dir.path(), args, &[("SIMA_LISTEN", &listen)]);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out.stderr));
        assert!(out.stderr.is_empty(), "{args:?}: {}", text(&out.stderr));
        assert!(entries(dir.path()).is_empty(), "{args:?} created {:?}", entries(dir.path()));
    }
    let version = text(&sima(dir.path(), &["--version"], &[]).stdout);
    assert_eq!(
        version.trim(),
        format!("sima-server {} (commit {})", sima_server::build::VERSION, sima_server::build::COMMIT)
    );
    let help = text(&sima(dir.path(), &["--help"], &[]).stdout);
    for word in ["serve", "check-config", "migrate", "--config <PATH>", "--version", "SIMA_<SECTION>__<KEY>"] {
        assert!(help.contains(word), "{word}: {help}");
    }
}

#[test]
fn unknown_arguments_are_refused_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    for (args, named) in [(&["--frobnicate"][..], "--frobnicate"), (&["serv"], "serv"), (&["migrate", "now"], "now")] {
        let out = sima(dir.path(), args, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let error = text(&out.stderr);
        assert!(error.contains(&format!("'{named}'")) && error.contains("--help"), "{args:?}: {error}");
    }
    assert!(entries(dir.path()).is_empty(), "nothing started");
}

#[test]
fn check_config_fails_on_unknown_keys_naming_each() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sima.toml");
    std::fs::write(&config, "lisen = \"0.0.0.0:3000\"\n[limits]\nbursty = 10\n").unwrap();
    let path = config.to_str().unwrap();
    let out = sima(dir.path(), &["check-config", "--config", path], &[("SIMA_SLACK__BOT_TOKN", "xoxb-1")]);
    assert_eq!(out.status.code(), Some(1));
    let error = text(&out.stderr);
    assert!(error.contains("3 problems"), "{error}");
    assert!(error.contains("unknown field `lisen` at the top level; did you mean `listen`?"), "{error}");
    assert!(error.contains("unknown field `bursty` in [limits]; did you mean `burst`?"), "{error}");
    assert!(error.contains("SIMA_SLACK__BOT_TOKN: unknown field `bot_tokn` in [slack]"), "{error}");
    assert!(text(&out.stdout).is_empty());
    // SIMA_CONFIG names the file as well; --config wins over it.
    let out = sima(dir.path(), &["check-config"], &[("SIMA_CONFIG", path)]);
    assert!(text(&out.stderr).contains("`lisen`"), "{}", text(&out.stderr));
    let good = dir.path().join("good.toml");
    std::fs::write(&good, "listen = \"127.0.0.1:3999\"\n").unwrap();
    let out = sima(dir.path(), &["check-config", "--config", good.to_str().unwrap()], &[("SIMA_CONFIG", path)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = sima(dir.path(), &["check-config", "--config", "missing.toml"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot read the configuration file missing.toml"), "{}", text(&out.stderr));
    assert_eq!(entries(dir.path()).len(), 2, "no database was created: {:?}", entries(dir.path()));
}

#[test]
fn check_config_refuses_an_unknown_key_of_a_severity_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sima.toml");
    std::fs::write(&config, "[severities]\nsev1 = { name = \"P1\" }\n").unwrap();
    let out = sima(dir.path(), &["check-config", "--config", config.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let error = text(&out.stderr);
    assert!(error.contains("severities.sev1.name"), "{error}");
    assert!(error.contains("unknown field `name`, expected one of `label`, `description`"), "{error}");
    std::fs::write(&config, "[severities]\nsev1 = { label = \"P1\", description = \"Outage\" }\n").unwrap();
    let out = sima(dir.path(), &["check-config", "--config", config.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn check_config_passes_a_good_file_and_prints_it_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sima.toml");
    std::fs::write(
        &config,
        r#"
api_token = "file-api-token-0123456789"
room_prefix = "inc"

[pagerduty]
routing_key = "default-routing-key"

[[domains]]
name = "payments-secondary"
routing_key = "payments-secondary-key"

[[workflows]]
name = "payments-sev1"
on = "declared"
when = { severity = ["sev1"] }
steps = [{ page = "payments-secondary" }]

[[guards]]
name = "manager-decides"
commands = ["resolve"]
only = "incident_manager"
"#,
    )
    .unwrap();
    let out = sima(
        dir.path(),
        &["check-config", "--config", config.to_str().unwrap()],
        &[("SIMA_LIMITS__REQUESTS_PER_SECOND", "7"), ("SIMA_SLACK_BOT_TOKEN", "xoxb-env-bot-token")],
    );
    let (shown, error) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{error}");
    assert!(shown.contains("The configuration is valid"), "{shown}");
    assert!(shown.contains("requests_per_second: 7") && shown.contains("room_prefix: \"inc\""), "{shown}");
    assert!(shown.contains("payments-sev1: on declared when severity sev1 → page payments-secondary"), "{shown}");
    assert!(shown.contains("manager-decides: only the Incident Manager may resolve"), "{shown}");
    for secret in ["file-api-token", "default-routing-key", "payments-secondary-key", "env-bot-token"] {
        assert!(!shown.contains(secret), "{secret} printed: {shown}");
    }
    assert_eq!(entries(dir.path()), ["sima.toml"], "nothing created");
}

#[test]
fn a_page_target_without_a_routing_key_stops_check_config_and_serve() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sima.toml");
    std::fs::write(
        &config,
        r#"
[pagerduty]
routing_key = "default-routing-key"

[[domains]]
name = "payments-secondary"

[[workflows]]
name = "payments-sev1"
on = "declared"
steps = [{ page = "payments-secondary" }, { page = "paymnets" }]
"#,
    )
    .unwrap();
    let path = config.to_str().unwrap();
    let out = sima(dir.path(), &["check-config", "--config", path], &[]);
    assert_eq!(out.status.code(), Some(1));
    let error = text(&out.stderr);
    assert!(error.contains("2 problems"), "{error}");
    assert!(
        error.contains(
            "workflow \"payments-sev1\": `page = \"payments-secondary\"` names a domain without a routing_key"
        ),
        "{error}"
    );
    assert!(error.contains("`page = \"paymnets\"` names no [[domains]] entry"), "{error}");
    let out = sima(dir.path(), &["--config", path], &[("SIMA_LISTEN", "127.0.0.1:0")]);
    assert_eq!(out.status.code(), Some(1), "serve refuses it too");
    assert!(text(&out.stderr).contains("names a domain without a routing_key"), "{}", text(&out.stderr));
    assert_eq!(entries(dir.path()), ["sima.toml"], "refused before opening the database");
}

/// The tables of a SQLite file, and how many migrations it records.
async fn sqlite_schema(file: &Path) -> (Vec<String>, i64) {
    let mut db = SqliteConnection::connect(&format!("sqlite://{}", file.display())).await.unwrap();
    let tables = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .fetch_all(&mut db)
        .await
        .unwrap();
    let applied = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success").fetch_one(&mut db).await;
    (tables, applied.unwrap_or(0))
}

#[tokio::test]
async fn migrate_creates_the_schema_on_a_fresh_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fresh.db");
    let url = format!("sqlite://{}", file.display());
    let expected = sima_store_sqlite::MIGRATOR.iter().count();
    let out = sima(dir.path(), &["migrate"], &[("SIMA_DATABASE_URL", &url)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert_eq!(said.lines().filter(|l| l.starts_with("applied ")).count(), expected, "{said}");
    assert!(said.contains(&format!("{expected} migrations, {expected} applied now")), "{said}");
    let (tables, applied) = sqlite_schema(&file).await;
    assert!(tables.iter().any(|t| t == "incidents") && tables.iter().any(|t| t == "incident_events"), "{tables:?}");
    assert_eq!(usize::try_from(applied).unwrap(), expected);
    let again = text(&sima(dir.path(), &["migrate"], &[("SIMA_DATABASE_URL", &url)]).stdout);
    assert!(again.contains(&format!("{expected} migrations, 0 applied now")), "{again}");
}

#[tokio::test]
async fn migrate_creates_the_schema_on_a_fresh_postgres_database() {
    let Some(database) = ScratchDatabase::create("sima_cli").await else { return };
    let dir = tempfile::tempdir().unwrap();
    let expected = sima_store_postgres::MIGRATOR.iter().count();
    let out = sima(dir.path(), &["migrate"], &[("SIMA_DATABASE_URL", database.url())]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(&format!("{expected} migrations, {expected} applied now")));
    let mut db = PgConnection::connect(database.url()).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert!(tables.iter().any(|t| t == "incidents") && tables.iter().any(|t| t == "incident_events"), "{tables:?}");
    let applied: i64 =
        sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success").fetch_one(&mut db).await.unwrap();
    assert_eq!(usize::try_from(applied).unwrap(), expected);
    db.close().await.unwrap();
    assert!(entries(dir.path()).is_empty(), "no SQLite file on the side");
}

#[tokio::test]
async fn serve_refuses_a_schema_that_is_not_current_when_auto_migrate_is_off() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sima.db");
    let url = format!("sqlite://{}", file.display());
    let off = [("SIMA_DATABASE_URL", url.as_str()), ("SIMA_AUTO_MIGRATE", "false"), ("SIMA_LISTEN", "127.0.0.1:0")];
    let out = sima(dir.path(), &["serve"], &off);
    assert_eq!(out.status.code(), Some(1));
    let error = text(&out.stderr);
    assert!(error.contains("not up to date") && error.contains("run `sima-server migrate`"), "{error}");
    assert!(sqlite_schema(&file).await.0.is_empty(), "nothing was migrated");
    // `auto_migrate = false` in the file says the same.
    let config = dir.path().join("sima.toml");
    std::fs::write(&config, format!("auto_migrate = false\ndatabase_url = \"{url}\"\n")).unwrap();
    let out = sima(dir.path(), &["--config", config.to_str().unwrap()], &[("SIMA_LISTEN", "127.0.0.1:0")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("run `sima-server migrate`"), "{}", text(&out.stderr));

    assert_eq!(sima(dir.path(), &["migrate"], &[("SIMA_DATABASE_URL", &url)]).status.code(), Some(0));
    let env: HashMap<String, String> =
        [("SIMA_DATABASE_URL", url.as_str()), ("SIMA_AUTO_MIGRATE", "false")].map(|(k, v)| (k.into(), v.into())).into();
    let server = ServerProcess::spawn(env);
    assert!(!server.log_lines("SIMA is listening").is_empty(), "serves on the migrated schema");
    server.kill();
}
