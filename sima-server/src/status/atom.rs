//! `GET /status/feed.atom`: every public update of the page as an Atom 1.0
//! (RFC 4287) entry, newest first, for feed readers and chat subscriptions.

use std::fmt::Write as _;

use chrono::{DateTime, SecondsFormat, Utc};

use super::model::PublicPage;
use super::strings::{Key, Strings};
use super::summary::PageInfo;

/// The most entries a feed carries.
const MAX_ENTRIES: usize = 100;

/// `text` with the five XML special characters escaped, and the characters
/// XML 1.0 cannot carry at all (most control characters) dropped.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The host of the page's URL (`status.acme.example`), the authority of its `tag:` ids.
fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = host.rsplit_once('@').map_or(host, |(_, host)| host);
    if host.starts_with('[') {
        return host.split_once(']').map_or(host, |(v6, _)| v6).trim_start_matches('[');
    }
    host.split(':').next().unwrap_or(host)
}

/// The feed of `page`.
pub(crate) fn render(page: &PublicPage, info: &PageInfo, strings: &Strings) -> String {
    let base = &info.url;
    let host = authority(base);
    let mut entries: Vec<_> = page
        .incidents
        .iter()
        .flat_map(|incident| incident.updates.iter().map(move |update| (incident, update)))
        .collect();
    entries.sort_by(|a, b| b.1.at.cmp(&a.1.at).then_with(|| a.1.id.cmp(&b.1.id)));
    entries.truncate(MAX_ENTRIES);
    let mut xml = String::with_capacity(1024 + entries.len() * 512);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = write!(
        xml,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{lang}\">\n  <id>{id}</id>\n  <title>{title}</title>\n  \
         <updated>{updated}</updated>\n  <link rel=\"self\" type=\"application/atom+xml\" href=\"{self_link}\"/>\n  \
         <link rel=\"alternate\" type=\"text/html\" href=\"{page_link}\"/>\n  <author><name>{title}</name></author>\n",
        lang = strings.language().tag(),
        id = escape(&format!("{base}/status")),
        title = escape(&info.title),
        updated = time(page.updated_at),
        self_link = escape(&format!("{base}/status/feed.atom")),
        page_link = escape(&format!("{base}/status")),
    );
    for (incident, update) in entries {
        let _ = write!(
            xml,
            "  <entry>\n    <id>tag:{host},{date}:status/{incident}/{update_id}</id>\n    <title>{title}</title>\n    \
             <updated>{at}</updated>\n    <published>{at}</published>\n    \
             <link rel=\"alternate\" type=\"text/html\" href=\"{link}\"/>\n    \
             <category term=\"{status}\"/>\n    <content type=\"text\">{message}</content>\n  </entry>\n",
            host = escape(host),
            date = update.at.format("%Y-%m-%d"),
            incident = incident.id,
            update_id = update.id,
            title = escape(&format!("{}: {}", strings.get(Key::public(update.status)), update.title)),
            at = time(update.at),
            link = escape(&info.incident_url(&incident.id)),
            status = update.status.as_str(),
            message = escape(&update.message),
        );
    }
    xml.push_str("</feed>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_and_forbidden_characters_are_escaped_or_dropped() {
        assert_eq!(escape("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
        assert_eq!(escape("a\u{0}b\u{1b}c\nd"), "abc\nd");
    }

    #[test]
    fn the_authority_is_the_host_alone() {
        assert_eq!(authority("https://status.acme.example:8443/x"), "status.acme.example");
        assert_eq!(authority("http://127.0.0.1:3000"), "127.0.0.1");
        assert_eq!(authority("http://[::1]:3000"), "::1");
    }
}
