//! An example of a custom adapter: post-mortems as Confluence pages instead
//! of Notion pages. Implement one port, render the neutral model, map the
//! platform's errors to `PortError`; the core never changes.
//!
//! # Layout
//! - [`ConfluenceDocs`]: `impl DocsPort` over Confluence Cloud's REST API v2.
//! - [`storage_format`]: the neutral `Document` as Confluence storage format (XHTML).

use std::time::Duration;

use async_trait::async_trait;
use serde_json::{json, Value};
use sima_core::domain::DocRef;
use sima_core::model::{emoji_char, DocBlock, Document, Inline, RichText};
use sima_core::ports::{DocsPort, PortError};

/// Writes post-mortems into one Confluence space.
#[derive(Debug, Clone)]
pub struct ConfluenceDocs {
    http: reqwest::Client,
    base_url: String,
    space_id: String,
    auth: String,
}

impl ConfluenceDocs {
    /// `base_url` is the site (`https://acme.atlassian.net`); `auth` the
    /// `Authorization` header value (`Basic …` or `Bearer …`).
    pub fn new(base_url: impl Into<String>, space_id: impl Into<String>, auth: impl Into<String>) -> Self {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap_or_default();
        Self { http, base_url: base_url.into(), space_id: space_id.into(), auth: auth.into() }
    }
}

/// `text` escaped for XML: text and attribute values alike.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// Rich text as XHTML: user text escaped, `<strong>`, `<em>`, `<code>`,
/// `<a href>` for links and rooms, people as `@id` (Confluence mentions need
/// Atlassian account ids, which SIMA does not know), emoji as characters.
pub fn rich_xhtml(text: &RichText) -> String {
    text.inlines()
        .iter()
        .map(|inline| match inline {
            Inline::Plain(t) => escape(t),
            Inline::Bold(t) => format!("<strong>{}</strong>", escape(t)),
            Inline::Italic(t) => format!("<em>{}</em>", escape(t)),
            Inline::Code(t) => format!("<code>{}</code>", escape(t)),
            Inline::Link { url, .. } | Inline::Room(sima_core::domain::Room { url, .. })
                if url.starts_with("https://") || url.starts_with("http://") =>
            {
                format!("<a href=\"{}\">{}</a>", escape(url), escape(&inline.plain_text()))
            }
            Inline::Emoji(name) => emoji_char(name).unwrap_or_default().to_owned(),
            other => escape(&other.plain_text()),
        })
        .collect()
}

/// The document body in Confluence storage format.
pub fn storage_format(document: &Document) -> String {
    let mut out = String::new();
    for block in &document.blocks {
        match block {
            DocBlock::Heading { level, text } => {
                let level = (*level).clamp(1, 6);
                out.push_str(&format!("<h{level}>{}</h{level}>", escape(text)));
            }
            DocBlock::Paragraph { text } => out.push_str(&format!("<p>{}</p>", rich_xhtml(text))),
            DocBlock::Bullets { items } => {
                let items: String = items.iter().map(|i| format!("<li>{}</li>", rich_xhtml(i))).collect();
                out.push_str(&format!("<ul>{items}</ul>"));
            }
            DocBlock::Todos { items } => {
                let tasks: String = items
                    .iter()
                    .map(|t| {
                        let status = if t.done { "complete" } else { "incomplete" };
                        format!("<ac:task><ac:task-status>{status}</ac:task-status><ac:task-body>{}</ac:task-body></ac:task>", rich_xhtml(&t.text))
                    })
                    .collect();
                out.push_str(&format!("<ac:task-list>{tasks}</ac:task-list>"));
            }
            DocBlock::Table { header, rows } => {
                let head: String = header.iter().map(|h| format!("<th>{}</th>", escape(h))).collect();
                let body: String = rows
                    .iter()
                    .map(|r| {
                        format!(
                            "<tr>{}</tr>",
                            r.iter().map(|c| format!("<td>{}</td>", rich_xhtml(c))).collect::<String>()
                        )
                    })
                    .collect();
                out.push_str(&format!("<table><tbody><tr>{head}</tr>{body}</tbody></table>"));
            }
        }
    }
    out
}

