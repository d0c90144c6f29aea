//! The core's modules import each other without cycles: no file depends, through its
//! `crate::` imports, on a file that depends back on it, and the domain folders stay in their
//! layers (`clinic` < `account` < `video` < `visits` < `monitor`). Test modules are left out.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
};

const LAYERS: [&str; 5] = ["clinic", "account", "video", "visits", "monitor"];

/// `src/visits/rooms.rs` → `visits::rooms`; `src/video/mod.rs` → `video`.
fn module_of(relative: &Path) -> String {
    let text = relative.with_extension("").to_string_lossy().replace('/', "::");
    text.strip_suffix("::mod").unwrap_or(&text).to_string()
}

/// The source without its `#[cfg(test)]` module (always the last item in a file here).
fn without_tests(source: &str) -> &str {
    source.split("#[cfg(test)]").next().unwrap_or(source)
}

/// Every `crate::a::b` path the file names, including those inside `use crate::{…}` groups.
fn crate_paths(source: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = matching_brace(group);
            expand("", &group[..end], &mut paths);
        } else {
            let path: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
            paths.push(path.trim_end_matches(':').to_string());
        }
    }
    paths
}

fn matching_brace(text: &str) -> usize {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return i,
            '}' => depth -= 1,
            _ => {}
        }
    }
    text.len()
}

/// `a::{b, c::{d}}` under `prefix` → `prefix::a::b`, `prefix::a::c::d`.
fn expand(prefix: &str, group: &str, out: &mut Vec<String>) {
    let mut depth = 0;
    let mut start = 0;
    let mut items = Vec::new();
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&group[start..]);
    for item in items.into_iter().map(str::trim).filter(|item| !item.is_empty()) {
        let joined = if prefix.is_empty() { item.to_string() } else { format!("{prefix}::{item}") };
        match joined.find("::{") {
            Some(at) => expand(&joined[..at], &joined[at + 3..joined.len() - 1], out),
            None => out.push(joined.split(" as ").next().unwrap_or(&joined).to_string()),
        }
    }
}

/// Which module a path lands in: the longest known module that prefixes it.
fn target_module(path: &str, modules: &BTreeSet<String>) -> Option<String> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len()).rev().map(|n| parts[..n].join("::")).find(|candidate| modules.contains(candidate))
}

fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut folders = vec![src.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().map(Result::unwrap) {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    let modules: BTreeSet<String> = files.iter().map(|file| module_of(file.strip_prefix(&src).unwrap())).collect();
    let mut graph = BTreeMap::new();
    for file in &files {
        let module = module_of(file.strip_prefix(&src).unwrap());
        let source = std::fs::read_to_string(file).unwrap();
        let targets = crate_paths(without_tests(&source))
            .iter()
            .filter_map(|path| target_module(path, &modules))
            // `lib.rs` re-exports; a module naming its own parent's items is not a dependency cycle.
            .filter(|target| target != "lib" && *target != module && !module.starts_with(&format!("{target}::")))
            .collect();
        graph.insert(module, targets);
    }
    graph
}

/// A cycle through `start`, if any: depth-first search back to it.
fn cycle_through(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![(start.to_string(), vec![start.to_string()])];
    let mut seen = BTreeSet::new();
    while let Some((node, path)) = stack.pop() {
        for next in graph.get(&node).into_iter().flatten() {
            if next == start {
                return Some([path.clone(), vec![start.to_string()]].concat());
            }
            if seen.insert(next.clone()) {
                stack.push((next.clone(), [path.clone(), vec![next.clone()]].concat()));
            }
        }
    }
    None
}

#[test]
fn no_module_depends_on_itself_through_others() {
    let graph = dependencies();
    assert!(graph.len() > 20, "the core's modules: {:?}", graph.keys());
    let cycles: Vec<String> = graph.keys().filter_map(|m| cycle_through(&graph, m)).map(|c| c.join(" → ")).collect();
    assert!(cycles.is_empty(), "dependency cycles:\n{}", cycles.join("\n"));
}

#[test]
fn domain_folders_only_import_lower_layers() {
    let layer = |module: &str| LAYERS.iter().position(|name| module.split("::").next() == Some(name));
    let mut upward = Vec::new();
    for (module, targets) in dependencies() {
        let Some(from) = layer(&module) else { continue };
        for target in targets {
            if let Some(to) = layer(&target)
                && to > from
            {
                upward.push(format!("{module} → {target}"));
            }
        }
    }
    assert!(upward.is_empty(), "imports from a lower layer to a higher one:\n{}", upward.join("\n"));
}

#[test]
fn the_parser_sees_grouped_and_nested_imports() {
    let paths = crate_paths("use crate::{AppError, account::{keychain::with_secrets, session::Session}, video};");
    assert_eq!(paths, ["AppError", "account::keychain::with_secrets", "account::session::Session", "video"]);
    let graph: BTreeMap<String, BTreeSet<String>> = [("a", "b"), ("b", "c"), ("c", "a")]
        .into_iter()
        .map(|(from, to)| (from.to_string(), BTreeSet::from([to.to_string()])))
        .collect();
    assert_eq!(cycle_through(&graph, "a").unwrap(), ["a", "b", "c", "a"]);
}
