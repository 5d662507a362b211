//! Small values that are valid by construction.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::ValidationError;

macro_rules! string_value {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = ValidationError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_value!(
    /// A service domain slug such as `outbound-email`: lowercase letters, digits and
    /// dashes, starting with a letter, at most 40 characters.
    Domain
);
string_value!(
    /// A one-line summary of what is wrong, 1 to 150 characters.
    Summary
);
string_value!(
    /// Free text describing an incident, at most 3000 characters (may be empty).
    Description
);
string_value!(
    /// The key that makes webhook declarations idempotent, 1 to 255 printable characters.
    DedupKey
);
string_value!(
    /// A chat user, as the chat platform names them (`U024BE7LH` on Slack).
    UserRef
);
string_value!(
    /// A chat user group, as the chat platform names it (`S0614TZR7` on Slack).
    UserGroupRef
);
string_value!(
    /// A non-empty piece of text up to 3000 characters: a note, a root cause, an action item.
    Text
);

impl Domain {
    /// Validates a domain slug.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let s = s.trim();
        let ok = !s.is_empty()
            && s.len() <= 40
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !s.ends_with('-');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(ValidationError::Domain(s.to_owned()))
        }
    }
}

impl Summary {
    /// Validates a summary: trimmed, one line, 1 to 150 characters.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let s = s.trim();
        let len = s.chars().count();
        if len == 0 || len > 150 || s.contains('\n') {
            return Err(ValidationError::Summary { length: len });
        }
        refuse_hidden("summary", s, false)?;
        Ok(Self(s.to_owned()))
    }
}

impl Description {
    /// Validates a description: at most 3000 characters.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let s = s.trim();
        let len = s.chars().count();
        if len > 3000 {
            return Err(ValidationError::TooLong { what: "description", max: 3000, length: len });
        }
        refuse_hidden("description", s, true)?;
        Ok(Self(s.to_owned()))
    }

    /// The empty description.
    pub fn empty() -> Self {
        Self(String::new())
    }
}

impl DedupKey {
    /// Validates a deduplication key.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let s = s.trim();
        if s.is_empty() || s.len() > 255 || s.chars().any(char::is_control) {
            return Err(ValidationError::DedupKey);
        }
        Ok(Self(s.to_owned()))
    }
}

impl UserGroupRef {
    /// Validates a chat user group id: a Slack subteam id, `S` then 2 to 63
    /// ASCII capital letters or digits (`S0614TZR7`).
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let s = s.trim();
        let rest = s.strip_prefix('S').unwrap_or_default();
        if rest.len() < 2 || rest.len() > 63 || !rest.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
            return Err(ValidationError::UserGroup(s.to_owned()));
        }
        Ok(Self(s.to_owned()))
    }
}

impl UserRef {
    /// Validates a chat user id: 1 to 64 ASCII letters, digits and `.`, `_`,
    /// `-`, `:` or `@` (Slack's `U024BE7LH`, Teams' `29:1a-b`); no markup,
    /// whitespace or control characters.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let s = s.trim();
        let legal = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':' | '@');
        if s.is_empty() || s.len() > 64 || !s.chars().all(legal) {
            return Err(ValidationError::User(s.to_owned()));
        }
        Ok(Self(s.to_owned()))
    }
}

impl Text {
    /// Validates free text: trimmed, 1 to 3000 characters.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let s = s.trim();
        let len = s.chars().count();
        if len == 0 {
            return Err(ValidationError::Empty("text"));
        }
        if len > 3000 {
            return Err(ValidationError::TooLong { what: "text", max: 3000, length: len });
        }
        refuse_hidden("text", s, true)?;
        Ok(Self(s.to_owned()))
    }
}

/// Whether `c` reorders the text around it when displayed (the Unicode
/// bidirectional embeddings, overrides and isolates, and the Arabic letter mark).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}')
}

/// Refuses control characters (line breaks and tabs too unless `multi_line`)
/// and bidirectional overrides, which hide or disguise text; a NUL byte never
/// reaches a store.
pub(super) fn refuse_hidden(what: &'static str, s: &str, multi_line: bool) -> Result<(), ValidationError> {
    let allowed = |c: char| multi_line && matches!(c, '\n' | '\r' | '\t');
    if s.chars().any(|c| (c.is_control() && !allowed(c)) || is_bidi_control(c)) {
        return Err(ValidationError::HiddenCharacters(what));
    }
    Ok(())
}

