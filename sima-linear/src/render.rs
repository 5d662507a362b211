//! A [`TicketDraft`] as a Linear issue: a one-line title and a Markdown
//! description in which user text cannot make links or markup.

use sima_core::escape_markdown;
use sima_core::ports::TicketDraft;

/// Escapes `text` for Linear's Markdown: every character CommonMark gives a
/// meaning (`escape_markdown`), and also `:`, `@` and `.`, which Linear's
/// editor turns into links (`https://…`, `someone@example.com`,
/// `example.com`); a backslash before any of them shows the character alone.
pub fn escape_text(text: &str) -> String {
    let escaped = escape_markdown(text);
    let mut out = String::with_capacity(escaped.len() + 8);
    let mut chars = escaped.chars();
    while let Some(c) = chars.next() {
        match c {
            // Already an escape pair: keep both.
            '\\' => {
                out.push('\\');
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            ':' | '@' | '.' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// The title: the item's text on one line (Linear shows titles as plain text).
pub fn title(draft: &TicketDraft) -> String {
    let one_line: String = draft.title.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let trimmed = one_line.split_whitespace().collect::<Vec<_>>().join(" ");
    if trimmed.is_empty() {
        format!("Follow-up {}", draft.key)
    } else {
        trimmed
    }
}

/// The description: the incident, a link to it, the owner when Linear has no
/// user for them, and SIMA's key so people see where the issue came from.
/// `owner_unmatched` is true when the owner's e-mail found no Linear user.
pub fn description(draft: &TicketDraft, owner_unmatched: bool) -> String {
    let incident = draft.key.incident();
    let mut out = format!("Follow-up of incident **{incident}**: {}\n", escape_text(&draft.incident_summary));
    if let Some(url) = draft.incident_url.as_deref().filter(|url| is_plain_http_url(url)) {
        out.push_str(&format!("\n[Open incident {incident}](<{url}>)\n"));
    }
    if owner_unmatched {
        let owner = draft.owner_name.as_deref().or(draft.owner_email.as_deref());
        if let Some(owner) = owner.filter(|owner| !owner.trim().is_empty()) {
            out.push_str(&format!("\nOwner: {}\n", escape_text(owner)));
        }
    }
    out.push_str(&format!("\nSIMA action item `{}`\n", draft.key));
    out
}

/// An `http(s)` URL with nothing that could end an angle-bracket link
/// destination (`<`, `>`, whitespace, control characters).
fn is_plain_http_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '\\'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sima_core::domain::FollowUpKey;

    fn draft() -> TicketDraft {
        TicketDraft {
            key: FollowUpKey::new("INC-7".parse().unwrap(), 2),
            title: "Rotate the keys".into(),
            incident_summary: "Emails queued".into(),
            incident_url: Some("https://sima.example/incidents/7".into()),
            owner_email: Some("ana@example.com".into()),
            owner_name: Some("Ana".into()),
            due: None,
        }
    }

    #[test]
    fn user_text_cannot_link_or_mark_up() {
        assert_eq!(escape_text("[x](https://evil.example)"), "\\[x\\](https\\://evil\\.example)");
        assert_eq!(escape_text("mail bob@evil.example"), "mail bob\\@evil\\.example");
        assert_eq!(escape_text("<img src=x> **b** `c`"), "\\<img src=x\\> \\*\\*b\\*\\* \\`c\\`");
        assert_eq!(escape_text("1. first"), "1\\. first");
        assert_eq!(escape_text("a \\ b"), "a \\\\ b");
        assert_eq!(escape_text("# title\n- item"), "\\# title\n\\- item");
    }

    #[test]
    fn the_description_escapes_user_text_and_carries_the_key() {
        let mut draft = draft();
        draft.incident_summary = "Queue [full](https://evil.example)".into();
        let text = description(&draft, false);
        assert_eq!(
            text,
            "Follow-up of incident **INC-7**: Queue \\[full\\](https\\://evil\\.example)\n\n\
             [Open incident INC-7](<https://sima.example/incidents/7>)\n\nSIMA action item `INC-7-2`\n"
        );
        draft.owner_name = Some("Ana *the* [boss]".into());
        draft.incident_url = Some("javascript:alert(1)".into());
        let text = description(&draft, true);
        assert!(text.contains("\nOwner: Ana \\*the\\* \\[boss\\]\n"), "{text}");
        assert!(!text.contains("javascript"), "{text}");
        draft.incident_url = Some("https://x.example/a> [y](z)".into());
        assert!(!description(&draft, false).contains("x.example"));
    }

    #[test]
    fn the_title_is_one_line() {
        let mut draft = draft();
        draft.title = "  Rotate\nthe\tkeys ".into();
        assert_eq!(title(&draft), "Rotate the keys");
        draft.title = "\n".into();
        assert_eq!(title(&draft), "Follow-up INC-7-2");
    }
}
