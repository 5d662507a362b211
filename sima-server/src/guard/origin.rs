//! Requests from this server's own pages only: the `Host` a client was
//! pointed at and the `Origin` of the page that sent a request.
//!
//! - Without a credential configured (the loopback default), only requests
//!   addressed to `127.0.0.1`, `localhost`, `[::1]` or the host of
//!   `SIMA_PUBLIC_URL` are served, so a web page whose name was rebound to
//!   127.0.0.1 (DNS rebinding) reaches nothing.
//! - Always: a request that carries an `Origin` other than the server's own
//!   (`SIMA_PUBLIC_URL`, or the very `Host` it was sent to) is refused, and so
//!   is `Origin: null`.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::loopback::is_loopback_host;
use crate::error::ApiError;
use crate::settings::Settings;
use crate::state::AppState;

/// `host[:port]`, lower-cased, without the scheme's default port.
fn normalized(scheme: &str, authority: &str) -> String {
    let authority = authority.trim().to_ascii_lowercase();
    let default_port = match scheme {
        "https" => ":443",
        _ => ":80",
    };
    authority.strip_suffix(default_port).map_or(authority.clone(), str::to_owned)
}

/// The scheme and normalized authority of an absolute URL.
fn origin_of(url: &str) -> Option<(String, String)> {
    let uri: Uri = url.trim().parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let authority = uri.authority()?.as_str();
    if authority.contains('@') {
        return None;
    }
    Some((scheme.clone(), normalized(&scheme, authority)))
}

/// The `Host` a request was addressed to (HTTP/2: its `:authority`).
fn host_of<'r>(headers: &'r HeaderMap, uri: &'r Uri) -> Option<&'r str> {
    headers.get(header::HOST).and_then(|v| v.to_str().ok()).or_else(|| uri.authority().map(|a| a.as_str()))
}

/// Whether `settings` serve clients on this machine without any credential.
fn open(settings: &Settings) -> bool {
    settings.open_to_loopback() && settings.api_token.is_none() && settings.api_read_token.is_none()
}

/// Refuses a foreign `Host` (in the open default) or a foreign `Origin`.
///
/// # Errors
/// 403 saying which header is refused and what would be served.
pub(crate) fn check(settings: &Settings, headers: &HeaderMap, uri: &Uri) -> Result<(), ApiError> {
    let public = origin_of(&settings.public_url);
    let public_scheme = public.as_ref().map_or("http", |(scheme, _)| scheme.as_str());
    let host = host_of(headers, uri).map(|h| normalized(public_scheme, h));
    if open(settings) {
        let ours = host
            .as_deref()
            .is_some_and(|h| is_loopback_host(h) || public.as_ref().is_some_and(|(_, authority)| authority == h));
        if !ours {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden_host",
                format!(
                    "without SIMA_API_TOKEN this server answers only requests addressed to 127.0.0.1, localhost, \
                     [::1] or the host of SIMA_PUBLIC_URL; got Host `{}`",
                    host.as_deref().unwrap_or("<none>")
                ),
            ));
        }
    }
    let Some(origin) = headers.get(header::ORIGIN) else { return Ok(()) };
    let origin = origin.to_str().ok().and_then(origin_of);
    let same = origin.as_ref().is_some_and(|(scheme, authority)| {
        let same_host = host.as_deref().is_some_and(|h| normalized(scheme, h) == *authority);
        matches!(scheme.as_str(), "http" | "https")
            && (same_host || public.as_ref() == Some(&(scheme.clone(), authority.clone())))
    });
    if same {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden_origin",
            "cross-site requests are refused: the Origin header names neither this server's address nor \
             SIMA_PUBLIC_URL",
        ))
    }
}

/// Guards the API, the dashboard and `/metrics` (see the module documentation).
pub async fn same_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match check(&state.settings, request.headers(), request.uri()) {
        Ok(()) => next.run(request).await,
        Err(refused) => {
            tracing::warn!(code = refused.code(), "refused a request from a foreign host or origin");
            refused.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(host: &'static str, origin: Option<&'static str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static(host));
        if let Some(origin) = origin {
            headers.insert(header::ORIGIN, HeaderValue::from_static(origin));
        }
        headers
    }

    fn verdict(settings: &Settings, host: &'static str, origin: Option<&'static str>) -> Result<(), &'static str> {
        check(settings, &headers(host, origin), &Uri::from_static("/api/v1/incidents")).map_err(|e| e.code())
    }

    #[test]
    fn the_open_default_serves_only_its_own_host_names() {
        let settings = Settings::default();
        assert_eq!(verdict(&settings, "127.0.0.1:3000", None), Ok(()));
        assert_eq!(verdict(&settings, "localhost:3000", None), Ok(()));
        assert_eq!(verdict(&settings, "rebind.attacker.test:3000", None), Err("forbidden_host"));
        assert_eq!(verdict(&settings, "evil.example", None), Err("forbidden_host"));
        let public = Settings { public_url: "https://sima.example.com".into(), ..Settings::default() };
        assert_eq!(verdict(&public, "sima.example.com", None), Ok(()));
        assert_eq!(verdict(&public, "sima.example.com:443", None), Ok(()));
    }

    #[test]
    fn with_a_token_any_host_is_served_but_origins_still_count() {
        let settings =
            Settings { api_token: Some(crate::settings::Secret::new("0123456789abcdef0123")), ..Settings::default() };
        assert_eq!(verdict(&settings, "sima.internal:3000", None), Ok(()));
        assert_eq!(verdict(&settings, "sima.internal:3000", Some("http://sima.internal:3000")), Ok(()));
        assert_eq!(verdict(&settings, "sima.internal:3000", Some("https://evil.example")), Err("forbidden_origin"));
    }

    #[test]
    fn foreign_and_null_origins_are_refused() {
        let settings = Settings::default();
        assert_eq!(verdict(&settings, "127.0.0.1:3000", Some("http://127.0.0.1:3000")), Ok(()));
        assert_eq!(verdict(&settings, "localhost:3000", Some("http://127.0.0.1:3000")), Ok(()), "the public URL");
        assert_eq!(verdict(&settings, "127.0.0.1:3000", Some("https://evil.example")), Err("forbidden_origin"));
        assert_eq!(verdict(&settings, "127.0.0.1:3000", Some("null")), Err("forbidden_origin"));
        assert_eq!(verdict(&settings, "127.0.0.1:3000", Some("http://127.0.0.1:4000")), Err("forbidden_origin"));
    }
}
