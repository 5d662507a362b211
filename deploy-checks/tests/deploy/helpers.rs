//! What several checks share: the server's settings from a set of variables.

use std::collections::HashMap;

use sima_server::Settings;

/// A secret the server accepts (at least 16 characters).
pub(crate) const TOKEN: &str = "0123456789abcdef0123456789abcdef";

/// The settings the server reads from these variables alone, or its error
/// with the causes chained.
pub(crate) fn settings_from<I, K, V>(variables: I) -> Result<Settings, String>
where
    I: IntoIterator<Item = (K, V)>,
    K: Into<String>,
    V: Into<String>,
{
    let env: HashMap<String, String> = variables.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
    Settings::from_env(&env).map_err(|error| format!("{error:#}"))
}
