//! Rich text as Slack text: mrkdwn (escaped, with Slack's own tokens for
//! links, mentions and rooms) or plain text, and cuts that respect Slack's
//! limits. Each piece is written into one growing string.

use std::fmt::Write as _;

use sima_core::model::{Inline, RichText};

/// Cuts `text` to at most `max` characters, ending with `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    cut(text.to_owned(), max)
}

/// Cuts rendered mrkdwn to at most `max` characters without leaving half an
/// entity (`&lt;`) or half a `<…>` token, which Slack would show raw.
pub fn truncate_mrkdwn(text: &str, max: usize) -> String {
    cut_mrkdwn(text.to_owned(), max)
}

/// Whether `text` has at most `max` characters (its length in bytes bounds
/// the count, so short text is not counted).
fn fits(text: &str, max: usize) -> bool {
    text.len() <= max || text.chars().count() <= max
}

/// [`truncate`] of an owned string, which is kept as it is when it fits.
pub(super) fn cut(mut text: String, max: usize) -> String {
    if fits(&text, max) {
        return text;
    }
    let end = text.char_indices().nth(max.saturating_sub(1)).map_or(text.len(), |(at, _)| at);
    text.truncate(end);
    text.push('…');
    text
}

/// [`truncate_mrkdwn`] of an owned string, which is kept as it is when it fits.
pub(super) fn cut_mrkdwn(text: String, max: usize) -> String {
    if fits(&text, max) {
        return text;
    }
    let mut cut = cut(text, max);
    cut.pop();
    if let Some(open) = cut.rfind('<').filter(|&open| !cut[open..].contains('>')) {
        cut.truncate(open);
    }
    if let Some(amp) = cut.rfind('&').filter(|&amp| !cut[amp..].contains(';')) {
        cut.truncate(amp);
    }
    cut.push('…');
    cut
}

/// `text` escaped for mrkdwn: `&`, `<` and `>` become entities, the only
/// characters Slack decodes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// Writes `text` escaped for mrkdwn (see [`escape`]) onto `out`.
fn escape_into(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(at) = rest.find(['&', '<', '>']) {
        out.push_str(&rest[..at]);
        out.push_str(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            _ => "&gt;",
        });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
}

/// Whether `id` looks like a Slack id (`U024BE7LH`, `C0ABC`).
pub(super) fn slack_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric())
}

fn emoji_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
}

/// Writes `*…*` or `_…_` around the text onto `out`, with surrounding
/// spaces kept outside the marks (Slack ignores marks next to a space).
pub(super) fn emphasis_into(out: &mut String, mark: char, text: &str) {
    let core = text.trim();
    if core.is_empty() {
        return escape_into(out, text);
    }
    let start = text.len() - text.trim_start().len();
    let end = start + core.len();
    out.push_str(&text[..start]);
    out.push(mark);
    escape_into(out, core);
    out.push(mark);
    out.push_str(&text[end..]);
}

/// Writes the link `<url|text>` (`<url>` without text) onto `out`.
fn link_into(out: &mut String, url: &str, text: &str) {
    out.push('<');
    escape_into(out, &url.replace('|', "%7C"));
    if !text.is_empty() {
        out.push('|');
        escape_into(out, text);
    }
    out.push('>');
}

/// Rich text as mrkdwn: text escaped, `*bold*`, `_italic_`, `` `code` ``,
/// `<url|text>` links, `<@U…>` mentions, rooms as `<url|#name>` links (the
/// room's own link, as the room's members see it; `<#C…>` without one) and
/// `:emoji:` codes.
pub fn to_mrkdwn(text: &RichText) -> String {
    let mut out = String::new();
    mrkdwn_into(&mut out, text);
    out
}

/// Writes `text` as mrkdwn (see [`to_mrkdwn`]) onto `out`.
pub(super) fn mrkdwn_into(out: &mut String, text: &RichText) {
    for inline in text.inlines() {
        match inline {
            Inline::Plain(t) => escape_into(out, t),
            Inline::Bold(t) => emphasis_into(out, '*', t),
            Inline::Italic(t) => emphasis_into(out, '_', t),
            Inline::Code(t) if t.trim().is_empty() => escape_into(out, t),
            Inline::Code(t) => {
                out.push('`');
                escape_into(out, &t.replace('`', "'"));
                out.push('`');
            }
            Inline::Link { url, text } => link_into(out, url, text),
            Inline::Mention(user) if slack_id(user.as_str()) => {
                let _ = write!(out, "<@{user}>");
            }
            Inline::Mention(user) => {
                out.push('@');
                escape_into(out, user.as_str());
            }
            Inline::Room(room) if room.url.is_empty() && slack_id(room.id.as_str()) => {
                let _ = write!(out, "<#{}>", room.id);
            }
            Inline::Room(room) => link_into(out, &room.url, &format!("#{}", room.name)),
            Inline::Emoji(name) if emoji_name(name) => {
                let _ = write!(out, ":{name}:");
            }
            Inline::Emoji(_) => {}
        }
    }
}

/// Rich text for a `plain_text` object, which Slack shows as is: formatting
/// dropped, emoji as `:name:` (rendered because `emoji` is on), people and
/// rooms by name.
pub fn to_plain(text: &RichText) -> String {
    let mut out = String::new();
    for inline in text.inlines() {
        match inline {
            Inline::Emoji(name) if emoji_name(name) => {
                let _ = write!(out, ":{name}:");
            }
            other => out.push_str(&other.plain_text()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_replaces_only_the_three_characters_slack_decodes() {
        assert_eq!(escape("a & b <c> d"), "a &amp; b &lt;c&gt; d");
        assert_eq!(escape("héllo"), "héllo");
        assert_eq!(escape("<<&>>"), "&lt;&lt;&amp;&gt;&gt;");
    }

    #[test]
    fn an_owned_cut_keeps_short_text_and_marks_a_cut() {
        assert_eq!(cut("héllo".into(), 5), "héllo");
        assert_eq!(cut("héllo world".into(), 5), "héll…");
        assert_eq!(cut_mrkdwn("abc &lt;def".into(), 7), "abc …");
    }
}
