//! A Dockerfile's instructions by build stage, and the paths a
//! `.dockerignore` keeps out of the build context.

/// One instruction: its keyword in capitals and the rest, continuation
/// lines joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// `RUN`, `COPY`…
    pub keyword: String,
    /// Everything after the keyword.
    pub arguments: String,
}

/// A build stage: its `FROM` and what follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// The base image, as written (`rust:${RUST_VERSION}-slim`).
    pub base: String,
    /// The `AS` name, if any.
    pub name: Option<String>,
    /// The stage's instructions after `FROM`.
    pub instructions: Vec<Instruction>,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// The `ARG`s before the first `FROM`.
    pub global: Vec<Instruction>,
    /// The stages, in order.
    pub stages: Vec<Stage>,
}

impl Dockerfile {
    /// Reads a Dockerfile: comments and blank lines skipped, lines ending in
    /// `\` joined with the next.
    ///
    /// # Errors
    /// An instruction other than `ARG` before the first `FROM`, or a `FROM` without an image.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut file = Dockerfile { global: Vec::new(), stages: Vec::new() };
        for instruction in instructions(text) {
            if instruction.keyword == "FROM" {
                let words: Vec<&str> = instruction.arguments.split_whitespace().collect();
                let (base, name) = match words.as_slice() {
                    [base] => (*base, None),
                    [base, as_, name] if as_.eq_ignore_ascii_case("as") => (*base, Some((*name).to_owned())),
                    _ => return Err(format!("FROM {} is not `image [AS name]`", instruction.arguments)),
                };
                file.stages.push(Stage { base: base.to_owned(), name, instructions: Vec::new() });
            } else if let Some(stage) = file.stages.last_mut() {
                stage.instructions.push(instruction);
            } else if instruction.keyword == "ARG" {
                file.global.push(instruction);
            } else {
                return Err(format!("{} before the first FROM", instruction.keyword));
            }
        }
        Ok(file)
    }

    /// The default of a global `ARG NAME=default`.
    pub fn arg_default(&self, name: &str) -> Option<&str> {
        self.global.iter().find_map(|arg| arg.arguments.trim().strip_prefix(name)?.strip_prefix('='))
    }

    /// The last stage: the image that is run.
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }
}

impl Stage {
    /// The stage's instructions with this keyword.
    pub fn all<'a>(&'a self, keyword: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.instructions.iter().filter(move |i| i.keyword == keyword).map(|i| i.arguments.as_str())
    }

    /// The variables its `ENV` instructions set (`ENV A=1 B=2`).
    ///
    /// # Errors
    /// An `ENV` word that is not `NAME=value`.
    pub fn env(&self) -> Result<Vec<(String, String)>, String> {
        let mut variables = Vec::new();
        for arguments in self.all("ENV") {
            for word in arguments.split_whitespace() {
                let (name, value) = word.split_once('=').ok_or_else(|| format!("ENV {word} is not NAME=value"))?;
                variables.push((name.to_owned(), value.to_owned()));
            }
        }
        Ok(variables)
    }
}

fn instructions(text: &str) -> Vec<Instruction> {
    let mut instructions = Vec::new();
    let mut pending = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(head) => {
                pending.push_str(head);
                pending.push(' ');
            }
            None => {
                pending.push_str(trimmed);
                let (keyword, arguments) = pending.split_once(char::is_whitespace).unwrap_or((&pending, ""));
                instructions.push(Instruction {
                    keyword: keyword.to_ascii_uppercase(),
                    arguments: arguments.trim().to_owned(),
                });
                pending.clear();
            }
        }
    }
    instructions
}

/// The patterns of a `.dockerignore`, as Docker applies them: paths from
/// the context's root with `*`, `?` and `**`, a `!` pattern taking back what
/// earlier ones left out, the last match winning, and a left-out directory
/// leaving out all it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerIgnore {
    patterns: Vec<(bool, Vec<String>)>,
}

impl DockerIgnore {
    /// Reads a `.dockerignore`.
    pub fn parse(text: &str) -> Self {
        let patterns = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(|line| {
                let (keep, pattern) = line.strip_prefix('!').map_or((false, line), |rest| (true, rest));
                let segments = pattern.trim_matches('/').split('/').filter(|s| !s.is_empty() && *s != ".");
                (keep, segments.map(str::to_owned).collect())
            })
            .collect();
        DockerIgnore { patterns }
    }

    /// Whether `path` (from the context's root, `/`-separated) stays out of the context.
    pub fn excludes(&self, path: &str) -> bool {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let mut excluded = false;
        for (keep, pattern) in &self.patterns {
            let matches = (1..=segments.len()).any(|n| glob(pattern, &segments[..n]));
            if matches {
                excluded = !keep;
            }
        }
        excluded
    }
}

fn glob(pattern: &[String], path: &[&str]) -> bool {
    match (pattern.split_first(), path.split_first()) {
        (None, None) => true,
        (Some((first, rest)), _) if first == "**" => {
            glob(rest, path) || path.split_first().is_some_and(|(_, tail)| glob(pattern, tail))
        }
        (Some((first, rest)), Some((segment, tail))) => {
            segment_matches(first.as_bytes(), segment.as_bytes()) && glob(rest, tail)
        }
        _ => false,
    }
}

fn segment_matches(pattern: &[u8], text: &[u8]) -> bool {
    match (pattern.split_first(), text.split_first()) {
        (None, None) => true,
        (Some((b'*', rest)), _) => {
            segment_matches(rest, text) || (!text.is_empty() && segment_matches(pattern, &text[1..]))
        }
        (Some((b'?', rest)), Some((_, tail))) => segment_matches(rest, tail),
        (Some((p, rest)), Some((t, tail))) => p == t && segment_matches(rest, tail),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# syntax=docker/dockerfile:1\nARG V=1.89\n\nFROM rust:${V} AS builder\nRUN a \\\n  # inside\n  && b\nFROM debian\nENV A=1 \\\n    B=two\nUSER 10001\n";

    #[test]
    fn reads_stages_with_joined_continuations_and_no_comments() {
        let file = Dockerfile::parse(FILE).unwrap();
        assert_eq!(file.arg_default("V"), Some("1.89"));
        assert_eq!(file.stages.len(), 2);
        assert_eq!(file.stages[0].name.as_deref(), Some("builder"));
        assert_eq!(file.stages[0].all("RUN").collect::<Vec<_>>(), ["a  && b"]);
        let last = file.final_stage().unwrap();
        assert_eq!(last.base, "debian");
        assert_eq!(last.env().unwrap(), [("A".into(), "1".into()), ("B".into(), "two".into())]);
        assert_eq!(last.all("USER").collect::<Vec<_>>(), ["10001"]);
    }

    #[test]
    fn refuses_an_instruction_before_from_and_a_malformed_from() {
        assert_eq!(Dockerfile::parse("RUN x\nFROM a\n").unwrap_err(), "RUN before the first FROM");
        assert!(Dockerfile::parse("FROM a b\n").is_err());
    }

    #[test]
    fn dockerignore_leaves_out_directories_globs_and_takes_back_negations() {
        let ignore = DockerIgnore::parse("# c\ntarget\n/docs/\n**/*.db\n*.env\n!keep.env\n");
        for path in ["target", "target/debug/x", "docs/a.md", "a.db", "sima-core/x/a.db", "local.env"] {
            assert!(ignore.excludes(path), "{path} is left out");
        }
        for path in ["Cargo.toml", "sima-core/src/lib.rs", "keep.env", "a.dbx", "sub/local.env", "targets"] {
            assert!(!ignore.excludes(path), "{path} is kept");
        }
    }
}
