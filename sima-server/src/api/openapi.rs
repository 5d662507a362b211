//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of every route a
//! program calls: the REST API and the webhooks, built from the same
//! registrations that serve them (the API's `routes()` and the webhooks'
//! `routes()`, handed to [`document`]); the probes, `/metrics` and
//! `/postmortems/{file}` from their handlers' `#[utoipa::path]`s; and the
//! routes Slack and Teams call, which their crates serve, from the table in
//! `chat`. The dashboard's HTML pages under `/ui/` are left out: they are
//! for a browser, not a program.
//!
//! The handlers describe what they answer; this module adds what the layers
//! around them answer on every route (credentials, same-origin, rate limits,
//! body limits, overload), in one place, as `crate::router` applies them.

mod chat;
mod trackers;

use std::sync::Arc;

use axum::extract::State;
use axum::{Extension, Json};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, OneOfBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder, Server};
use utoipa::{OpenApi as _, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ErrorBody;
use crate::health;
use crate::state::AppState;

pub use chat::{BOT_FRAMEWORK, SLACK_SIGNATURE, SLACK_TIMESTAMP};
pub use trackers::{JIRA_SIGNATURE, LINEAR_SIGNATURE};

/// Security scheme of `SIMA_API_TOKEN`.
pub const API_TOKEN: &str = "api_token";
/// Security scheme of `SIMA_API_READ_TOKEN`.
pub const READ_TOKEN: &str = "read_token";
/// Security scheme of `SIMA_WEBHOOK_TOKEN`.
pub const WEBHOOK_TOKEN: &str = "webhook_token";
/// Security scheme of `SIMA_METRICS_TOKEN`.
pub const METRICS_TOKEN: &str = "metrics_token";

/// What the document says before its paths.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "SIMA",
        description = "Incidents: declare, read and drive them; monitors declare them through webhooks.\n\n\
            JSON in snake_case, times RFC 3339 UTC. Every error is `{\"error\": {\"code\", \"message\"}}`: \
            4xx say what to fix, naming the field.\n\n\
            `/api/v1` takes `Authorization: Bearer <SIMA_API_TOKEN>`; `GET` routes also take \
            `SIMA_API_READ_TOKEN`. With neither set, the API answers clients on the server's own machine \
            only, without a token. Requests whose `Origin` is another site are refused (403). \
            `/webhooks` take `Authorization: Bearer <SIMA_WEBHOOK_TOKEN>`, but for the trackers' \
            (`/webhooks/jira`, `/webhooks/linear`), which the tracker signs.\n\n\
            Every route a program calls is here: the API, the webhooks, `/healthz` and `/readyz` (no \
            credential), `/metrics` (`SIMA_METRICS_TOKEN` or the API token when one is set, else open), \
            `/postmortems/{file}` (the API's credentials), and the routes Slack (`/slack/…`, signed) and \
            Microsoft Teams (`/teams/messages`, a Bot Framework token) call. The dashboard's HTML pages \
            under `/ui/` are not: they are a browser interface, not an API.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    components(schemas(ErrorBody)),
    tags(
        (name = "incidents", description = "Declare, list and drive incidents"),
        (name = "actions", description = "Follow-up action items"),
        (name = "metrics", description = "MTTA, MTTR and MTTD"),
        (name = "sessions", description = "Dashboard sessions (the API token only)"),
        (name = "webhooks", description = "Alerts from monitors, and ticket changes from trackers"),
        (name = "openapi", description = "This document"),
        (name = "operations", description = "Liveness, readiness and Prometheus metrics"),
        (name = "postmortems", description = "Markdown post-mortems (when Notion is not configured)"),
        (name = "slack", description = "What Slack calls: commands, interactions and events"),
        (name = "teams", description = "What Microsoft Teams calls: the bot's messaging endpoint"),
    ),
)]
struct Head;

/// The document of the API's routes `api` served under `api_prefix`, the
/// webhooks' routes `webhooks` under `webhooks_prefix`, and the other routes
/// `crate::router` serves (the probes, `/metrics`, `/postmortems/{file}`,
/// Slack's and Teams'), with the answers of the layers around them. Built
/// once per router; the route serving it reads it from the request's extensions.
pub fn document(
    api_prefix: &str,
    api: OpenApiRouter<AppState>,
    webhooks_prefix: &str,
    webhooks: OpenApiRouter<AppState>,
) -> OpenApi {
    let mut document = OpenApiRouter::<AppState>::with_openapi(Head::openapi())
        .nest(api_prefix, api)
        .nest(webhooks_prefix, webhooks)
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::prometheus))
        .routes(routes!(health::postmortem))
        .into_openapi();
    document.merge(crate::status::openapi());
    add_probe_schemas(&mut document);
    describe_layers(&mut document, api_prefix, webhooks_prefix);
    chat::describe(&mut document);
    trackers::describe(&mut document);
    document
}

