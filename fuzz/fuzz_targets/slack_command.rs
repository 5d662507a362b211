//! A slash-command body (`application/x-www-form-urlencoded`) as Slack posts it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(inbound) = sima_slack::parse_command(body) {
        // Whatever parses becomes a neutral event without panicking.
        let _ = inbound.into_core();
    }
});
