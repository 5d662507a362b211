//! `sima-server check-config`: reads the file and the environment as `serve`
//! would, checks every cross-reference and that each adapter can be
//! configured, and prints the resolved settings with secrets redacted; or
//! names every problem and exits 1. Nothing is connected to or created.

use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;

use crate::settings::ConfigErrors;
use crate::{wiring, Settings};

/// Checks the configuration `env` names (its `SIMA_CONFIG` file, then its
/// variables), writing the resolved settings to `out` or every problem to
/// `err`.
pub fn check_config(env: &HashMap<String, String>, out: &mut impl Write, err: &mut impl Write) -> ExitCode {
    let source = match env.get("SIMA_CONFIG") {
        Some(path) => format!("{path}, then the environment"),
        None => "the defaults, then the environment (no --config or SIMA_CONFIG)".to_owned(),
    };
    let problems = match Settings::from_env(env) {
        Ok(settings) => match adapter_problems(&settings) {
            problems if problems.is_empty() => return report(&settings, &source, out),
            problems => problems,
        },
        Err(error) => match error.downcast::<ConfigErrors>() {
            Ok(ConfigErrors(problems)) => problems,
            Err(other) => vec![format!("{other:#}")],
        },
    };
    let count = if problems.len() == 1 { "1 problem".to_owned() } else { format!("{} problems", problems.len()) };
    let _ = writeln!(err, "sima-server check-config: {count} in the configuration read from {source}:");
    for problem in &problems {
        let _ = writeln!(err, "  - {}", problem.replace('\n', "\n    "));
    }
    ExitCode::FAILURE
}

/// What building each adapter from these settings says (no request is sent).
fn adapter_problems(settings: &Settings) -> Vec<String> {
    [wiring::chat(settings).err(), wiring::paging(settings).err(), wiring::docs(settings).err()]
        .into_iter()
        .flatten()
        .map(|error| format!("{error:#}"))
        .collect()
}

fn report(settings: &Settings, source: &str, out: &mut impl Write) -> ExitCode {
    let written = (|| -> std::io::Result<()> {
        writeln!(out, "The configuration is valid (read from {source}).")?;
        writeln!(out)?;
        writeln!(out, "What runs:")?;
        for line in settings.describe() {
            writeln!(out, "  {line}")?;
        }
        writeln!(out)?;
        writeln!(out, "Resolved settings (secrets redacted):")?;
        writeln!(out, "{settings:#?}")
    })();
    if written.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(env: &[(&str, &str)]) -> (ExitCode, String, String) {
        let env = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = check_config(&env, &mut out, &mut err);
        (code, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
    }

    #[test]
    fn a_good_configuration_is_printed_with_its_secrets_redacted() {
        let (code, out, err) = check(&[
            ("SIMA_API_TOKEN", "api-token-0123456789"),
            ("SIMA_SLACK_BOT_TOKEN", "xoxb-secret-bot-token"),
            ("SIMA_LIMITS__BURST", "7"),
        ]);
        assert_eq!(code, ExitCode::SUCCESS, "{err}");
        assert!(out.contains("The configuration is valid") && out.contains("burst: 7"), "{out}");
        assert!(out.contains("chat: Slack"), "{out}");
        assert!(!out.contains("api-token-0123456789") && !out.contains("secret-bot-token"), "{out}");
        assert!(out.contains("[redacted]"), "{out}");
    }

    #[test]
    fn every_problem_is_named() {
        let (code, out, err) =
            check(&[("SIMA_API_TOKEN", "short"), ("SIMA_METRICS_TOKEN", ""), ("SIMA_DATABASE_URL", "mysql://db/sima")]);
        assert_eq!(code, ExitCode::FAILURE);
        assert!(out.is_empty(), "{out}");
        assert!(err.contains("3 problems"), "{err}");
        for name in ["SIMA_API_TOKEN", "SIMA_METRICS_TOKEN", "SIMA_DATABASE_URL"] {
            assert!(err.contains(name), "{name}: {err}");
        }
        assert!(!err.contains("short"), "no secret is echoed: {err}");
    }
}
