//! The core's layers, read from its own `use` lines: every module imports
//! only from its own layer or the ones below it (error and codes, then
//! input, judge, drive, plan, present), siblings by module path and never
//! through the crate root, and no two files import each other, however
//! indirectly. The tests inside a module (`#[cfg(test)]`) may use anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers from the ground up; `lib.rs` sits above them all.
const LAYERS: [&str; 7] = ["error", "codes", "input", "judge", "drive", "plan", "present"];

/// The floor of a layer: error and codes are the ground.
fn floor(layer: &str) -> Option<usize> {
    match layer {
        "error" | "codes" => Some(0),
        other => LAYERS.iter().position(|l| *l == other).map(|i| i - 1),
    }
}

/// The files of `core/src`, by their module path (`judge::rule`).
fn files() -> Vec<(String, PathBuf)> {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) {
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(dir).expect("core/src").map(|e| e.expect("an entry").path()).collect();
        entries.sort();
        for path in entries {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
            if path.is_dir() {
                walk(&path, &format!("{prefix}{stem}::"), out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let module =
                    if stem == "mod" { prefix.trim_end_matches("::").to_owned() } else { format!("{prefix}{stem}") };
                out.push((module, path));
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), "", &mut out);
    out
}

/// What a file's code (not its comments, not its tests) names of the crate:
/// each `crate::` path, as the module it reaches (`judge::rule`), with the
/// line it is on.
/// The modules a file reaches, each with its line; the lines that go
/// through the crate root.
type Imports = (Vec<(String, usize)>, Vec<(usize, String)>);

fn imports(text: &str) -> Imports {
    let (mut modules, mut through_root) = (Vec::new(), Vec::new());
    let mut in_use_block = false;
    for (n, line) in text.lines().enumerate() {
        let code = line.trim_start();
        if code.starts_with("#[cfg(test)]") {
            break;
        }
        if code.starts_with("//") {
            continue;
        }
        let code = code.split("//").next().unwrap_or_default();
        if in_use_block || code.starts_with("use crate::{") || code.starts_with("pub use crate::{") {
            in_use_block = !code.contains("};");
            through_root.push((n + 1, code.to_owned()));
        }
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let path: Vec<&str> = rest
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .next()
                .unwrap_or_default()
                .split("::")
                .collect();
            match path.first() {
                Some(first) if LAYERS.contains(first) => {
                    let module = match (path.get(1), first) {
                        (Some(second), _)
                            if second.chars().next().is_some_and(char::is_lowercase)
                                && *first != "error"
                                && *first != "codes" =>
                        {
                            format!("{first}::{second}")
                        }
                        _ => (*first).to_owned(),
                    };
                    modules.push((module, n + 1));
                }
                // `crate::{` was counted above; `crate::Name` and
                // `crate::function(` go through the root's re-exports.
                Some(first) if !first.is_empty() => through_root.push((n + 1, code.to_owned())),
                _ => {}
            }
        }
    }
    (modules, through_root)
}

#[test]
fn every_module_imports_only_its_layer_and_the_ones_below() {
    let mut upward = Vec::new();
    let mut via_root = Vec::new();
    for (module, path) in files() {
        let layer = module.split("::").next().unwrap_or_default();
        if layer == "lib" {
            continue;
        }
        let mine = floor(layer).unwrap_or_else(|| panic!("{}: not in a layer ({LAYERS:?})", path.display()));
        let (imports, through_root) = imports(&std::fs::read_to_string(&path).expect("a source file"));
        for (target, line) in imports {
            let theirs = floor(target.split("::").next().unwrap_or_default()).unwrap_or(usize::MAX);
            if theirs > mine {
                upward.push(format!("{}:{line}: {module} ({layer}) imports {target}", path.display()));
            }
        }
        via_root.extend(through_root.into_iter().map(|(line, code)| format!("{}:{line}: {code}", path.display())));
    }
    assert!(upward.is_empty(), "imports from a layer above:\n{}", upward.join("\n"));
    assert!(via_root.is_empty(), "imports through the crate root (import by module path):\n{}", via_root.join("\n"));
}

#[test]
fn no_files_import_each_other() {
    let files = files();
    let known: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, path) in &files {
        if module == "lib" {
            continue;
        }
        let (imports, _) = imports(&std::fs::read_to_string(path).expect("a source file"));
        let targets = imports.into_iter().map(|(t, _)| t).filter(|t| t != module && known.contains(t));
        graph.entry(module.clone()).or_default().extend(targets);
    }
    // Depth-first search for a back edge; the circle it closes is reported.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_owned(), 1);
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let start = stack.iter().position(|n| n == next).unwrap_or(0);
                    let mut circle = stack[start..].to_vec();
                    circle.push(next.clone());
                    return Some(circle);
                }
                Some(_) => {}
                None => {
                    if let Some(circle) = visit(next, graph, state, stack) {
                        return Some(circle);
                    }
                }
            }
        }
        stack.pop();
        state.insert(node.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if !state.contains_key(node.as_str()) {
            if let Some(circle) = visit(node, &graph, &mut state, &mut Vec::new()) {
                panic!("files that import each other: {}", circle.join(" -> "));
            }
        }
    }
    // The walk saw the layers it guards.
    for layer in ["input::scan", "judge::rule", "drive::run", "plan::steps", "present::csv"] {
        assert!(graph.contains_key(layer), "{layer} not found");
    }
}
