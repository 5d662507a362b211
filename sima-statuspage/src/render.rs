//! User text as Statuspage should show it: literally.
//!
//! Statuspage renders an incident update's `body` on the page and in its
//! e-mails with Markdown and inline HTML (links, emphasis, `<a>` tags). What
//! SIMA publishes is plain user text, so HTML's `&`, `<`, `>` become entities
//! and Markdown's punctuation is backslash-escaped: `<script>` shows as
//! `<script>`, `[x](url)` does not become a link, `*a*` stays starred.

/// Statuspage's limit on an incident's name, in characters.
pub const NAME_MAX_CHARS: usize = 255;

/// Statuspage's limit on an incident update's body, in characters.
pub const BODY_MAX_CHARS: usize = 25_000;

/// `text` escaped so that Statuspage shows it as written.
pub fn plain_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut line_start = true;
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '~' | '|' => {
                out.push('\\');
                out.push(c);
            }
            // A heading or a numbered/bulleted list only where a line starts.
            '#' | '-' | '+' if line_start => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
        line_start = c == '\n' || (line_start && c.is_whitespace());
    }
    out
}

/// `text` cut to `max` characters, an ellipsis marking the cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    // A cut escape would swallow the ellipsis; drop a dangling backslash or entity start.
    if let Some(amp) = cut.rfind('&').filter(|&at| !cut[at..].contains(';')) {
        cut.truncate(amp);
    }
    let trailing = cut.chars().rev().take_while(|&c| c == '\\').count();
    if trailing % 2 == 1 {
        cut.pop();
    }
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_and_markdown_show_as_written() {
        assert_eq!(plain_text("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
        assert_eq!(plain_text("Tom & Jerry"), "Tom &amp; Jerry");
        assert_eq!(plain_text("[click](https://evil.example)"), "\\[click\\](https://evil.example)");
        assert_eq!(plain_text("*bold* _it_ `code` a\\b"), "\\*bold\\* \\_it\\_ \\`code\\` a\\\\b");
        assert_eq!(plain_text("# not a heading\n- no list\nrate -5 #3"), "\\# not a heading\n\\- no list\nrate -5 #3");
        assert_eq!(plain_text("Emails are delayed."), "Emails are delayed.");
    }

    #[test]
    fn truncation_keeps_within_the_limit_and_never_splits_an_escape() {
        assert_eq!(truncate("short", 10), "short");
        let long = truncate(&"é".repeat(300), NAME_MAX_CHARS);
        assert_eq!(long.chars().count(), NAME_MAX_CHARS);
        assert!(long.ends_with('…'));
        assert_eq!(truncate("abcd&lt;efgh", 7), "abcd…");
        assert_eq!(truncate("abcde\\*fgh", 7), "abcde…");
        assert_eq!(truncate("abcd\\\\fgh", 7), "abcd\\\\…");
    }
}
