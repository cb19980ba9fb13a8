//! The harness's layers point one way: no module of `src/` imports from a
//! module drawn above it in DESIGN.md's picture, and no two files import
//! each other.
//!
//! The test reads the source rather than compiling anything: every
//! `use crate::...`, `use super::...` and inline `crate::x::...` path of
//! every file under `src/` (comments skipped), resolved to the file that
//! defines it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The top-level modules of `src/`, layer by layer, from the top down. A
/// module may import from its own layer and the ones below, never above.
///
/// backends sit above models, not below as the picture draws them: a
/// backend implements the model interfaces (so it names them), and a model
/// names no backend. `sort` is the CPU-bound work the backends split.
const LAYERS: &[(&str, &[&str])] = &[
    ("entry points", &["cli", "executor"]),
    ("the engines of bench and explore", &["bench", "explore"]),
    ("reports", &["report", "timeline", "stall"]),
    ("scenarios", &["scenario"]),
    ("backends", &["backend"]),
    ("models", &["model", "sort"]),
    ("the run record", &["run", "check"]),
    ("the recorder", &["recorder", "trace", "log"]),
    (
        "foundations",
        &["clock", "output", "units", "children", "procfs"],
    ),
];

/// A module's path inside the crate, e.g. `["cli", "compare"]`.
type ModulePath = Vec<String>;

/// No file imports from a module of a higher layer.
#[test]
fn no_module_imports_from_a_higher_layer() {
    let files = source_files();
    let mut violations = BTreeSet::new();
    for (module, imports) in &files {
        let Some(own) = layer_of(module) else {
            continue;
        };
        for import in imports {
            let Some(target) = layer_of(import) else {
                continue;
            };
            if target < own {
                violations.insert(format!(
                    "{} ({}) imports {} ({})",
                    module.join("::"),
                    LAYERS[own].0,
                    import.join("::"),
                    LAYERS[target].0
                ));
            }
        }
    }
    let violations: Vec<String> = violations.into_iter().collect();
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

/// Every top-level module has its place in [`LAYERS`], so a new one
/// cannot slip past the check above, and every name there is a module.
#[test]
fn every_module_has_a_layer() {
    let modules: BTreeSet<String> = (source_files().into_keys())
        .map(|module| module[0].clone())
        .collect();
    let listed: BTreeSet<String> = (LAYERS.iter())
        .flat_map(|(_, names)| names.iter().map(|name| name.to_string()))
        .collect();
    let unplaced: Vec<&String> = modules.difference(&listed).collect();
    assert!(unplaced.is_empty(), "not in LAYERS: {unplaced:?}");
    let stale: Vec<&String> = listed.difference(&modules).collect();
    assert!(stale.is_empty(), "in LAYERS but not in src/: {stale:?}");
}

/// No two files import each other (a file and its own submodule aside: a
/// child naming its parent's items is how Rust nests modules).
#[test]
fn no_two_files_import_each_other() {
    let files = source_files();
    let modules: BTreeSet<&ModulePath> = files.keys().collect();
    let mut edges: BTreeSet<(ModulePath, ModulePath)> = BTreeSet::new();
    for (module, imports) in &files {
        for import in imports {
            let Some(target) = defining_file(import, &modules) else {
                continue;
            };
            if !target.starts_with(module) && !module.starts_with(&target) {
                edges.insert((module.clone(), target));
            }
        }
    }
    let cycles: Vec<String> = (edges.iter())
        .filter(|(from, to)| from < to && edges.contains(&(to.clone(), from.clone())))
        .map(|(from, to)| format!("{} <-> {}", from.join("::"), to.join("::")))
        .collect();
    assert!(cycles.is_empty(), "{}", cycles.join("\n"));
}

/// The layer of the top-level module `path` starts with, as an index into
/// [`LAYERS`] (0 is the top); `None` for one not listed.
fn layer_of(path: &[String]) -> Option<usize> {
    let top = path.first()?;
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&top.as_str()))
}

/// The longest prefix of `path` that is a file's module: where the item
/// `path` names is defined.
fn defining_file(path: &[String], modules: &BTreeSet<&ModulePath>) -> Option<ModulePath> {
    (1..=path.len())
        .rev()
        .map(|len| path[..len].to_vec())
        .find(|prefix| modules.contains(prefix))
}

