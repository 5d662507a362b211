//! An Events API envelope (`url_verification`, `event_callback`, …).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sima_slack::EventsRequest;

fuzz_target!(|body: &[u8]| {
    if let Ok(EventsRequest::Callback { inbound: Some(inbound), .. }) = sima_slack::parse_event(body) {
        let _ = inbound.into_core();
    }
});