/// The impact of an incident: how many customers are affected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Impact(u64);

impl Impact {
    /// The number of affected customers.
    pub fn new(affected_customers: u64) -> Self {
        Self(affected_customers)
    }

    /// Parses a count such as `120` or `1,200`.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let digits: String = s.trim().chars().filter(|c| *c != ',' && *c != '_').collect();
        digits.parse::<u64>().map(Self).map_err(|_| ValidationError::Impact(s.trim().to_owned()))
    }

    /// The number of affected customers.
    pub fn affected_customers(&self) -> u64 {
        self.0
    }
}

impl fmt::Display for Impact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            1 => write!(f, "1 customer"),
            n => write!(f, "{n} customers"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn user_ids_with_markup_whitespace_or_controls_are_refused() {
        for bad in ["U1><!channel", "U1 U2", "U1\u{0}", "<@U1>", "U1|x", "U1&amp;", "U1\u{202E}"] {
            assert!(UserRef::parse(bad).is_err(), "{bad:?}");
        }
        for good in ["U024BE7LH", "W06GH7XHN", "29:1a-b_c.d", "user@example.com"] {
            assert_eq!(UserRef::parse(good).unwrap().as_str(), good);
        }
    }

    #[test]
    fn one_line_fields_refuse_controls_and_bidi_overrides() {
        for bad in ["Pay\u{202E}ments", "a\tb", "nul\u{0}byte", "iso\u{2066}late", "bell\u{7}"] {
            assert_eq!(Summary::parse(bad), Err(ValidationError::HiddenCharacters("summary")), "{bad:?}");
        }
        assert!(Summary::parse("支付失败 🔥 платежи").is_ok());
    }

    #[test]
    fn multi_line_fields_keep_line_breaks_but_never_a_nul() {
        assert!(Description::parse("line one\nline two\ttabbed\r\n").is_ok());
        assert!(Text::parse("note\nmore").is_ok());
        assert_eq!(Description::parse("a\u{0}b"), Err(ValidationError::HiddenCharacters("description")));
        assert_eq!(Text::parse("a\u{0}b"), Err(ValidationError::HiddenCharacters("text")));
        assert!(Text::parse("a\u{202D}b").is_err());
    }

    #[test]
    fn domains_are_slugs() {
        assert!(Domain::parse("outbound-email").is_ok());
        assert!(Domain::parse("api").is_ok());
        for bad in ["", "Api", "1api", "api_x", "api-", "a b", &"a".repeat(41)] {
            let err = Domain::parse(bad).unwrap_err();
            assert!(err.to_string().contains("lowercase"), "{err}");
        }
    }

    #[test]
    fn summaries_are_one_short_line() {
        assert_eq!(Summary::parse("  Emails are late ").unwrap().as_str(), "Emails are late");
        assert!(Summary::parse("").is_err());
        assert!(Summary::parse("a\nb").is_err());
        assert!(Summary::parse(&"x".repeat(151)).unwrap_err().to_string().contains("151"));
    }

    #[test]
    fn impact_accepts_grouped_digits() {
        assert_eq!(Impact::parse("1,200").unwrap().affected_customers(), 1200);
        assert!(Impact::parse("many").unwrap_err().to_string().contains("number"));
        assert_eq!(Impact::new(1).to_string(), "1 customer");
    }

    #[test]
    fn serde_rejects_invalid_values() {
        assert!(serde_json::from_str::<Domain>("\"Bad Domain\"").is_err());
        assert_eq!(serde_json::from_str::<Domain>("\"api\"").unwrap().as_str(), "api");
    }

    proptest! {
        #[test]
        fn valid_domains_round_trip(s in "[a-z][a-z0-9-]{0,38}[a-z0-9]") {
            let d = Domain::parse(&s).unwrap();
            prop_assert_eq!(d.as_str(), s.as_str());
        }

        #[test]
        fn summary_parse_never_panics(s in ".{0,200}") {
            if let Ok(summary) = Summary::parse(&s) {
                prop_assert!(summary.as_str().chars().count() <= 150);
                prop_assert!(!summary.as_str().is_empty());
            }
        }

        #[test]
        fn dedup_keys_reject_control_characters(s in "[a-z]{1,5}[\\x00-\\x1f][a-z]{1,5}") {
            prop_assert!(DedupKey::parse(&s).is_err());
        }
    }
}
