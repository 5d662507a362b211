//! Every route and the layers around them: credentials, same-origin,
//! rate limits, overload, request metrics, request ids and the access log.

use std::time::Duration;

use axum::error_handling::HandleErrorLayer;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{any, get};
use axum::{middleware, Router};
use sima_slack::SlackState;
use sima_teams::TeamsState;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::load_shed::LoadShedLayer;
use tower::timeout::TimeoutLayer;
use tower::ServiceBuilder;

use crate::error::ApiError;
use crate::metrics::track;
use crate::state::AppState;
use crate::{api, guard, health, telemetry, ui, webhooks};

/// Largest accepted request body.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// How long a request may take by default before it is answered 503
/// (`limits.request_timeout_secs`).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

async fn slack_unconfigured() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "Slack requests cannot be verified: set SIMA_SLACK_SIGNING_SECRET on the server",
    )
}

/// Every route, over `state`; Slack routes are verified with `slack` when
/// set, and `/teams/messages` is served with `teams` when set.
pub fn router(state: AppState, slack: Option<SlackState>, teams: Option<TeamsState>) -> Router {
    let slack = match slack {
        Some(slack) => sima_slack::router(slack),
        None => Router::new().route("/{*rest}", any(slack_unconfigured)),
    };
    let limits = &state.settings.limits;
    let overload = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(guard::overloaded))
        .layer(LoadShedLayer::new())
        .layer(GlobalConcurrencyLimitLayer::new(limits.max_in_flight))
        .layer(TimeoutLayer::new(Duration::from_secs(limits.request_timeout_secs)));
    let rate_limit = middleware::from_fn_with_state(state.clone(), guard::rate_limit);
    let same_origin = middleware::from_fn_with_state(state.clone(), guard::same_origin);
    let hide_private = middleware::from_fn_with_state(state.clone(), guard::hide_private);
    let api = api::router()
        .layer(hide_private.clone())
        .layer(middleware::from_fn_with_state(state.clone(), guard::require_api_token))
        .layer(same_origin.clone())
        .layer(rate_limit.clone());
    let metrics = get(health::prometheus)
        .layer(middleware::from_fn_with_state(state.clone(), guard::require_metrics_token))
        .layer(same_origin.clone());
    let postmortems = get(health::postmortem)
        .layer(hide_private)
        .layer(middleware::from_fn_with_state(state.clone(), guard::require_api_token))
        .layer(same_origin.clone())
        .layer(rate_limit.clone());
    let routes = Router::new()
        .nest(api::PREFIX, api)
        .nest(webhooks::PREFIX, webhooks::router().layer(rate_limit.clone()))
        .route("/readyz", get(health::readyz))
        .route("/metrics", metrics)
        .route("/postmortems/{file}", postmortems)
        .merge(ui::router(state.clone()).layer(same_origin).layer(rate_limit))
        // Public, cached, read-only: no credential, no Host or Origin check (see `status`).
        .merge(crate::status::router(&state))
        .with_state(state.clone())
        .nest("/slack", slack)
        .nest("/teams", crate::teams::routes(teams))
        .fallback(|| async {
            ApiError::not_found("no such route; see /api/v1/incidents, /webhooks/alerts, /slack/commands")
        })
        .layer(overload)
        // Liveness answers even when the server sheds load.
        .route("/healthz", get(health::healthz))
        .layer(middleware::from_fn_with_state(state.metrics.http().clone(), track))
        .layer(DefaultBodyLimit::max(BODY_LIMIT));
    telemetry::trace_requests(routes)
}
