//! The library's structure, read from its source: the modules' `use
//! crate::` (and `super::`) imports form no cycle, `lib.rs` stays a facade,
//! and a module longer than 800 lines says why in ARCHITECTURE.md.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module's path (`crate`, `plan`, `plan::tree`) and its source text
/// without comments and without its trailing `#[cfg(test)]` module.
struct Module {
    path: String,
    file: String,
    code: String,
    children: Vec<String>,
    lines: usize,
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file under src/.
fn module_path(rel: &Path) -> String {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    match last.as_str() {
        "lib.rs" | "mod.rs" => {}
        other => parts.push(other.trim_end_matches(".rs").to_string()),
    }
    if parts.is_empty() {
        "crate".to_string()
    } else {
        parts.join("::")
    }
}

/// The code of a file: comment lines dropped, cut at a top-level `#[cfg(test)]`.
fn code_of(text: &str) -> (String, usize) {
    let mut code = String::new();
    let mut lines = 0;
    for line in text.lines() {
        if line.starts_with("#[cfg(test)]") {
            break;
        }
        lines += 1;
        let t = line.trim_start();
        if t.starts_with("//") {
            continue;
        }
        code.push_str(line);
        code.push('\n');
    }
    (code, lines)
}

fn modules() -> Vec<Module> {
    let root = src();
    let mut files = Vec::new();
    rs_files(&root, &mut files);
    files.sort();
    files
        .iter()
        .map(|f| {
            let rel = f.strip_prefix(&root).unwrap();
            let text = std::fs::read_to_string(f).unwrap();
            let (code, lines) = code_of(&text);
            let children = code
                .lines()
                .filter_map(|l| {
                    let l = l.trim();
                    let l = l
                        .strip_prefix("pub(crate) ")
                        .or_else(|| l.strip_prefix("pub "))
                        .unwrap_or(l);
                    let name = l.strip_prefix("mod ")?.strip_suffix(';')?;
                    Some(name.trim().to_string())
                })
                .collect();
            Module {
                path: module_path(rel),
                file: rel.to_string_lossy().replace('\\', "/"),
                code,
                children,
                lines,
            }
        })
        .collect()
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Reads the path that starts at `s` (after `crate::` or `super::`),
/// expanding `{a, b::c}` groups, into `out` (each as segments).
fn read_paths(s: &str, prefix: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
    let mut segs = prefix;
    let mut i = 0;
    let b: Vec<char> = s.chars().collect();
    loop {
        if b.get(i) == Some(&'{') {
            // A group: each item is a path of its own under `segs`.
            i += 1;
            loop {
                while b.get(i).is_some_and(|c| c.is_whitespace() || *c == ',') {
                    i += 1;
                }
                match b.get(i) {
                    None => return i,
                    Some('}') => return i + 1,
                    _ => {}
                }
                let rest: String = b.get(i..).unwrap_or_default().iter().collect();
                i += read_paths(&rest, segs.clone(), out);
            }
        }
        let start = i;
        while b.get(i).copied().is_some_and(is_ident) {
            i += 1;
        }
        let seg: String = b.get(start..i).unwrap_or_default().iter().collect();
        if seg.is_empty() {
            out.push(segs);
            return i;
        }
        segs.push(seg);
        if b.get(i) == Some(&':') && b.get(i + 1) == Some(&':') {
            i += 2;
        } else {
            // `as` renames and the rest of the line do not matter.
            while b
                .get(i)
                .is_some_and(|c| *c != ',' && *c != '}' && *c != ';')
            {
                i += 1;
            }
            out.push(segs);
            return i;
        }
    }
}

/// The longest known module that `segs` (absolute, without `crate`) starts with.
fn resolve(segs: &[String], known: &BTreeSet<String>) -> String {
    for n in (1..=segs.len()).rev() {
        let p = segs.get(..n).unwrap().join("::");
        if known.contains(&p) {
            return p;
        }
    }
    "crate".to_string()
}

/// Every module's imports of other modules.
fn graph(mods: &[Module]) -> BTreeMap<String, BTreeSet<String>> {
    let known: BTreeSet<String> = mods.iter().map(|m| m.path.clone()).collect();
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for m in mods {
        let own: Vec<String> = if m.path == "crate" {
            Vec::new()
        } else {
            m.path.split("::").map(str::to_string).collect()
        };
        let mut paths = Vec::new();
        for (marker, base) in [
            ("crate::", Vec::new()),
            (
                "super::",
                own.get(..own.len().saturating_sub(1))
                    .unwrap_or_default()
                    .to_vec(),
            ),
        ] {
            let mut from = 0;
            while let Some(at) = m.code.get(from..).and_then(|r| r.find(marker)) {
                let pos = from + at;
                let before = m.code.get(..pos).and_then(|s| s.chars().last());
                from = pos + marker.len();
                if before.is_some_and(is_ident) {
                    continue;
                }
                read_paths(
                    m.code.get(from..).unwrap_or_default(),
                    base.clone(),
                    &mut paths,
                );
            }
        }
        // A parent's uses of its own children (`scan::scan(...)`).
        for child in &m.children {
            let marker = format!("{child}::");
            if m.code.match_indices(&marker).any(|(pos, _)| {
                !m.code
                    .get(..pos)
                    .and_then(|s| s.chars().last())
                    .is_some_and(|c| is_ident(c) || c == ':')
            }) {
                let mut p = own.clone();
                p.push(child.clone());
                paths.push(p);
            }
        }
        let edges = g.entry(m.path.clone()).or_default();
        for p in paths {
            let to = resolve(&p, &known);
            if to != m.path {
                edges.insert(to);
            }
        }
    }
    // The crate root is the facade over every module: nothing may import it.
    let all: BTreeSet<String> = known.iter().filter(|k| *k != "crate").cloned().collect();
    g.entry("crate".to_string()).or_default().extend(all);
    g
}

/// A cycle in `g`, as the modules on it, if there is one.
fn find_cycle(g: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    // 0 unvisited, 1 on the current path, 2 done.
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    fn visit<'g>(
        n: &'g str,
        g: &'g BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<&'g str, u8>,
        path: &mut Vec<&'g str>,
    ) -> Option<Vec<String>> {
        state.insert(n, 1);
        path.push(n);
        for m in g.get(n).into_iter().flatten() {
            match state.get(m.as_str()).copied().unwrap_or(0) {
                1 => {
                    let at = path.iter().position(|p| *p == m).unwrap();
                    let mut cycle: Vec<String> = path[at..].iter().map(|s| s.to_string()).collect();
                    cycle.push(m.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(m, g, state, path) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(n, 2);
        None
    }
    for n in g.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            if let Some(c) = visit(n, g, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn the_library_modules_import_each_other_without_a_cycle() {
    let mods = modules();
    let g = graph(&mods);
    // The reader sees the imports it should: a check reads the plan and
    // evaluates it; the plan's scanner builds its tree.
    for (from, to) in [
        ("check", "eval"),
        ("check", "plan"),
        ("plan::scan", "plan::tree"),
        ("plan", "plan::scan"),
        ("compile::conditions", "compile::compiler"),
    ] {
        assert!(
            g.get(from).is_some_and(|e| e.contains(to)),
            "expected `{from}` to import `{to}`; the graph read is {g:#?}"
        );
    }
    if let Some(cycle) = find_cycle(&g) {
        panic!(
            "the library's modules import each other in a circle: {}",
            cycle.join(" -> ")
        );
    }
}

/// lib.rs's module declarations, by group: a group starts at a comment
/// line after a blank line, as lib.rs lays them out, in pipeline order.
fn groups() -> Vec<Vec<String>> {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut blank = true;
    for line in lib.lines() {
        let t = line.trim();
        if t.starts_with("//") && !t.starts_with("//!") && blank {
            groups.push(Vec::new());
        }
        blank = t.is_empty();
        let t = t.strip_prefix("pub ").unwrap_or(t);
        if let Some(name) = t.strip_prefix("mod ").and_then(|n| n.strip_suffix(';')) {
            if let Some(g) = groups.last_mut() {
                g.push(name.to_string());
            }
        }
    }
    groups
}

#[test]
fn imports_point_one_way_along_the_pipeline() {
    let mods = modules();
    let g = graph(&mods);
    let groups = groups();
    let rank = |m: &str| {
        let top = m.split("::").next().unwrap_or(m);
        groups.iter().position(|g| g.iter().any(|n| n == top))
    };
    let declared: usize = groups.iter().map(Vec::len).sum();
    let top_level = mods
        .iter()
        .filter(|m| m.path != "crate" && !m.path.contains("::"))
        .count();
    assert_eq!(
        declared, top_level,
        "every module of lib.rs sits in one of its commented groups: {groups:?}"
    );
    let mut backwards = Vec::new();
    for (from, tos) in &g {
        if from == "crate" {
            continue;
        }
        for to in tos {
            if let (Some(a), Some(b)) = (rank(from), rank(to)) {
                if b > a {
                    backwards.push(format!("{from} -> {to}"));
                }
            }
        }
    }
    assert!(
        backwards.is_empty(),
        "imports from a later stage of the pipeline (lib.rs's groups): {backwards:?}"
    );
}

#[test]
fn the_cycle_finder_finds_cycles_through_groups_super_and_the_crate_root() {
    let module = |path: &str, code: &str, children: &[&str]| Module {
        path: path.into(),
        file: String::new(),
        code: code.into(),
        children: children.iter().map(|c| c.to_string()).collect(),
        lines: 0,
    };
    // a -> b through a group, b -> a through a nested path.
    let g = graph(&[
        module("crate", "mod a;\nmod b;\n", &["a", "b"]),
        module("a", "use crate::{ast, b::{X, Y}};\n", &[]),
        module("b", "fn f() { crate::a::g() }\n", &[]),
        module("ast", "", &[]),
    ]);
    let cycle = find_cycle(&g).expect("a cycle between a and b");
    assert!(cycle.contains(&"a".to_string()) && cycle.contains(&"b".to_string()));
    // A child reaching its parent through `super::` while the parent uses it.
    let g = graph(&[
        module("crate", "mod p;\n", &["p"]),
        module("p", "mod c;\nfn f() { c::g() }\n", &["c"]),
        module("p::c", "use super::Thing;\n", &[]),
    ]);
    assert!(find_cycle(&g).is_some());
    // Anything importing the crate root closes a loop through the facade.
    let g = graph(&[
        module("crate", "mod a;\n", &["a"]),
        module("a", "use crate::RuleSet;\n", &[]),
    ]);
    assert!(find_cycle(&g).is_some());
    // Imports one way only: no cycle.
    let g = graph(&[
        module("crate", "mod a;\nmod b;\n", &["a", "b"]),
        module("a", "use crate::b::X;\n", &[]),
        module("b", "", &[]),
    ]);
    assert_eq!(find_cycle(&g), None);
}

#[test]
fn lib_rs_is_a_facade_and_long_modules_say_why() {
    let mods = modules();
    let lib = mods.iter().find(|m| m.path == "crate").unwrap();
    assert!(
        lib.lines < 300,
        "lib.rs has {} lines; it should only declare modules and re-export",
        lib.lines
    );
    let architecture = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ARCHITECTURE.md"),
    )
    .unwrap();
    let long: Vec<String> = mods
        .iter()
        .filter(|m| m.lines > 800)
        .filter(|m| !architecture.contains(&format!("`src/{}`", m.file)))
        .map(|m| format!("src/{} ({} lines before its tests)", m.file, m.lines))
        .collect();
    assert!(
        long.is_empty(),
        "modules over 800 lines that ARCHITECTURE.md does not explain: {long:?}"
    );
}
