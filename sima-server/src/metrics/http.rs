//! `sima_http_requests_total{route, status}` and
//! `sima_http_request_duration_seconds{route}`, recorded by [`track`] under
//! each request's route template (a bounded set of labels).

use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::telemetry::route_of;

/// Latency histogram bounds, in seconds.
pub const BUCKETS: [f64; 11] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RouteStatus {
    route: String,
    status: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct Route {
    route: String,
}

fn latency_histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

/// Request counts and latencies per route.
#[derive(Debug, Clone)]
pub struct HttpMetrics {
    requests: Family<RouteStatus, Counter>,
    durations: Family<Route, Histogram, fn() -> Histogram>,
}

impl HttpMetrics {
    /// Counters registered in `registry`.
    pub(crate) fn register(registry: &mut Registry) -> Self {
        let metrics = Self {
            requests: Family::default(),
            durations: Family::new_with_constructor(latency_histogram as fn() -> Histogram),
        };
        registry.register("sima_http_requests", "HTTP requests by route and status", metrics.requests.clone());
        registry.register("sima_http_request_duration_seconds", "HTTP request latency", metrics.durations.clone());
        metrics
    }

    /// Records one request.
    pub fn observe(&self, route: &str, status: u16, seconds: f64) {
        self.requests.get_or_create(&RouteStatus { route: route.to_owned(), status }).inc();
        self.durations.get_or_create(&Route { route: route.to_owned() }).observe(seconds);
    }
}

/// Middleware recording every request under its route template.
pub async fn track(State(metrics): State<HttpMetrics>, request: Request, next: Next) -> Response {
    let route = route_of(&request).to_owned();
    let start = Instant::now();
    let response = next.run(request).await;
    metrics.observe(&route, response.status().as_u16(), start.elapsed().as_secs_f64());
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use prometheus_client::encoding::prometheus_text::encode;

    #[test]
    fn requests_are_counted_by_route_and_status_with_the_latency_buckets() {
        let mut registry = Registry::default();
        let http = HttpMetrics::register(&mut registry);
        http.observe("/api/v1/incidents", 201, 0.003);
        http.observe("/api/v1/incidents", 201, 0.2);
        let mut text = String::new();
        encode(&mut text, &registry).unwrap();
        for line in [
            "# TYPE sima_http_requests_total counter",
            r#"sima_http_requests_total{route="/api/v1/incidents",status="201"} 2"#,
            "# TYPE sima_http_request_duration_seconds histogram",
            r#"sima_http_request_duration_seconds_bucket{route="/api/v1/incidents",le="0.0025"} 0"#,
            r#"sima_http_request_duration_seconds_bucket{route="/api/v1/incidents",le="0.005"} 1"#,
            r#"sima_http_request_duration_seconds_bucket{route="/api/v1/incidents",le="1"} 2"#,
            r#"sima_http_request_duration_seconds_bucket{route="/api/v1/incidents",le="+Inf"} 2"#,
            r#"sima_http_request_duration_seconds_count{route="/api/v1/incidents"} 2"#,
        ] {
            assert!(text.lines().any(|l| l == line), "`{line}` in:\n{text}");
        }
    }
}