fn port_error(status: reqwest::StatusCode, body: &str) -> PortError {
    match status.as_u16() {
        401 | 403 => PortError::Unauthorized(body.to_owned()),
        404 => PortError::NotFound(body.to_owned()),
        409 => PortError::Conflict(body.to_owned()),
        429 => PortError::RateLimited { retry_after: None },
        400..=499 => PortError::Invalid(body.to_owned()),
        _ => PortError::Transient(format!("{status}: {body}")),
    }
}

#[async_trait]
impl DocsPort for ConfluenceDocs {
    async fn create_postmortem(&self, document: &Document) -> Result<DocRef, PortError> {
        let body = json!({
            "spaceId": self.space_id,
            "status": "current",
            "title": document.title,
            "body": { "representation": "storage", "value": storage_format(document) },
        });
        let response = self
            .http
            .post(format!("{}/wiki/api/v2/pages", self.base_url.trim_end_matches('/')))
            .header("Authorization", &self.auth)
            .json(&body)
            .send()
            .await
            .map_err(|e| PortError::Transient(e.to_string()))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| PortError::Transient(e.to_string()))?;
        if !status.is_success() {
            // Confluence refuses a second page with the same title in a space: the
            // post-mortem already exists, which is what a retry wants to know.
            return Err(port_error(status, &text));
        }
        let page: Value = serde_json::from_str(&text).map_err(|e| PortError::Transient(e.to_string()))?;
        let id = page["id"].as_str().unwrap_or_default().to_owned();
        let url = format!(
            "{}/wiki{}",
            self.base_url.trim_end_matches('/'),
            page["_links"]["webui"].as_str().unwrap_or_default()
        );
        Ok(DocRef { id, url })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sima_core::model::{PostmortemProperties, Todo};
    use wiremock::matchers::{body_partial_json, header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn document() -> Document {
        Document {
            title: "Post-mortem INC-7 · Emails <late>".into(),
            properties: PostmortemProperties {
                number: "INC-7".into(),
                severity: "sev2".into(),
                domain: "outbound-email".into(),
                status: "Draft".into(),
                started_at: chrono::Utc::now(),
                resolved_at: None,
                mtta_minutes: None,
                mttr_minutes: None,
                incident_manager: None,
                room_url: None,
            },
            blocks: vec![
                DocBlock::Heading { level: 2, text: "Summary".into() },
                DocBlock::Paragraph {
                    text: RichText::new()
                        .bold("Cause")
                        .plain(": <script>alert(1)</script> & \"quotes\"")
                        .link("https://example.com/?a=1&b=\"2\"", "runbook"),
                },
                DocBlock::Todos { items: vec![Todo { text: "Renew certs".into(), done: false }] },
            ],
        }
    }

    #[test]
    fn renders_storage_format_escaped() {
        let xhtml = storage_format(&document());
        assert!(xhtml.starts_with("<h2>Summary</h2>"));
        assert!(xhtml.contains(
            "<p><strong>Cause</strong>: &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;\
             <a href=\"https://example.com/?a=1&amp;b=&quot;2&quot;\">runbook</a></p>"
        ));
        assert!(xhtml.contains("<ac:task-status>incomplete</ac:task-status><ac:task-body>Renew certs</ac:task-body>"));
    }

    #[tokio::test]
    async fn creates_the_page_and_maps_errors() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/wiki/api/v2/pages"))
            .and(header("Authorization", "Bearer t"))
            .and(body_partial_json(json!({"spaceId": "42", "body": {"representation": "storage"}})))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"id": "9", "_links": {"webui": "/spaces/X/pages/9"}})),
            )
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("POST")).respond_with(ResponseTemplate::new(401)).mount(&server).await;
        let docs = ConfluenceDocs::new(server.uri(), "42", "Bearer t");
        let doc = docs.create_postmortem(&document()).await.unwrap();
        assert_eq!(doc.url, format!("{}/wiki/spaces/X/pages/9", server.uri()));
        assert!(matches!(docs.create_postmortem(&document()).await, Err(PortError::Unauthorized(_))));
    }
}
