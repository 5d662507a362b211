//! The schemes the trackers sign their webhooks with (`POST /webhooks/jira`,
//! `POST /webhooks/linear`): each handler names its own, in place of the
//! webhook token, and this module describes them.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::OpenApi;

/// Security scheme of Jira's `X-Hub-Signature` header.
pub const JIRA_SIGNATURE: &str = "jira_signature";
/// Security scheme of Linear's `Linear-Signature` header.
pub const LINEAR_SIGNATURE: &str = "linear_signature";

/// Adds the trackers' signature schemes to `document`.
pub(super) fn describe(document: &mut OpenApi) {
    let components = document.components.get_or_insert_with(Default::default);
    for (name, header, description) in [
        (
            JIRA_SIGNATURE,
            "X-Hub-Signature",
            "`sha256=<hex HMAC-SHA256 of the raw body>`, keyed with SIMA_JIRA_WEBHOOK_SECRET (the secret set on \
             Jira's admin webhook).",
        ),
        (
            LINEAR_SIGNATURE,
            "Linear-Signature",
            "`<hex HMAC-SHA256 of the raw body>`, keyed with SIMA_LINEAR_WEBHOOK_SECRET (the webhook's signing \
             secret); the body's `webhookTimestamp` must be within a minute of the server's clock.",
        ),
    ] {
        let key = ApiKey::Header(ApiKeyValue::with_description(header, description));
        components.add_security_scheme(name, SecurityScheme::ApiKey(key));
    }
}