/// Every file under `src/` but the crate roots, as its module path and the
/// absolute paths it imports.
fn source_files() -> BTreeMap<ModulePath, Vec<ModulePath>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    for file in rust_files(&src) {
        let relative = file.strip_prefix(&src).expect("under src/");
        let module: ModulePath = (relative.with_extension("").iter())
            .map(|part| part.to_string_lossy().into_owned())
            .collect();
        if module == ["lib"] || module == ["main"] {
            continue;
        }
        let text = fs::read_to_string(&file).expect("a readable source file");
        let imports = imports(&module, &code_only(&text));
        files.insert(module, imports);
    }
    files
}

/// Every `.rs` file under `directory`, recursively.
fn rust_files(directory: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in fs::read_dir(directory).expect("a readable directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            found.extend(rust_files(&path));
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            found.push(path);
        }
    }
    found
}

/// `text` with its comments and the insides of its string and character
/// literals blanked out, lines kept: doc links name modules they do not
/// import, and a `{` in a string is no block.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut code = String::with_capacity(text.len());
    let mut index = 0;
    // Blanks `chars[from..to]`, keeping its line breaks.
    let blank = |code: &mut String, from: usize, to: usize| {
        (chars[from..to.min(chars.len())].iter())
            .for_each(|&c| code.push(if c == '\n' { '\n' } else { ' ' }));
    };
    while index < chars.len() {
        let rest = &chars[index..];
        let end = if rest.starts_with(&['/', '/']) {
            index + rest.iter().position(|&c| c == '\n').unwrap_or(rest.len())
        } else if rest.starts_with(&['/', '*']) {
            index + 2 + find(&rest[2..], &['*', '/']) + 2
        } else if rest.starts_with(&['r', '#', '"']) {
            index + 3 + find(&rest[3..], &['"', '#']) + 2
        } else if rest.starts_with(&['r', '"']) || rest[0] == '"' {
            let open = if rest[0] == 'r' { 2 } else { 1 };
            index + open + string_length(&rest[open..], rest[0] != 'r') + 1
        } else if rest[0] == '\'' && rest.get(2) == Some(&'\'') {
            index + 3
        } else if rest[0] == '\'' && rest.get(1) == Some(&'\\') {
            index + 2 + rest[2..].iter().position(|&c| c == '\'').unwrap_or(0) + 1
        } else {
            code.push(rest[0]);
            index += 1;
            continue;
        };
        blank(&mut code, index, end);
        index = end;
    }
    code
}

/// Where `needle` starts in `haystack` (its length if nowhere).
fn find(haystack: &[char], needle: &[char]) -> usize {
    (haystack.windows(needle.len()))
        .position(|window| window == needle)
        .unwrap_or(haystack.len())
}

/// The length of a string literal's contents up to its closing quote;
/// `escapes` for an ordinary string, where `\"` does not close it.
fn string_length(rest: &[char], escapes: bool) -> usize {
    let mut index = 0;
    while index < rest.len() && rest[index] != '"' {
        index += if escapes && rest[index] == '\\' { 2 } else { 1 };
    }
    index.min(rest.len())
}

/// The absolute module paths that `code` (comments and strings blanked),
/// in the file of `module`, imports: its `use` trees, expanded, and its
/// inline `crate::` paths. Inline modules (`mod tests { .. }`) are
/// followed, so that their `super` is the file itself.
fn imports(module: &[String], code: &str) -> Vec<ModulePath> {
    let mut found = Vec::new();
    // The inline modules we are in, each with the depth its block opened at.
    let mut inline: Vec<(String, i32)> = Vec::new();
    let mut depth = 0;
    let mut statement: Option<String> = None;
    for line in code.lines() {
        let here: ModulePath = (module.iter().cloned())
            .chain(inline.iter().map(|(name, _)| name.clone()))
            .collect();
        let trimmed = line.trim_start();
        if statement.is_none() && is_use(trimmed) {
            statement = Some(String::new());
        }
        if let Some(text) = statement.as_mut() {
            text.push_str(line);
            text.push(' ');
            if line.contains(';') {
                found.extend(use_paths(&here, text));
                statement = None;
            }
        } else {
            found.extend(inline_paths(&here, line));
        }
        if let Some(name) = inline_module(trimmed) {
            inline.push((name, depth));
        }
        depth += braces(line);
        while inline.last().is_some_and(|&(_, opened)| depth <= opened) {
            inline.pop();
        }
    }
    found
}

