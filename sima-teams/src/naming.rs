//! Legal, unique Teams channel names.

/// Teams' longest channel display name.
pub(crate) const MAX_CHANNEL_NAME: usize = 50;

/// Makes `hint` a legal Teams channel display name: ASCII letters, digits,
/// `_` and `-` (Teams refuses `~ # % & * { } + / \ : < > ? | ' " ,` and
/// `..`), at most 50 characters, not starting with `_` or `-`. `None` if
/// nothing is left.
pub fn legal_channel_name(hint: &str) -> Option<String> {
    let mut name = String::with_capacity(hint.len().min(MAX_CHANNEL_NAME));
    for c in hint.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' };
        if (c == '-' || c == '_') && name.is_empty() {
            continue;
        }
        if c == '-' && name.ends_with('-') {
            continue;
        }
        name.push(c);
        if name.len() >= MAX_CHANNEL_NAME {
            break;
        }
    }
    let name = name.trim_end_matches(['-', '_']);
    (!name.is_empty()).then(|| name.to_owned())
}

/// The `n`-th candidate for a legal base name: the base itself, then
/// `base-2`, `base-3`…, shortening the base so the whole stays within 50.
pub(crate) fn candidate(base: &str, n: u32) -> String {
    if n <= 1 {
        return base.to_owned();
    }
    let suffix = format!("-{n}");
    let keep = MAX_CHANNEL_NAME.saturating_sub(suffix.len()).min(base.len());
    // `base` is ASCII (built by `legal_channel_name`), so any byte index is a boundary.
    let stem = base.get(..keep).unwrap_or(base).trim_end_matches(['-', '_']);
    format!("{stem}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_legal_and_short() {
        assert_eq!(
            legal_channel_name("incident_11_25_emails-are-late").as_deref(),
            Some("incident_11_25_emails-are-late")
        );
        assert_eq!(legal_channel_name("_a/b: c?").as_deref(), Some("a-b-c"));
        assert_eq!(legal_channel_name("..."), None);
        let long = format!("incident_01_02_{}", "x".repeat(200));
        assert_eq!(legal_channel_name(&long).map(|n| n.len()), Some(MAX_CHANNEL_NAME));
    }

    #[test]
    fn candidates_fit_and_count_up() {
        assert_eq!(candidate("incident_a", 1), "incident_a");
        assert_eq!(candidate("incident_a", 2), "incident_a-2");
        let third = candidate(&"a".repeat(50), 13);
        assert_eq!(third.len(), MAX_CHANNEL_NAME);
        assert!(third.ends_with("a-13"));
    }
}
