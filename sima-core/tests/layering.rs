//! Imports point one way. Reads the source of sima-core and of every crate in
//! the workspace, follows each `use` and each `crate::`/`super::`/`self::`
//! path to the file that defines what it names (through re-exports), and
//! checks that:
//!
//! - no file of sima-core reaches itself again through its imports;
//! - no top-level module of sima-core reaches itself again (`domain` ←
//!   `ports` ← `runbook`/`service` ← `engine`), re-exports counted;
//! - in the whole workspace, no file cycle remains beyond the ones listed in
//!   [`KNOWN_FILE_CYCLES`].
//!
//! Test code (`#[cfg(test)]` items and the files they declare) may reach
//! anywhere and is left out. A re-export (`pub use`) is a name, not a use: a
//! `mod.rs` that re-exports its children while they use each other is no
//! cycle, but a module re-exporting another top-level module depends on it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// File cycles elsewhere in the workspace that are still to be broken, each
/// as its files relative to the workspace root, sorted; at most one. None is
/// left: a cycle that appears fails the test, and so does an entry here
/// whose cycle is gone.
const KNOWN_FILE_CYCLES: &[&[&str]] = &[];

// ---------------------------------------------------------------- tokens

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    PathSep,
    Open(char),
    Close(char),
    Semi,
    Comma,
    Star,
    Pound,
    Bang,
    Dollar,
    Other,
}

/// The tokens of Rust source that matter for paths; comments, strings,
/// characters, lifetimes and numbers are dropped.
fn lex(source: &str) -> Vec<Tok> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == '"' {
            i = skip_string(&chars, i + 1);
        } else if c == '\'' {
            if at(i + 1) == '\\' {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                // A lifetime or a label: its name is no path.
                i += 1;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
            }
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let prefix = matches!(word.as_str(), "r" | "b" | "br" | "c" | "cr");
            if prefix && at(i) == '"' {
                i = skip_string(&chars, i + 1);
            } else if prefix && word.ends_with('r') && at(i) == '#' && matches!(at(i + 1), '"' | '#') {
                let mut hashes = 0;
                while at(i) == '#' {
                    hashes += 1;
                    i += 1;
                }
                i += 1;
                loop {
                    if i >= chars.len() {
                        break;
                    }
                    if chars[i] == '"' && (1..=hashes).all(|k| at(i + k) == '#') {
                        i += 1 + hashes;
                        break;
                    }
                    i += 1;
                }
            } else if word == "r" && at(i) == '#' {
                // A raw identifier.
                i += 1;
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                tokens.push(Tok::Ident(chars[start..i].iter().collect()));
            } else if prefix && at(i) == '\'' {
                // A byte: b'x', b'\n'.
                i += 1;
                if at(i) == '\\' {
                    i += 1;
                }
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else {
                tokens.push(Tok::Ident(word));
            }
        } else {
            i += 1;
            tokens.push(match c {
                ':' if at(i) == ':' => {
                    i += 1;
                    Tok::PathSep
                }
                '{' | '(' | '[' => Tok::Open(c),
                '}' | ')' | ']' => Tok::Close(c),
                ';' => Tok::Semi,
                ',' => Tok::Comma,
                '*' => Tok::Star,
                '#' => Tok::Pound,
                '!' => Tok::Bang,
                '$' => Tok::Dollar,
                c if c.is_whitespace() => continue,
                _ => Tok::Other,
            });
        }
    }
    tokens
}

