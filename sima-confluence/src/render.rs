//! The neutral `Document` as Confluence storage format (XHTML).

use sima_core::model::{emoji_char, DocBlock, Document, Inline, RichText};

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

#[cfg(test)]
mod tests {
    use super::*;
    use sima_core::model::{PostmortemProperties, Todo};

    fn document() -> Document {
        Document {
            title: "Post-mortem INC-7".into(),
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
            private: false,
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
}
