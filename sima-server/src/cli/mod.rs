//! The command line: `sima-server [serve]` (the default), `sima-server
//! check-config` and `sima-server migrate`, with `--config PATH` (as
//! `SIMA_CONFIG`; the flag wins), `--version` and `--help`. Asking for help
//! or the version reads no configuration, creates no file and binds no port;
//! an unknown argument is refused with exit code 2.
//!
//! # Layout
//! - `check`: `check-config`, every problem named.
//! - `migrate`: `migrate`, the migrations applied.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::{build, telemetry, Application, Settings};

mod check;
mod migrate;

pub use check::check_config;

/// `sima-server`'s arguments.
#[derive(Debug, Clone, PartialEq, Eq, Parser)]
#[command(
    name = "sima-server",
    version = build::LONG_VERSION,
    about = "SIMA, the incident-management engine: the server, its configuration check and its migrations",
    after_help = "Configuration: sima.toml (--config or SIMA_CONFIG), then SIMA_* variables, which win; \
                  every key also as SIMA_<SECTION>__<KEY>, e.g. SIMA_LIMITS__REQUESTS_PER_SECOND. \
                  See docs/configuration.md."
)]
pub struct Cli {
    /// The configuration file (default: the SIMA_CONFIG variable; neither:
    /// the defaults and the environment only).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What `sima-server` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Serve the API, the webhooks, Slack and the dashboard, and run the effect worker (the default).
    Serve,
    /// Check the file and the environment, cross-references included, print the resolved
    /// settings with secrets redacted, and exit non-zero naming each problem.
    CheckConfig,
    /// Apply the database migrations (SQLite or PostgreSQL) and exit.
    Migrate,
}

impl Cli {
    /// The variables the settings are read from: `env`, with `SIMA_CONFIG`
    /// set to `--config` when given.
    pub fn environment(&self, mut env: HashMap<String, String>) -> HashMap<String, String> {
        if let Some(path) = &self.config {
            env.insert("SIMA_CONFIG".to_owned(), path.display().to_string());
        }
        env
    }
}

/// Runs `sima-server` with the process's arguments and environment.
pub fn main() -> ExitCode {
    run(std::env::args_os())
}

/// Runs `sima-server` with `args` (the program's name first) and the
/// process environment, and says how it ended: 0 done, 1 failed, 2 a
/// mistake in the arguments.
pub fn run(args: impl IntoIterator<Item = impl Into<OsString> + Clone>) -> ExitCode {
    let cli = Cli::parse_from(args);
    let env = cli.environment(process_environment());
    match cli.command.unwrap_or(Command::Serve) {
        Command::CheckConfig => check_config(&env, &mut std::io::stdout().lock(), &mut std::io::stderr().lock()),
        Command::Migrate => finish(runtime().and_then(|rt| rt.block_on(migrate::migrate(&env)))),
        Command::Serve => finish(runtime().and_then(|rt| rt.block_on(serve(&env)))),
    }
}

/// Builds and runs the server until SIGINT or SIGTERM.
async fn serve(env: &HashMap<String, String>) -> anyhow::Result<()> {
    telemetry::init()?;
    let settings = Settings::from_env(env)?;
    let app = Application::build(settings).await?;
    tracing::info!(port = app.port(), version = build::VERSION, commit = build::COMMIT, "SIMA is listening");
    app.run_until_stopped().await
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Runtime::new()?)
}

/// Exit code 0, or 1 with every line of the error on standard error.
fn finish(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("sima-server: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The process environment; variables that are not Unicode are skipped.
fn process_environment() -> HashMap<String, String> {
    std::env::vars_os()
        .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("sima-server").chain(args.iter().copied()))
    }

    #[test]
    fn serve_is_the_default_and_config_goes_anywhere() {
        assert_eq!(parse(&[]).unwrap().command, None);
        assert_eq!(parse(&["serve"]).unwrap().command, Some(Command::Serve));
        let cli = parse(&["check-config", "--config", "/etc/sima/sima.toml"]).unwrap();
        assert_eq!(cli.command, Some(Command::CheckConfig));
        let env = cli.environment(HashMap::from([("SIMA_CONFIG".to_owned(), "/elsewhere.toml".to_owned())]));
        assert_eq!(env["SIMA_CONFIG"], "/etc/sima/sima.toml", "the flag wins");
        let cli = parse(&["--config", "a.toml", "migrate"]).unwrap();
        assert_eq!((cli.command, cli.config), (Some(Command::Migrate), Some(PathBuf::from("a.toml"))));
    }

    #[test]
    fn mistakes_are_usage_errors() {
        for args in [&["--frobnicate"][..], &["serv"], &["migrate", "extra"], &["--config"]] {
            let error = parse(args).unwrap_err();
            assert_eq!(error.exit_code(), 2, "{args:?}: {error}");
        }
        assert_eq!(parse(&["--version"]).unwrap_err().kind(), clap::error::ErrorKind::DisplayVersion);
        assert_eq!(parse(&["--help"]).unwrap_err().kind(), clap::error::ErrorKind::DisplayHelp);
    }
}
