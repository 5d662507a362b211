//! The dashboard's query string (`/ui/?status&severity&domain&period&cursor`):
//! any input is answered 200 or 400, never a panic or another status.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|query: &str| {
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().expect("a valid time");
    let status = sima_server::ui::filter_status(query, now);
    assert!(status == 200 || status == 400, "`{query}` answered {status}");
});
