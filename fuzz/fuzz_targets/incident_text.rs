//! The text typed after `/incident`, through the one command table.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = sima_core::fuzzing::parse_command(text);
});
