//! Legal, unique Slack channel names.

/// Slack's longest channel name.
pub(crate) const MAX_CHANNEL_NAME: usize = 80;

/// Makes `hint` a legal Slack channel name: lowercase ASCII letters, digits,
/// `_` and `-`, at most 80 characters; anything else becomes `-`, runs of `-`
/// collapse, and `-` is trimmed at both ends. `None` if nothing is left.
pub fn legal_channel_name(hint: &str) -> Option<String> {
    let mut name = String::with_capacity(hint.len().min(MAX_CHANNEL_NAME));
    for c in hint.chars() {
        let c = c.to_ascii_lowercase();
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' { c } else { '-' };
        if c == '-' && (name.is_empty() || name.ends_with('-')) {
            continue;
        }
        name.push(c);
        if name.len() >= MAX_CHANNEL_NAME {
            break;
        }
    }
    let name = name.trim_end_matches('-');
    (!name.is_empty()).then(|| name.to_owned())
}

/// The `n`-th candidate for a legal base name: the base itself, then
/// `base-2`, `base-3`…, shortening the base so the whole stays within 80.
pub(crate) fn candidate(base: &str, n: u32) -> String {
    if n <= 1 {
        return base.to_owned();
    }
    let suffix = format!("-{n}");
    let keep = MAX_CHANNEL_NAME.saturating_sub(suffix.len()).min(base.len());
    // `base` is ASCII (built by `legal_channel_name`), so any byte index is a boundary.
    let stem = base.get(..keep).unwrap_or(base).trim_end_matches('-');
    format!("{stem}{suffix}")
}

/// Which candidate of `base` a channel name is: `Some(1)` for the base
/// itself, `Some(n)` for `base-n` (also when the base was shortened to fit).
pub(crate) fn candidate_number(base: &str, name: &str) -> Option<u32> {
    if name == base {
        return Some(1);
    }
    let (_, n) = name.rsplit_once('-')?;
    let n: u32 = n.parse().ok().filter(|n| *n >= 2)?;
    (candidate(base, n) == name).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidate_numbers_are_read_back() {
        assert_eq!(candidate_number("incident_a", "incident_a"), Some(1));
        assert_eq!(candidate_number("incident_a", "incident_a-7"), Some(7));
        assert_eq!(candidate_number("incident_a", "incident_a-07"), None);
        assert_eq!(candidate_number("incident_a", "incident_ab-2"), None);
        assert_eq!(candidate_number("incident_a", "general"), None);
        let base = "a".repeat(80);
        assert_eq!(candidate_number(&base, &candidate(&base, 13)), Some(13));
    }

    #[test]
    fn names_are_made_legal() {
        assert_eq!(
            legal_channel_name("incident_11_25_Emails are LATE!!").as_deref(),
            Some("incident_11_25_emails-are-late")
        );
        assert_eq!(legal_channel_name("  --Café crème-- ").as_deref(), Some("caf-cr-me"));
        assert_eq!(legal_channel_name("!!!"), None);
        let long = format!("incident_01_02_{}", "x".repeat(200));
        assert_eq!(legal_channel_name(&long).map(|n| n.len()), Some(80));
    }

    #[test]
    fn candidates_fit_and_count_up() {
        assert_eq!(candidate("incident_a", 1), "incident_a");
        assert_eq!(candidate("incident_a", 2), "incident_a-2");
        let base = "a".repeat(80);
        let third = candidate(&base, 13);
        assert_eq!(third.len(), 80);
        assert!(third.ends_with("a-13"));
    }

    #[test]
    fn every_output_is_legal() {
        for hint in ["Ünïcödé ünder_scores", "A/B:C;D", "x".repeat(300).as_str(), "a---b", "_x_"] {
            if let Some(name) = legal_channel_name(hint) {
                assert!(name.len() <= 80);
                assert!(name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'));
                assert!(!name.starts_with('-') && !name.ends_with('-'));
            }
        }
    }
}
