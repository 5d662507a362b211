//! The generic alert webhook body: a declaration, or a clear 4xx.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sima_core::Severity;
use sima_server::webhooks::AlertBody;

fuzz_target!(|body: &[u8]| {
    if let Ok(alert) = serde_json::from_slice::<AlertBody>(body) {
        if let Err(error) = alert.request(Severity::Sev3) {
            assert!(error.status().is_client_error(), "{error:?}");
        }
    }
});