/// This document.
///
/// The OpenAPI 3.1 description of every route a program calls (all but the
/// dashboard's pages), with this server's `SIMA_PUBLIC_URL` as its server.
/// Open it in any OpenAPI viewer.
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "get_openapi",
    tag = "openapi",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object, content_type = "application/json")),
)]
pub(super) async fn serve(
    State(state): State<AppState>,
    Extension(document): Extension<Arc<OpenApi>>,
) -> Json<OpenApi> {
    let mut document = OpenApi::clone(&document);
    document.servers = Some(vec![Server::new(state.settings.public_url.trim_end_matches('/'))]);
    Json(document)
}

/// `Probe`, what `/healthz` and `/readyz` answer, and `NotReady`, what
/// `/readyz` answers with 503: a probe, or the overload layer's error.
fn add_probe_schemas(document: &mut OpenApi) {
    let components = document.components.get_or_insert_with(Default::default);
    let status = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(["ok", "ready", "unavailable"]))
        .description(Some("`ok` (alive), `ready`, or `unavailable` (not ready)"));
    let error = ObjectBuilder::new().schema_type(Type::String).description(Some("Why it is not ready"));
    let probe = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("status", status)
        .property("error", error)
        .required("status")
        .additional_properties(Some(AdditionalProperties::FreeForm(false)));
    components.schemas.insert("Probe".to_owned(), probe.into());
    let not_ready = OneOfBuilder::new()
        .item(Ref::from_schema_name("Probe"))
        .item(Ref::from_schema_name(ErrorBody::name()))
        .description(Some("Not ready (`Probe`), or the server is full or timed out (`Error`)"));
    components.schemas.insert("NotReady".to_owned(), not_ready.into());
}

/// The layers `crate::router` puts around a route, told by where it is served.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Layers {
    /// `/api/v1`: the API token (or the read token on reads), same-origin, rate limits.
    Api,
    /// `/webhooks`: the webhook token, rate limits.
    Webhooks,
    /// `/postmortems`: the API's credentials, same-origin, rate limits.
    Postmortems,
    /// `/metrics`: the metrics token when one is set, same-origin.
    Metrics,
    /// Described completely by their handlers (the probes) or where they are added (chat routes).
    Own,
}

fn layers(path: &str, api_prefix: &str, webhooks_prefix: &str) -> Layers {
    if path.starts_with(api_prefix) {
        Layers::Api
    } else if path.starts_with(webhooks_prefix) {
        Layers::Webhooks
    } else if path.starts_with("/postmortems/") {
        Layers::Postmortems
    } else if path == "/metrics" {
        Layers::Metrics
    } else {
        Layers::Own
    }
}

/// The security schemes, and on each operation the credentials and refusals
/// of the layers it passes through (see `crate::guard` and `crate::router`).
fn describe_layers(document: &mut OpenApi, api_prefix: &str, webhooks_prefix: &str) {
    let components = document.components.get_or_insert_with(Default::default);
    for (name, variable, routes) in [
        (API_TOKEN, "SIMA_API_TOKEN", "every `/api/v1` route and `/postmortems`; also `/metrics`"),
        (READ_TOKEN, "SIMA_API_READ_TOKEN", "`GET` routes of `/api/v1` but the sessions, and `/postmortems`"),
        (WEBHOOK_TOKEN, "SIMA_WEBHOOK_TOKEN", "`/webhooks`"),
        (METRICS_TOKEN, "SIMA_METRICS_TOKEN", "`/metrics`, which is open while neither it nor the API token is set"),
    ] {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(format!("`Authorization: Bearer <{variable}>`: {routes}.")))
            .build();
        components.add_security_scheme(name, SecurityScheme::Http(scheme));
    }
    for refusal in REFUSALS {
        components.responses.insert(refusal.name.to_owned(), refusal.response().into());
    }
    for (path, item) in document.paths.paths.iter_mut() {
        let layers = layers(path, api_prefix, webhooks_prefix);
        for (read_only, operation) in [
            (true, &mut item.get),
            (true, &mut item.head),
            (false, &mut item.post),
            (false, &mut item.put),
            (false, &mut item.patch),
            (false, &mut item.delete),
        ] {
            let Some(operation) = operation else { continue };
            match layers {
                Layers::Api | Layers::Postmortems => guard_api(operation, read_only),
                Layers::Webhooks => guard_webhook(operation),
                Layers::Metrics => guard_metrics(operation),
                Layers::Own => {}
            }
        }
    }
}

