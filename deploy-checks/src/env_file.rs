//! The `NAME=value` lines of an environment file, as Docker's `--env-file`,
//! Compose's `env_file` and systemd's `EnvironmentFile=` all read them:
//! blank lines and lines starting with `#` are skipped, the value is the
//! rest of the line.

/// The variables a file sets, in order.
///
/// # Errors
/// A line that is neither blank, a comment nor `NAME=value`, by number.
pub fn parse(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut variables = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            return Err(format!("line {}: `{line}` is not NAME=value", index + 1));
        };
        let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(format!("line {}: `{name}` is not a variable name", index + 1));
        }
        variables.push((name.to_owned(), value.to_owned()));
    }
    Ok(variables)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_assignments_and_skips_comments_and_blank_lines() {
        let text = "# a comment\n\nA=1\n  # indented comment\nB=\nC=x=y # kept\n";
        let expected = [("A", "1"), ("B", ""), ("C", "x=y # kept")].map(|(n, v)| (n.to_owned(), v.to_owned()));
        assert_eq!(parse(text).unwrap(), expected);
    }

    #[test]
    fn refuses_a_line_without_an_assignment_or_with_a_bad_name() {
        assert_eq!(parse("A=1\nexport B\n").unwrap_err(), "line 2: `export B` is not NAME=value");
        assert_eq!(parse("1A=2\n").unwrap_err(), "line 1: `1A` is not a variable name");
    }
}
