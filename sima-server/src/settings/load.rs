//! Where the settings are read from: the process environment, a map of
//! variables, or a file's text; then every check, all problems listed.

use std::collections::HashMap;

use super::{layers, ConfigErrors, Settings};

impl Settings {
    /// Reads the process environment (and the file `SIMA_CONFIG` names).
    ///
    /// # Errors
    /// An unreadable or invalid file, or an inconsistent configuration
    /// ([`ConfigErrors`], every problem named).
    pub fn load() -> anyhow::Result<Self> {
        Self::from_env(&std::env::vars().collect())
    }

    /// The settings for these variables: the file named by `SIMA_CONFIG` (if
    /// any), then the `SIMA_*` variables.
    ///
    /// # Errors
    /// An unreadable or invalid file, or an inconsistent configuration
    /// ([`ConfigErrors`], every problem named).
    pub fn from_env(env: &HashMap<String, String>) -> anyhow::Result<Self> {
        match env.get("SIMA_CONFIG") {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| ConfigErrors(vec![format!("cannot read the configuration file {path}: {e}")]))?;
                Self::from_file_text(path, &text, env)
            }
            None => Ok(Self::from_sources(None, env)?),
        }
    }

    /// The settings of a `sima.toml` (`text`, read from `path`), then the
    /// `SIMA_*` variables in `env`.
    ///
    /// # Errors
    /// Invalid TOML, unknown keys, or an inconsistent configuration
    /// ([`ConfigErrors`], every problem named).
    pub fn from_file_text(path: &str, text: &str, env: &HashMap<String, String>) -> anyhow::Result<Self> {
        Ok(Self::from_sources(Some((path, text)), env)?)
    }

    fn from_sources(file: Option<(&str, &str)>, env: &HashMap<String, String>) -> Result<Self, ConfigErrors> {
        let settings = layers::Sources::read(file, env).and_then(|sources| sources.settings()).map_err(ConfigErrors)?;
        let problems = settings.problems();
        if problems.is_empty() {
            Ok(settings)
        } else {
            Err(ConfigErrors(problems))
        }
    }
}
