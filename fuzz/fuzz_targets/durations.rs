//! The one duration syntax (`2s`, `30m`, `12h`, `7d`, `off`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = sima_server::delays::parse_delay(text);
});