/// The index after the string literal whose body starts at `i`.
fn skip_string(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

// ---------------------------------------------------------------- one file

/// A path written in a file, inside the module `ctx` (the file's module or
/// an inline module in it).
#[derive(Debug, Clone)]
struct Written {
    ctx: Vec<String>,
    path: Vec<String>,
}

/// One name a `use` brings in.
#[derive(Debug, Clone)]
struct Import {
    written: Written,
    /// The name it is known by (`None` for a glob).
    name: Option<String>,
    /// `pub use`, `pub(crate) use`: a re-export.
    reexport: bool,
}

#[derive(Debug, Default)]
struct Scan {
    imports: Vec<Import>,
    paths: Vec<Written>,
    /// `mod x;` declarations: the parent module, the name, and whether only tests compile it.
    children: Vec<(Vec<String>, String, bool)>,
    /// Inline `mod x { … }` modules.
    inline: Vec<Vec<String>>,
}

fn scan(tokens: &[Tok], module: &[String]) -> Scan {
    let mut out = Scan::default();
    let mut ctx: Vec<String> = module.to_vec();
    // Depths at which an inline module closes.
    let mut closes: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let mut cfg_test = false;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Tok::Pound => {
                let inner = tokens.get(i + 1) == Some(&Tok::Bang);
                let open = i + 1 + usize::from(inner);
                if tokens.get(open) == Some(&Tok::Open('[')) {
                    let end = matching(tokens, open);
                    let attribute = &tokens[open + 1..end];
                    let test = [Tok::Ident("cfg".into()), Tok::Open('('), Tok::Ident("test".into()), Tok::Close(')')];
                    if !inner && attribute == test {
                        cfg_test = true;
                    }
                    i = end + 1;
                } else {
                    i += 1;
                }
                continue;
            }
            _ if cfg_test => {
                cfg_test = false;
                let start = i;
                i = item_end(tokens, i);
                let item = &tokens[start..i];
                if let Some(name) = declared_module(item) {
                    out.children.push((ctx.clone(), name, true));
                }
                continue;
            }
            Tok::Ident(word) if word == "mod" => {
                if let (Some(Tok::Ident(name)), Some(next)) = (tokens.get(i + 1), tokens.get(i + 2)) {
                    if *next == Tok::Semi {
                        out.children.push((ctx.clone(), name.clone(), false));
                        i += 3;
                        continue;
                    }
                    if *next == Tok::Open('{') {
                        ctx.push(name.clone());
                        out.inline.push(ctx.clone());
                        depth += 1;
                        closes.push(depth);
                        i += 3;
                        continue;
                    }
                }
            }
            Tok::Ident(word) if word == "pub" || word == "use" => {
                let mut j = i;
                let reexport = word == "pub";
                if reexport {
                    j += 1;
                    if tokens.get(j) == Some(&Tok::Open('(')) {
                        j = matching(tokens, j) + 1;
                    }
                }
                if tokens.get(j) == Some(&Tok::Ident("use".into())) {
                    j += 1;
                    let mut found = Vec::new();
                    use_tree(tokens, &mut j, Vec::new(), &mut found);
                    for (path, name) in found {
                        out.imports.push(Import { written: Written { ctx: ctx.clone(), path }, name, reexport });
                    }
                    i = j;
                    continue;
                }
            }
            Tok::Ident(first) => {
                // `$crate::…` in a macro is resolved where the macro is used.
                let continues = i > 0 && matches!(tokens[i - 1], Tok::PathSep | Tok::Dollar);
                if !continues && tokens.get(i + 1) == Some(&Tok::PathSep) {
                    let mut path = vec![first.clone()];
                    let mut j = i + 1;
                    while tokens.get(j) == Some(&Tok::PathSep) {
                        match tokens.get(j + 1) {
                            Some(Tok::Ident(next)) => {
                                path.push(next.clone());
                                j += 2;
                            }
                            _ => break,
                        }
                    }
                    out.paths.push(Written { ctx: ctx.clone(), path });
                    i = j;
                    continue;
                }
            }
            Tok::Open(_) => depth += 1,
            Tok::Close(_) => {
                if closes.last() == Some(&depth) {
                    closes.pop();
                    ctx.pop();
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The index of the bracket closing the one at `open`.
fn matching(tokens: &[Tok], open: usize) -> usize {
    let mut depth = 0usize;
    for (k, token) in tokens.iter().enumerate().skip(open) {
        match token {
            Tok::Open(_) => depth += 1,
            Tok::Close(_) => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    tokens.len() - 1
}

/// The index after the item starting at `start`: after its `;`, or after
/// its body's closing brace.
fn item_end(tokens: &[Tok], start: usize) -> usize {
    let mut k = start;
    while k < tokens.len() {
        match &tokens[k] {
            Tok::Semi => return k + 1,
            Tok::Open('{') => return matching(tokens, k) + 1,
            Tok::Open(_) => k = matching(tokens, k) + 1,
            _ => k += 1,
        }
    }
    k
}

/// `x` when `item` is `mod x;` (with any visibility).
fn declared_module(item: &[Tok]) -> Option<String> {
    let at = item.iter().position(|t| *t == Tok::Ident("mod".into()))?;
    match (item.get(at + 1), item.get(at + 2)) {
        (Some(Tok::Ident(name)), Some(Tok::Semi)) => Some(name.clone()),
        _ => None,
    }
}

/// Reads one use tree at `*i`, pushing each `(path, name)` it imports.
fn use_tree(tokens: &[Tok], i: &mut usize, mut prefix: Vec<String>, out: &mut Vec<(Vec<String>, Option<String>)>) {
    loop {
        match tokens.get(*i) {
            Some(Tok::PathSep) => *i += 1,
            Some(Tok::Ident(segment)) => {
                prefix.push(segment.clone());
                *i += 1;
                if tokens.get(*i) != Some(&Tok::PathSep) {
                    break;
                }
                *i += 1;
            }
            Some(Tok::Open('{')) => {
                *i += 1;
                while !matches!(tokens.get(*i), Some(Tok::Close('}')) | None) {
                    use_tree(tokens, i, prefix.clone(), out);
                    if tokens.get(*i) == Some(&Tok::Comma) {
                        *i += 1;
                    }
                }
                *i += 1;
                skip_semi(tokens, i);
                return;
            }
            Some(Tok::Star) => {
                *i += 1;
                out.push((prefix, None));
                skip_semi(tokens, i);
                return;
            }
            _ => return,
        }
    }
    if prefix.last().is_some_and(|s| s == "self") {
        prefix.pop();
    }
    let mut name = prefix.last().cloned();
    if tokens.get(*i) == Some(&Tok::Ident("as".into())) {
        if let Some(Tok::Ident(alias)) = tokens.get(*i + 1) {
            name = Some(alias.clone());
        }
        *i += 2;
    }
    skip_semi(tokens, i);
    out.push((prefix, name));
}

fn skip_semi(tokens: &[Tok], i: &mut usize) {
    if tokens.get(*i) == Some(&Tok::Semi) {
        *i += 1;
    }
}

// ---------------------------------------------------------------- one crate

#[derive(Debug, Default)]
struct Module {
    /// The file the module is written in (for an inline module, its parent's).
    file: PathBuf,
    children: BTreeSet<String>,
    /// Names brought in by `use`, and where they point.
    names: BTreeMap<String, Written>,
}

/// What a path names: an item of a module, or the module itself.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    module: Vec<String>,
    item: Option<String>,
}

/// One crate (one root file: `lib.rs`, `main.rs`, `bin/*.rs`) and its modules.
#[derive(Debug, Default)]
struct Crate {
    modules: BTreeMap<Vec<String>, Module>,
    scans: Vec<(PathBuf, Scan)>,
    /// Files only tests compile.
    test_only: BTreeSet<PathBuf>,
}

impl Crate {
    /// Records `file` (module `module`) and every file it declares as
    /// compiled by tests only; their imports are not followed.
    fn add_test_only(&mut self, file: PathBuf, module: Vec<String>) {
        let mut queue = vec![(module, file)];
        while let Some((module, file)) = queue.pop() {
            if let Ok(source) = fs::read_to_string(&file) {
                for (parent, name, _) in scan(&lex(&source), &module).children {
                    let mut path = parent.clone();
                    path.push(name.clone());
                    queue.push((path, child_file(&file, &module, &parent, &name)));
                }
            }
            self.test_only.insert(file);
        }
    }

    /// Reads the crate from its root file, following `mod x;` declarations.
    fn read(root: &Path) -> Self {
        let mut krate = Self::default();
        let mut queue = vec![(Vec::<String>::new(), root.to_path_buf())];
        while let Some((module, file)) = queue.pop() {
            let source = fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let scan = scan(&lex(&source), &module);
            krate.modules.entry(module.clone()).or_default().file = file.clone();
            for inline in &scan.inline {
                krate.modules.entry(inline.clone()).or_default().file = file.clone();
                krate
                    .modules
                    .entry(inline[..inline.len() - 1].to_vec())
                    .or_default()
                    .children
                    .insert(inline.last().cloned().unwrap_or_default());
            }
            for (parent, name, test) in &scan.children {
                let child_file = child_file(&file, &module, parent, name);
                if *test {
                    let mut path = parent.clone();
                    path.push(name.clone());
                    krate.add_test_only(child_file, path);
                    continue;
                }
                krate.modules.entry(parent.clone()).or_default().children.insert(name.clone());
                let mut path = parent.clone();
                path.push(name.clone());
                queue.push((path, child_file));
            }
            for import in &scan.imports {
                if let Some(name) = &import.name {
                    let module = krate.modules.entry(import.written.ctx.clone()).or_default();
                    module.names.insert(name.clone(), import.written.clone());
                }
            }
            krate.scans.push((file, scan));
        }
        krate
    }

    /// The module `first` names when it starts a path written in `ctx`.
    fn start(&self, ctx: &[String], first: &str, hops: usize) -> Option<Target> {
        match first {
            "crate" => Some(Target { module: vec![], item: None }),
            "self" => Some(Target { module: ctx.to_vec(), item: None }),
            "super" => Some(Target { module: ctx[..ctx.len().checked_sub(1)?].to_vec(), item: None }),
            name => {
                let module = self.modules.get(ctx)?;
                if module.children.contains(name) {
                    let mut path = ctx.to_vec();
                    path.push(name.to_owned());
                    return Some(Target { module: path, item: None });
                }
                let written = module.names.get(name)?;
                self.resolve(&written.ctx, &written.path, hops + 1)
            }
        }
    }

    /// What `path`, written in `ctx`, names in this crate; `None` for
    /// another crate's or the standard library's.
    fn resolve(&self, ctx: &[String], path: &[String], hops: usize) -> Option<Target> {
        if hops > 32 {
            return None;
        }
        let (first, rest) = path.split_first()?;
        let mut at = self.start(ctx, first, hops)?;
        for segment in rest {
            if at.item.is_some() {
                return Some(at);
            }
            let module = &at.module;
            match segment.as_str() {
                "super" => {
                    at.module.pop();
                    continue;
                }
                "self" => continue,
                _ => {}
            }
            let here = self.modules.get(module)?;
            if here.children.contains(segment) {
                at.module.push(segment.clone());
            } else if let Some(written) = here.names.get(segment) {
                at = self.resolve(&written.ctx, &written.path, hops + 1)?;
            } else {
                at.item = Some(segment.clone());
            }
        }
        Some(at)
    }

    fn file(&self, module: &[String]) -> Option<&PathBuf> {
        self.modules.get(module).map(|m| &m.file)
    }
}

/// The file of module `parent::name`, declared in `file` (module `module`).
fn child_file(file: &Path, module: &[String], parent: &[String], name: &str) -> PathBuf {
    let dir = file.parent().unwrap_or(Path::new("."));
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let mut base =
        if matches!(stem, "mod" | "lib" | "main") || module.is_empty() { dir.to_path_buf() } else { dir.join(stem) };
    for inline in &parent[module.len()..] {
        base = base.join(inline);
    }
    let flat = base.join(format!("{name}.rs"));
    if flat.exists() {
        flat
    } else {
        base.join(name).join("mod.rs")
    }
}

// ---------------------------------------------------------------- graphs

/// An import between two nodes, with the path that makes it.
type Edges = BTreeMap<(String, String), String>;

/// File edges and top-level-module edges of one crate; nodes are named by
/// `name` (a file) and by the module's first segment.
fn edges(krate: &Crate, name: &dyn Fn(&Path) -> String) -> (Edges, Edges) {
    let mut files = Edges::new();
    let mut modules = Edges::new();
    let top = |module: &[String]| module.first().cloned().unwrap_or_else(|| "(crate root)".into());
    for (file, scan) in &krate.scans {
        let uses = scan.imports.iter().map(|i| (&i.written, i.reexport, i.name.is_none()));
        let paths = scan.paths.iter().map(|w| (w, false, false));
        for (written, reexport, glob) in uses.chain(paths) {
            let Some(target) = krate.resolve(&written.ctx, &written.path, 0) else { continue };
            // Naming a module is not using it; what is used from it is.
            if target.item.is_none() && !glob {
                continue;
            }
            let Some(to) = krate.file(&target.module) else { continue };
            let shown = if glob { format!("{}::*", written.path.join("::")) } else { written.path.join("::") };
            let (from_top, to_top) = (top(&written.ctx), top(&target.module));
            if from_top != to_top {
                modules.entry((from_top, to_top)).or_insert_with(|| format!("{}: {shown}", name(file)));
            }
            if !reexport && to != file {
                files.entry((name(file), name(to))).or_insert(shown);
            }
        }
    }
    (files, modules)
}

/// The strongly connected components of more than one node (Tarjan).
fn cycles(edges: &Edges) -> Vec<Vec<String>> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        next.entry(from).or_default().push(to);
        next.entry(to).or_default();
    }
    struct Walk<'a> {
        next: &'a BTreeMap<&'a str, Vec<&'a str>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, node: &'a str) {
            let n = self.index.len();
            self.index.insert(node, n);
            self.low.insert(node, n);
            self.stack.push(node);
            self.on_stack.insert(node);
            for &to in &self.next[node] {
                if !self.index.contains_key(to) {
                    self.visit(to);
                    let low = self.low[node].min(self.low[to]);
                    self.low.insert(node, low);
                } else if self.on_stack.contains(to) {
                    let low = self.low[node].min(self.index[to]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = Vec::new();
                while let Some(top) = self.stack.pop() {
                    self.on_stack.remove(top);
                    component.push(top.to_owned());
                    if top == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        next: &next,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for &node in next.keys() {
        if !walk.index.contains_key(node) {
            walk.visit(node);
        }
    }
    walk.found.sort();
    walk.found
}

/// Each cycle with the imports between its members.
fn describe(found: &[Vec<String>], edges: &Edges) -> String {
    let mut text = String::new();
    for component in found {
        text.push_str(&format!("\n  cycle: {}\n", component.join(", ")));
        for ((from, to), path) in edges {
            if component.contains(from) && component.contains(to) {
                text.push_str(&format!("    {from} -> {to}  ({path})\n"));
            }
        }
    }
    text
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("sima-core sits in the workspace").to_path_buf()
}

fn relative(path: &Path) -> String {
    path.strip_prefix(workspace()).unwrap_or(path).display().to_string()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The crate roots under `src`: `lib.rs`, `main.rs`, `bin/*.rs`.
fn roots(src: &Path) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = ["lib.rs", "main.rs"].iter().map(|f| src.join(f)).filter(|f| f.exists()).collect();
    let bin = src.join("bin");
    let mut bins = Vec::new();
    rust_files(&bin, &mut bins);
    bins.retain(|f| f.parent() == Some(bin.as_path()) || f.ends_with("main.rs"));
    roots.extend(bins);
    roots
}

/// The crates of one package, and any file under its `src` none of them compiles.
fn package(dir: &Path) -> (Vec<Crate>, Vec<PathBuf>) {
    let src = dir.join("src");
    let crates: Vec<Crate> = roots(&src).iter().map(|root| Crate::read(root)).collect();
    let mut all = Vec::new();
    rust_files(&src, &mut all);
    let seen: BTreeSet<&PathBuf> =
        crates.iter().flat_map(|c| c.scans.iter().map(|(file, _)| file).chain(c.test_only.iter())).collect();
    let stray = all.into_iter().filter(|f| !seen.contains(f)).collect();
    (crates, stray)
}

fn members() -> Vec<PathBuf> {
    let manifest = fs::read_to_string(workspace().join("Cargo.toml")).expect("the workspace manifest");
    let list = manifest.split("members = [").nth(1).and_then(|rest| rest.split(']').next()).expect("a members list");
    list.split(',')
        .map(|entry| entry.trim().trim_matches('"'))
        .filter(|entry| !entry.is_empty())
        .map(|entry| workspace().join(entry))
        .collect()
}

// ---------------------------------------------------------------- checks

fn core() -> Crate {
    let (mut crates, stray) = package(&workspace().join("sima-core"));
    assert!(stray.is_empty(), "files under sima-core/src that no module declares: {stray:?}");
    assert_eq!(crates.len(), 1, "sima-core is one library");
    crates.remove(0)
}

#[test]
fn no_file_of_the_core_imports_one_that_imports_it_back() {
    let krate = core();
    assert!(krate.scans.len() > 80, "the scan found only {} files", krate.scans.len());
    let (files, _) = edges(&krate, &|f| relative(f));
    assert!(files.len() > 200, "the scan found only {} imports", files.len());
    let found = cycles(&files);
    assert!(found.is_empty(), "sima-core has import cycles between files:{}", describe(&found, &files));
}

#[test]
fn no_top_level_module_of_the_core_imports_one_that_imports_it_back() {
    let krate = core();
    let (_, modules) = edges(&krate, &|f| relative(f));
    // The arrows the layering promises, so a scan that sees nothing fails.
    for (from, to) in [("ports", "domain"), ("runbook", "ports"), ("service", "runbook"), ("engine", "service")] {
        assert!(modules.contains_key(&(from.into(), to.into())), "expected {from} -> {to}; found {:?}", modules.keys());
    }
    let found = cycles(&modules);
    assert!(found.is_empty(), "sima-core has cycles between top-level modules:{}", describe(&found, &modules));
}

#[test]
fn the_workspace_keeps_no_file_cycle_but_the_known_ones() {
    let mut found = Vec::new();
    let mut described = String::new();
    let mut packages = 0;
    for member in members() {
        let (crates, stray) = package(&member);
        assert!(stray.is_empty(), "files no module declares: {stray:?}");
        for krate in &crates {
            let (files, _) = edges(krate, &|f| relative(f));
            let cycles = cycles(&files);
            described.push_str(&describe(&cycles, &files));
            found.extend(cycles);
        }
        packages += 1;
    }
    assert!(packages >= 7, "read only {packages} workspace members");
    found.sort();
    found.dedup();
    let unknown: Vec<&Vec<String>> =
        found.iter().filter(|c| !KNOWN_FILE_CYCLES.iter().any(|known| known.iter().eq(c.iter()))).collect();
    assert!(unknown.is_empty(), "file cycles in the workspace:{described}");
    let gone: Vec<&&[&str]> =
        KNOWN_FILE_CYCLES.iter().filter(|known| !found.iter().any(|c| known.iter().eq(c.iter()))).collect();
    assert!(gone.is_empty(), "these known cycles are gone; remove them from KNOWN_FILE_CYCLES: {gone:?}");
    assert!(found.len() <= 1, "more than one file cycle remains:{described}");
    if !found.is_empty() {
        println!("file cycles still to break:{described}");
    }
}
