//! An interaction body: `payload=<JSON>` (button presses, modal submissions and closes).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(Some(inbound)) = sima_slack::parse_interaction(body) {
        let _ = inbound.into_core();
    }
});
