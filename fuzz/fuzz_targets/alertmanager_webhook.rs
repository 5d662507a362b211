//! Prometheus Alertmanager's webhook body (version 4): a declaration, or a clear 4xx.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sima_server::settings::AlertSettings;
use sima_server::webhooks::Notification;

fuzz_target!(|body: &[u8]| {
    if let Ok(notification) = serde_json::from_slice::<Notification>(body) {
        let now = chrono::DateTime::from_timestamp(1_764_000_000, 0).unwrap_or_default();
        if let Err(error) = notification.request(&AlertSettings::default(), now) {
            assert!(error.status().is_client_error(), "{error:?}");
        }
    }
});
