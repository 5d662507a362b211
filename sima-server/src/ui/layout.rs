//! The page shell shared by every dashboard page, and its style sheet.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use maud::{html, Markup, DOCTYPE};

use crate::error::ApiError;

/// The one style sheet, compiled into the binary.
const STYLE: &str = include_str!("style.css");

/// `GET /ui/style.css`.
pub(crate) async fn style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")], STYLE)
}

/// A whole page: `title` in the tab and as heading, `body` under the navigation.
pub(crate) fn page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · SIMA" }
                link rel="stylesheet" href="/ui/style.css";
            }
            body {
                header.top {
                    a.brand href="/ui/" { "SIMA" }
                    nav {
                        a href="/ui/" { "Incidents" }
                        a href="/ui/metrics" { "Metrics" }
                        a href="/ui/follow-ups" { "Follow-ups" }
                    }
                }
                main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// Whether a stored URL may become a link: `http://` or `https://` (any
/// case), with no space or control character a browser would drop or read
/// as something else.
fn is_web_url(url: &str) -> bool {
    let scheme = |prefix: &str| url.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix));
    (scheme("http://") || scheme("https://")) && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// `text` as a link to a stored `url`, of CSS class `class`; when the URL is
/// not a web address (`javascript:`, `data:`, `log://`…) the text and the
/// address are shown as plain text instead.
pub(crate) fn external_link(class: &str, url: &str, text: Markup) -> Markup {
    html! {
        @if is_web_url(url) {
            a class=(class) href=(url) { (text) }
        } @else {
            span class=(class) { (text) " (" span.address { (url) } ")" }
        }
    }
}

/// A time as the dashboard shows it: `2026-03-01 14:05 UTC`.
pub(crate) fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A time or a dash.
pub(crate) fn maybe_when(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(|| "—".to_owned(), when)
}

/// An error shown as a page, with the status of the API error behind it.
#[derive(Debug)]
pub(crate) struct PageError(pub(crate) ApiError);

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> Self {
        Self(error)
    }
}

impl From<sima_core::ServiceError> for PageError {
    fn from(error: sima_core::ServiceError) -> Self {
        Self(error.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let message = if status.is_server_error() {
            "The server could not answer; the cause is in its log.".to_owned()
        } else {
            self.0.message().to_owned()
        };
        let title = match status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::BAD_REQUEST => "Check the address",
            s if s.is_server_error() => "Something went wrong",
            _ => "Refused",
        };
        if status.is_server_error() {
            // Logged with its cause by the API error.
            drop(self.0.into_response());
        }
        (status, page(title, html! { p.error { (message) } p { a href="/ui/" { "Back to the incidents" } } }))
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_addresses_become_links() {
        for url in [
            "https://slack.com/app_redirect?channel=C1",
            "http://127.0.0.1:3000/postmortems/INC-1.md",
            "HTTPS://X.example/",
        ] {
            let html = external_link("room", url, html! { "Room" }).into_string();
            assert!(html.starts_with(r#"<a class="room" href=""#), "{url}: {html}");
        }
        for url in [
            "javascript:alert(document.cookie)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "https://x.example/\njavascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "log://rooms/LOG-C1",
            "file:///etc/passwd",
            "//evil.example/",
            "/ui/",
            "https:evil.example",
            "",
        ] {
            let html = external_link("postmortem", url, html! { "Post-mortem" }).into_string();
            assert!(!html.contains("<a") && !html.contains("href"), "{url:?}: {html}");
            assert!(html.starts_with(r#"<span class="postmortem">Post-mortem ("#), "{url:?}: {html}");
            assert!(!html.contains("<script>"), "the address is escaped: {html}");
        }
    }
}