/// Whether `line` starts a `use` statement (of any visibility).
fn is_use(line: &str) -> bool {
    let line = line.strip_prefix("pub ").unwrap_or(line);
    let line = line.strip_prefix("pub(crate) ").unwrap_or(line);
    let line = line.strip_prefix("pub(super) ").unwrap_or(line);
    line.starts_with("use ")
}

/// The name of the inline module `line` opens (`mod tests {`), if any.
fn inline_module(line: &str) -> Option<String> {
    let line = line.strip_prefix("pub ").unwrap_or(line);
    let name = line.strip_prefix("mod ")?.strip_suffix('{')?.trim();
    Some(name.to_string())
}

/// How many more blocks `line` opens than it closes.
fn braces(line: &str) -> i32 {
    let opened = line.matches('{').count();
    let closed = line.matches('}').count();
    i32::try_from(opened).unwrap_or(0) - i32::try_from(closed).unwrap_or(0)
}

/// The absolute paths of the `use` statement `text`, written in `module`.
fn use_paths(module: &[String], text: &str) -> Vec<ModulePath> {
    let tree = text.trim_start();
    let tree = &tree[tree.find("use ").map_or(0, |start| start + 4)..];
    let tree = tree.split(';').next().unwrap_or(tree);
    // Renames keep the path before them: `a::b as c` names `a::b`.
    let words: Vec<&str> = tree.split_whitespace().collect();
    let tree = words.join(" ").replace(" as ", "@").replace(' ', "");
    (expand(&tree).iter())
        .filter_map(|path| absolute(module, path))
        .collect()
}

/// The absolute paths of the inline `crate::...` paths on `line`.
fn inline_paths(module: &[String], line: &str) -> Vec<ModulePath> {
    let starts = line.match_indices("crate::").map(|(start, _)| start);
    // `$crate::` and `foocrate::` are not this crate's paths.
    let starts = starts.filter(|&start| {
        let before = line[..start].chars().next_back();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':' || c == '$')
    });
    (starts.filter_map(|start| absolute(module, &path_at(&line[start..])))).collect()
}

/// The `::`-separated names at the start of `text`, e.g. `crate::a::b`.
fn path_at(text: &str) -> Vec<String> {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(text.len());
    (text[..end].split("::"))
        .filter(|part| !part.is_empty())
        .map(str::to_string)
        .collect()
}

/// Expands a `use` tree without whitespace (`a::{b,c::{d,e}}`) into its
/// paths (`a::b`, `a::c::d`, `a::c::e`); a trailing `self`, `*` or
/// rename (`@name`) keeps the path before it.
fn expand(tree: &str) -> Vec<Vec<String>> {
    let Some(open) = tree.find('{') else {
        let path = tree.split('@').next().unwrap_or(tree);
        let parts = path.split("::").filter(|part| !part.is_empty());
        let parts = parts.filter(|part| *part != "self" && *part != "*");
        return vec![parts.map(str::to_string).collect()];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    (split_top_level(inner).into_iter())
        .flat_map(|branch| expand(&format!("{prefix}{branch}")))
        .collect()
}

/// `text` split at the commas outside braces.
fn split_top_level(text: &str) -> Vec<&str> {
    let (mut depth, mut start, mut parts) = (0, 0, Vec::new());
    for (index, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts.into_iter().filter(|part| !part.is_empty()).collect()
}

/// `path`, as written in the file of `module`, from the crate root; `None`
/// for a path outside the crate (`std::...`, another crate's).
fn absolute(module: &[String], path: &[String]) -> Option<ModulePath> {
    let (first, mut rest) = path.split_first()?;
    let mut base: ModulePath = match first.as_str() {
        "crate" => Vec::new(),
        "self" => module.to_vec(),
        "super" => module[..module.len().saturating_sub(1)].to_vec(),
        _ => return None,
    };
    while let Some((next, after)) = rest.split_first() {
        if next != "super" {
            break;
        }
        base.pop();
        rest = after;
    }
    base.extend(rest.iter().cloned());
    Some(base)
}
