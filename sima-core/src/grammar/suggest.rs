//! "Did you mean": the closest commands by edit distance.

use super::table::COMMANDS;

/// Levenshtein distance between two short words.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb)).min(row[j] + 1).min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The commands closest to `typed`, best first: at most three, within an
/// edit distance of about a third of the word (at least 2), or those it is a
/// prefix of.
pub(crate) fn suggest(typed: &str) -> Vec<&'static str> {
    let typed = typed.to_ascii_lowercase();
    let limit = (typed.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &'static str)> = COMMANDS
        .iter()
        .map(|spec| spec.name)
        .filter_map(|name| {
            let d = distance(&typed, name);
            let prefix = typed.len() >= 2 && name.starts_with(typed.as_str());
            (d <= limit || prefix).then_some((if prefix { 0 } else { d }, name))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, name)| name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("status", "status"), 0);
        assert_eq!(distance("stauts", "status"), 2);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn typos_get_the_closest_commands() {
        assert_eq!(suggest("stauts")[0], "status");
        assert_eq!(suggest("resolv")[0], "resolve");
        assert_eq!(suggest("mnager")[0], "manager");
        assert_eq!(suggest("rootcase")[0], "rootcause");
        assert_eq!(suggest("esc")[0], "escalate");
        assert!(suggest("xyzzyplugh").is_empty());
    }
}