/// `/metrics`: the metrics token or the API token when one is set, else no
/// credential (the empty requirement); same-origin.
fn guard_metrics(operation: &mut Operation) {
    operation.security.get_or_insert_with(|| {
        vec![
            SecurityRequirement::new(METRICS_TOKEN, Vec::<String>::new()),
            SecurityRequirement::new(API_TOKEN, Vec::<String>::new()),
            SecurityRequirement::default(),
        ]
    });
    refuse(operation, &["401", "403", "500", "503"]);
}

/// `/api/v1`: the API token, or the read token on reads; same-origin; the
/// loopback default's JSON-only writes.
fn guard_api(operation: &mut Operation, read_only: bool) {
    operation.security.get_or_insert_with(|| {
        let mut tokens = vec![SecurityRequirement::new(API_TOKEN, Vec::<String>::new())];
        if read_only {
            tokens.push(SecurityRequirement::new(READ_TOKEN, Vec::<String>::new()));
        }
        tokens
    });
    refuse(operation, &["401", "403", "429", "500", "503"]);
    if !read_only {
        refuse(operation, &["415"]);
    }
    if operation.request_body.is_some() {
        refuse(operation, &["400", "413", "422"]);
    }
}

/// `/webhooks`: the webhook token (checked by the handler), no same-origin.
fn guard_webhook(operation: &mut Operation) {
    operation.security.get_or_insert_with(|| vec![SecurityRequirement::new(WEBHOOK_TOKEN, Vec::<String>::new())]);
    refuse(operation, &["401", "429", "500", "503"]);
    if operation.request_body.is_some() {
        refuse(operation, &["400", "413", "415", "422"]);
    }
}

/// Adds the shared answers for these statuses where the operation names none.
fn refuse(operation: &mut Operation, statuses: &[&str]) {
    for status in statuses {
        let Some(refusal) = REFUSALS.iter().find(|r| r.status == *status) else { continue };
        operation
            .responses
            .responses
            .entry((*status).to_owned())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(refusal.name)));
    }
}

/// An answer any route may give, whatever its handler does.
struct Refusal {
    status: &'static str,
    name: &'static str,
    description: &'static str,
    retry_after: bool,
}

impl Refusal {
    fn response(&self) -> utoipa::openapi::Response {
        let error = ContentBuilder::new().schema(Some(Ref::from_schema_name(ErrorBody::name()))).build();
        let mut response = ResponseBuilder::new().description(self.description).content("application/json", error);
        if self.retry_after {
            let seconds = ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1));
            let header = HeaderBuilder::new().schema(seconds).description(Some("Seconds to wait before retrying"));
            response = response.header("Retry-After", header.build());
        }
        response.build()
    }
}

/// The answers of the layers and extractors, by status.
const REFUSALS: [Refusal; 9] = [
    Refusal {
        status: "400",
        name: "BadRequest",
        description: "The body is not JSON (`invalid_json`) or a value is invalid (`invalid_input`)",
        retry_after: false,
    },
    Refusal {
        status: "401",
        name: "Unauthorized",
        description: "No token, a wrong one, or one made for something else (`unauthorized`)",
        retry_after: false,
    },
    Refusal {
        status: "403",
        name: "Forbidden",
        description: "A request from another site's page (`forbidden_origin`), to a host name this server does not \
                      answer without a token (`forbidden_host`), or the read token on a write or on the sessions \
                      (`forbidden`)",
        retry_after: false,
    },
    Refusal {
        status: "413",
        name: "PayloadTooLarge",
        description: "The body is over 1 MiB (`payload_too_large`)",
        retry_after: false,
    },
    Refusal {
        status: "415",
        name: "UnsupportedMediaType",
        description: "A write without `Content-Type: application/json` (`unsupported_media_type`)",
        retry_after: false,
    },
    Refusal {
        status: "422",
        name: "Unprocessable",
        description: "Well-formed JSON of the wrong shape (`invalid_json`), or text with refused characters \
                      (`invalid_input`)",
        retry_after: false,
    },
    Refusal {
        status: "429",
        name: "RateLimited",
        description: "This client spent its request budget (`rate_limited`)",
        retry_after: true,
    },
    Refusal {
        status: "500",
        name: "Internal",
        description: "The store failed; the server log has the cause (`internal`)",
        retry_after: false,
    },
    Refusal {
        status: "503",
        name: "Unavailable",
        description: "The store is unreachable (`unavailable`), the server is full (`overloaded`) or the request \
                      took too long and may have been recorded (`timeout`)",
        retry_after: true,
    },
];
