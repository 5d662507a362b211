//! Markdown rendering of a document.

use std::fmt::Write;

use crate::domain::format_time;
use crate::model::{emoji_char, DocBlock, Document, Inline, RichText};

/// `text` with Markdown's metacharacters escaped, so it shows as written:
/// emphasis, links, HTML, tables and entities everywhere, and headings,
/// lists and quotes at the start of a line.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let body = line.trim_start();
        out.push_str(&line[..line.len() - body.len()]);
        let digits = body.chars().take_while(char::is_ascii_digit).count();
        let starts_block =
            body.starts_with(['-', '+', '=', '>', '#']) || (digits > 0 && body[digits..].starts_with(['.', ')']));
        let marker = starts_block.then_some(digits);
        for (i, c) in body.char_indices() {
            if marker == Some(i)
                || matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' | '&' | '!')
            {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// Rich text as Markdown: user text escaped, bold `**…**`, italic `_…_`,
/// code in backticks, links `[text](url)`, people as `@name`, rooms linked.
pub(crate) fn rich_to_markdown(text: &RichText) -> String {
    text.inlines().iter().map(inline).collect()
}

fn inline(node: &Inline) -> String {
    let wrap = |mark: &str, t: &str| {
        let core = t.trim();
        if core.is_empty() {
            return escape_markdown(t);
        }
        let start = t.len() - t.trim_start().len();
        format!("{}{mark}{}{mark}{}", &t[..start], escape_markdown(core), &t[start + core.len()..])
    };
    match node {
        Inline::Plain(t) => escape_markdown(t),
        Inline::Bold(t) => wrap("**", t),
        Inline::Italic(t) => wrap("_", t),
        Inline::Code(t) => {
            let t = t.replace('\n', " ");
            if t.contains('`') {
                format!("`` {t} ``")
            } else {
                format!("`{t}`")
            }
        }
        Inline::Link { url, text } => link(url, if text.is_empty() { url } else { text }),
        Inline::Mention(user) => escape_markdown(&format!("@{user}")),
        Inline::Room(room) => link(&room.url, &format!("#{}", room.name)),
        Inline::Emoji(name) => emoji_char(name).unwrap_or_default().to_owned(),
    }
}

fn link(url: &str, text: &str) -> String {
    let url: String = url
        .chars()
        .map(|c| match c {
            ' ' => "%20".to_owned(),
            '(' => "%28".to_owned(),
            ')' => "%29".to_owned(),
            '<' => "%3C".to_owned(),
            '>' => "%3E".to_owned(),
            c => c.to_string(),
        })
        .collect();
    format!("[{}]({url})", escape_markdown(text))
}

fn cell(text: &str) -> String {
    escape_markdown(&text.replace('\n', " "))
}

fn rich_cell(text: &RichText) -> String {
    rich_to_markdown(text).replace('\n', " ")
}

/// The document as Markdown: a title, a facts list, then the blocks.
pub fn to_markdown(document: &Document) -> String {
    let p = &document.properties;
    let mut out = format!("# {}\n\n", escape_markdown(&document.title));
    let facts = [
        ("Incident", Some(p.number.clone())),
        ("Severity", Some(p.severity.clone())),
        ("Domain", Some(p.domain.clone())),
        ("Status", Some(p.status.clone())),
        ("Started", Some(format_time(p.started_at))),
        ("Resolved", p.resolved_at.map(format_time)),
        ("MTTA (min)", p.mtta_minutes.map(|m| m.to_string())),
        ("MTTR (min)", p.mttr_minutes.map(|m| m.to_string())),
        ("Incident Manager", p.incident_manager.clone()),
        ("Channel", p.room_url.clone()),
    ];
    for (label, value) in facts {
        if let Some(value) = value {
            let _ = writeln!(out, "- **{label}:** {}", escape_markdown(&value));
        }
    }
    for block in &document.blocks {
        out.push('\n');
        match block {
            DocBlock::Heading { level, text } => {
                let level = "#".repeat(usize::from((*level).clamp(1, 5)) + 1);
                let _ = writeln!(out, "{level} {}", escape_markdown(text));
            }
            DocBlock::Paragraph { text } => {
                let _ = writeln!(out, "{}", rich_to_markdown(text));
            }
            DocBlock::Bullets { items } => items.iter().for_each(|i| {
                let _ = writeln!(out, "- {}", rich_to_markdown(i).replace('\n', "\n  "));
            }),
            DocBlock::Todos { items } => items.iter().for_each(|t| {
                let _ = writeln!(
                    out,
                    "- [{}] {}",
                    if t.done { "x" } else { " " },
                    rich_to_markdown(&t.text).replace('\n', "\n  ")
                );
            }),
            DocBlock::Table { header, rows } => {
                let _ = writeln!(out, "| {} |", header.iter().map(|h| cell(h)).collect::<Vec<_>>().join(" | "));
                let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
                for row in rows {
                    let _ = writeln!(out, "| {} |", row.iter().map(rich_cell).collect::<Vec<_>>().join(" | "));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Room, RoomId, UserRef};

    #[test]
    fn typed_text_shows_as_written() {
        assert_eq!(
            escape_markdown("*bold* _it_ [x](https://evil) <b>&amp; a|b `c` ~d~ #1!"),
            r"\*bold\* \_it\_ \[x\](https://evil) \<b\>\&amp; a\|b \`c\` \~d\~ \#1\!"
        );
        assert_eq!(
            escape_markdown("# title\n- item\n  + more\n12. step\n> quote"),
            "\\# title\n\\- item\n  \\+ more\n12\\. step\n\\> quote"
        );
        assert_eq!(escape_markdown("INC-42 at 10.5 - fine"), "INC-42 at 10.5 - fine", "only line starts are blocks");
    }

    #[test]
    fn nodes_become_markdown() {
        let room = Room { id: RoomId::new("C1"), name: "incident_x".into(), url: "https://chat.test/C 1".into() };
        let text = RichText::new()
            .emoji("memo")
            .bold("Root cause")
            .plain(": a *b*")
            .code("x`y")
            .italic(" none ")
            .link("https://docs.test/a(1)", "the [doc]")
            .mention(&UserRef::parse("U1").unwrap())
            .room(&room);
        assert_eq!(
            rich_to_markdown(&text),
            r"📝 **Root cause**: a \*b\*`` x`y `` _none_ [the \[doc\]](https://docs.test/a%281%29)@U1[\#incident\_x](https://chat.test/C%201)"
        );
    }
}
