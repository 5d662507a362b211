//! What SIMA writes into Jira: the one-line summary, the JQL that finds an
//! item's issue, and the description in Atlassian Document Format (ADF).
//!
//! User text (the item's title, the incident's summary, the owner's name)
//! only ever goes into ADF `text` nodes, which Jira shows as written: no
//! wiki markup, Markdown or HTML in them is interpreted.

use reqwest::Url;
use serde_json::{json, Value};
use sima_core::ports::TicketDraft;

/// Jira's limit on an issue summary, in characters.
pub(crate) const MAX_SUMMARY_CHARS: usize = 255;

/// The longest piece of user text put in the description (Jira caps a
/// description at 32 767 characters).
const MAX_TEXT_CHARS: usize = 2000;

/// The item's title as one line of at most [`MAX_SUMMARY_CHARS`]
/// characters (Jira refuses a summary with a line break or longer); a blank
/// title becomes `Action item INC-7-2`.
pub(crate) fn summary_line(draft: &TicketDraft) -> String {
    let line = one_line(&draft.title, MAX_SUMMARY_CHARS);
    if line.is_empty() {
        format!("Action item {}", draft.key)
    } else {
        line
    }
}

/// `text` with control characters (line breaks included) turned into
/// spaces, runs of whitespace collapsed, trimmed, and cut at `max` characters.
fn one_line(text: &str, max: usize) -> String {
    let spaced: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let words: Vec<&str> = spaced.split_whitespace().collect();
    words.join(" ").chars().take(max).collect()
}

/// The JQL that finds the issues labelled `label` in `project`, oldest
/// first (the one a retried create would have made first).
pub(crate) fn jql_for_label(project: &str, label: &str) -> String {
    format!("project = {} AND labels = {} ORDER BY created ASC", jql_string(project), jql_string(label))
}

/// `text` as a quoted JQL string.
fn jql_string(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\"")
}

/// The issue's description: the incident (linked when its link is an
/// `http(s)` URL), its summary, the owner when Jira has no user with their
/// e-mail, and how the issue is tied to the action item.
pub(crate) fn description(draft: &TicketDraft, unassigned_owner: Option<&str>) -> Value {
    let incident = draft.key.incident().to_string();
    let incident_node = match draft.incident_url.as_deref().and_then(web_link) {
        Some(href) => {
            json!({ "type": "text", "text": incident, "marks": [{ "type": "link", "attrs": { "href": href } }] })
        }
        None => text(&incident),
    };
    let mut content = vec![paragraph(vec![text(&format!("Action item {} of incident ", draft.key)), incident_node])];
    let summary = one_line(&draft.incident_summary, MAX_TEXT_CHARS);
    if !summary.is_empty() {
        content.push(paragraph(vec![strong("Incident: "), text(&summary)]));
    }
    if let Some(owner) = unassigned_owner.map(|owner| one_line(owner, MAX_TEXT_CHARS)).filter(|o| !o.is_empty()) {
        content.push(paragraph(vec![strong("Owner: "), text(&owner), text(" (no Jira user has their e-mail)")]));
    }
    content.push(paragraph(vec![text(&format!(
        "Tracked by SIMA through the label {}; keep the label so its status reaches the incident.",
        draft.key.label()
    ))]));
    json!({ "type": "doc", "version": 1, "content": content })
}

/// `url` if it is an absolute `http`/`https` URL (ADF refuses other link targets).
fn web_link(url: &str) -> Option<String> {
    let parsed = Url::parse(url.trim()).ok()?;
    matches!(parsed.scheme(), "http" | "https").then(|| parsed.to_string())
}

fn paragraph(content: Vec<Value>) -> Value {
    json!({ "type": "paragraph", "content": content })
}

/// A text node; ADF refuses empty ones, so callers pass non-empty text.
fn text(text: &str) -> Value {
    json!({ "type": "text", "text": text })
}

fn strong(label: &str) -> Value {
    json!({ "type": "text", "text": label, "marks": [{ "type": "strong" }] })
}

#[cfg(test)]
mod tests {
    use sima_core::domain::FollowUpKey;

    use super::*;

    fn draft() -> TicketDraft {
        TicketDraft {
            key: FollowUpKey::new("INC-7".parse().unwrap(), 2),
            title: "Add <script>alert(1)</script> *retry* to [mailer|http://x]".into(),
            incident_summary: "Emails\nlate & queued".into(),
            incident_url: Some("https://acme.slack.com/archives/C1".into()),
            owner_email: None,
            owner_name: Some("Ada".into()),
            due: None,
        }
    }

    #[test]
    fn the_summary_is_one_bounded_line() {
        let mut draft = draft();
        draft.title = format!("first\r\nsecond\t{}", "é".repeat(400));
        let line = summary_line(&draft);
        assert!(line.starts_with("first second éé"), "{line}");
        assert_eq!(line.chars().count(), MAX_SUMMARY_CHARS);
        draft.title = " \n ".into();
        assert_eq!(summary_line(&draft), "Action item INC-7-2");
    }

    #[test]
    fn jql_quotes_its_values() {
        assert_eq!(
            jql_for_label("OPS", "sima-inc-7-2"),
            r#"project = "OPS" AND labels = "sima-inc-7-2" ORDER BY created ASC"#
        );
        assert_eq!(jql_string(r#"a"b\c"#), r#""a\"b\\c""#);
    }

    #[test]
    fn user_text_stays_in_text_nodes() {
        let doc = description(&draft(), Some("Ada <b>L</b>"));
        let texts: Vec<&str> = doc["content"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["content"].as_array().unwrap())
            .map(|node| {
                assert_eq!(node["type"], "text");
                node["text"].as_str().unwrap()
            })
            .collect();
        assert!(texts.contains(&"Emails late & queued"), "{texts:?}");
        assert!(texts.contains(&"Ada <b>L</b>"), "{texts:?}");
        assert_eq!(doc["content"][0]["content"][1]["marks"][0]["attrs"]["href"], "https://acme.slack.com/archives/C1");
    }

    #[test]
    fn only_web_links_are_linked() {
        let mut draft = draft();
        draft.incident_url = Some("javascript:alert(1)".into());
        let doc = description(&draft, None);
        assert_eq!(doc["content"][0]["content"][1], json!({ "type": "text", "text": "INC-7" }));
        assert_eq!(doc["content"].as_array().unwrap().len(), 3, "no owner paragraph");
    }
}
