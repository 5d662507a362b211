//! `sima.toml`, then the `SIMA_*` variables: the input is the file, a NUL,
//! then one `NAME=value` override per line.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let (file, overrides) = input.split_once('\0').unwrap_or((input, ""));
    let env: HashMap<String, String> = overrides
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(name, value)| (format!("SIMA_{name}"), value.to_owned()))
        .collect();
    if let Ok(settings) = sima_server::Settings::from_file_text("fuzz.toml", file, &env) {
        let _ = settings.validate();
        let _ = settings.describe();
    }
});
