//! Slack's escaped message text back to what the person typed.
//!
//! Slack sends `&`, `<` and `>` as entities and wraps mentions, rooms and
//! links in `<…>`. The core reads plain text: a person as `@U…`, a room as
//! `#name`, a link as its URL, everything else as typed.

/// `text` as the person typed it: `<@U1|bob>` becomes `@U1`, `<#C1|ops>`
/// becomes `#ops`, `<!here>` becomes `@here`, `<https://x|label>` becomes
/// `https://x`, and `&amp;`, `&lt;`, `&gt;` become `&`, `<`, `>`.
pub(crate) fn typed_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&decode(&rest[..open]));
        let Some(close) = rest[open..].find('>') else {
            out.push_str(&decode(&rest[open..]));
            return out;
        };
        out.push_str(&token(&rest[open + 1..open + close]));
        rest = &rest[open + close + 1..];
    }
    out.push_str(&decode(rest));
    out
}

fn token(inner: &str) -> String {
    let (target, label) = inner.split_once('|').map_or((inner, None), |(t, l)| (t, Some(l)));
    if let Some(user) = target.strip_prefix('@') {
        return format!("@{user}");
    }
    if let Some(room) = target.strip_prefix('#') {
        return format!("#{}", label.unwrap_or(room));
    }
    if let Some(special) = target.strip_prefix('!') {
        return match label {
            Some(label) => decode(label),
            None => format!("@{}", special.split('^').next().unwrap_or(special)),
        };
    }
    decode(target)
}

fn decode(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_markup_becomes_typed_text() {
        assert_eq!(typed_text("manager <@U024BE7LH|bob>"), "manager @U024BE7LH");
        assert_eq!(
            typed_text("note <!channel> saw &lt;b&gt; &amp;amp; in <#C1|ops>"),
            "note @channel saw <b> &amp; in #ops"
        );
        assert_eq!(
            typed_text("note see <https://x.test/?a=1&amp;b=2|docs> and <mailto:a@b.c>"),
            "note see https://x.test/?a=1&b=2 and mailto:a@b.c"
        );
        assert_eq!(typed_text("note a < b"), "note a < b");
        assert_eq!(typed_text("status monitoring queue drained"), "status monitoring queue drained");
    }
}
