//! The headers every dashboard answer carries: a Content-Security-Policy
//! that allows the one style sheet and nothing else (no script at all, no
//! inline style, no frame), no framing, no sniffing, no referrer outside the
//! site, and no caching unless a route says otherwise (the style sheet does).

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The policy of every dashboard answer. The pages hold no script and no
/// inline style (the SVG charts are coloured by the style sheet's classes),
/// so `default-src 'none'` needs only the sheet and same-site forms.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
                                                  form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Adds the headers to the answer of the request.
pub(crate) async fn secure(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt as _;

    use super::*;

    #[tokio::test]
    async fn every_answer_gets_the_headers_and_routes_may_choose_their_caching() {
        let router = Router::new()
            .route("/page", get(|| async { "page" }))
            .route("/sheet", get(|| async { ([(header::CACHE_CONTROL, "max-age=3600")], "sheet") }))
            .layer(axum::middleware::from_fn(secure));
        let get = |path: &str| Request::builder().uri(path).body(Body::empty()).expect("a request");
        let page = router.clone().oneshot(get("/page")).await.expect("an answer");
        let headers = page.headers();
        assert_eq!(headers[header::CONTENT_SECURITY_POLICY], CONTENT_SECURITY_POLICY);
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe") && !CONTENT_SECURITY_POLICY.contains("script-src"));
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::REFERRER_POLICY], "same-origin");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        let sheet = router.oneshot(get("/sheet")).await.expect("an answer");
        assert_eq!(sheet.headers()[header::CACHE_CONTROL], "max-age=3600");
        assert_eq!(sheet.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    }
}
