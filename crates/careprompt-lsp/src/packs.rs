//! The packs the server knows: one analysis workspace per directory of
//! rules, read from disk when one of its files is first opened, with the
//! editor's text of the open files.

use std::collections::{BTreeMap, BTreeSet};

use careprompt::analysis::Workspace;
use careprompt::resolve_import;

/// The most files read for one pack.
const MAX_PACK_FILES: usize = 2000;
/// The largest file read for a pack, in bytes.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// The pack a file belongs to: the directory of a rules file; for a file
/// under a `tests` directory, the directory above it. A name without a
/// directory (an untitled buffer) is a pack of its own.
pub fn pack_of(name: &str) -> String {
    if !name.contains('/') {
        return name.to_string();
    }
    let parts: Vec<&str> = name.split('/').collect();
    let dir = parts.len().saturating_sub(1);
    if let Some(t) = parts
        .get(..dir)
        .and_then(|p| p.iter().rposition(|s| *s == "tests"))
    {
        return parts.get(..t).unwrap_or_default().join("/");
    }
    parts.get(..dir).unwrap_or_default().join("/")
}

/// Every pack, and which files the editor has open.
#[derive(Debug, Default)]
pub struct Packs {
    packs: BTreeMap<String, Workspace>,
    open: BTreeSet<String>,
    disk: bool,
}

impl Packs {
    /// Packs read from disk when a file of theirs is first opened.
    pub fn from_disk() -> Packs {
        Packs {
            disk: true,
            ..Packs::default()
        }
    }

    /// Packs made only of the files the editor opens (nothing is read).
    pub fn in_memory() -> Packs {
        Packs::default()
    }

    /// The workspace of the pack `name` belongs to.
    pub fn get(&self, name: &str) -> Option<&Workspace> {
        self.packs.get(&pack_of(name))
    }

    /// The editor opened `name` with `text`.
    pub fn open(&mut self, name: &str, text: &str) {
        let key = pack_of(name);
        if !self.packs.contains_key(&key) {
            let mut ws = Workspace::new();
            // Only files (absolute paths, from `file:` URIs) have a pack on
            // disk; an untitled buffer is a pack of its own.
            if self.disk && name.starts_with('/') {
                ws.set_files(read_pack(&key));
            }
            self.packs.insert(key.clone(), ws);
        }
        self.open.insert(name.to_string());
        if let Some(ws) = self.packs.get_mut(&key) {
            if ws.text(name) != Some(text) {
                ws.set_file(name, text);
            }
        }
    }

    /// The editor changed `name`'s text.
    pub fn change(&mut self, name: &str, text: &str) {
        if !self.open.contains(name) {
            self.open(name, text);
            return;
        }
        if let Some(ws) = self.packs.get_mut(&pack_of(name)) {
            ws.set_file(name, text);
        }
    }

    /// The editor closed `name`: the pack goes back to the file on disk.
    pub fn close(&mut self, name: &str) {
        self.open.remove(name);
        let disk = self.disk;
        if let Some(ws) = self.packs.get_mut(&pack_of(name)) {
            match read(name).filter(|_| disk && name.starts_with('/')) {
                Some(text) => ws.set_file(name, &text),
                None => ws.remove_file(name),
            }
        }
    }

    /// The open files in the pack of `name`, `name` first.
    pub fn open_in_pack_of(&self, name: &str) -> Vec<String> {
        let key = pack_of(name);
        let mut out = vec![name.to_string()];
        out.extend(
            self.open
                .iter()
                .filter(|n| n.as_str() != name && pack_of(n) == key)
                .cloned(),
        );
        out
    }
}

fn read(path: &str) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

/// The files of the pack in directory `dir`: its rules files and manifest
/// (`pack.toml`, for a local pack), the test files and plans under its
/// `tests` directory, and the files they import.
fn read_pack(dir: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let join = |d: &str, n: &str| {
        if d.is_empty() {
            n.to_string()
        } else {
            format!("{d}/{n}")
        }
    };
    let list = |d: &str| -> Vec<(String, bool)> {
        let path = if d.is_empty() { "." } else { d };
        let Ok(entries) = std::fs::read_dir(path) else {
            return Vec::new();
        };
        let mut v: Vec<(String, bool)> = entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let is_dir = e.file_type().ok()?.is_dir();
                Some((join(d, &name), is_dir))
            })
            .collect();
        v.sort();
        v
    };
    for (path, is_dir) in list(dir) {
        // A local pack's manifest: the analysis compiles the pack on its base.
        if !is_dir && (path.ends_with(".cpr") || path == join(dir, "pack.toml")) {
            if let Some(t) = read(&path) {
                out.push((path, t));
            }
        }
    }
    let mut stack = vec![join(dir, "tests")];
    while let Some(d) = stack.pop() {
        for (path, is_dir) in list(&d) {
            if out.len() >= MAX_PACK_FILES {
                break;
            }
            if is_dir {
                stack.push(path);
            } else if path.ends_with(".test.toml") || path.ends_with(".json") {
                if let Some(t) = read(&path) {
                    out.push((path, t));
                }
            }
        }
    }
    // Files imported from outside the directory.
    let mut i = 0;
    while let Some((name, text)) = out.get(i).cloned() {
        i += 1;
        if !name.ends_with(".cpr") || out.len() >= MAX_PACK_FILES {
            continue;
        }
        for line in text.lines() {
            let Some(rest) = line.trim_start().strip_prefix("import") else {
                continue;
            };
            let Some(path) = rest
                .trim()
                .strip_prefix('"')
                .and_then(|r| r.split('"').next())
            else {
                continue;
            };
            let target = resolve_import(&name, path);
            let key = resolve_import("", &target);
            if out.iter().any(|(n, _)| resolve_import("", n) == key) {
                continue;
            }
            if let Some(t) = read(&target) {
                out.push((target, t));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_are_directories_of_rules_with_their_tests() {
        assert_eq!(pack_of("/a/pack/x.cpr"), "/a/pack");
        assert_eq!(pack_of("/a/pack/tests/x.test.toml"), "/a/pack");
        assert_eq!(pack_of("/a/pack/tests/fixtures/p.json"), "/a/pack");
        assert_eq!(pack_of("untitled:Untitled-1"), "untitled:Untitled-1");
    }

    #[test]
    fn in_memory_packs_hold_only_open_files() {
        let mut p = Packs::in_memory();
        p.open("/p/a.cpr", "const a = 1\n");
        p.open("/q/b.cpr", "const b = 1\n");
        assert_eq!(
            p.get("/p/a.cpr").map(|w| w.file_names()),
            Some(vec!["/p/a.cpr"])
        );
        assert_eq!(p.open_in_pack_of("/p/a.cpr"), ["/p/a.cpr"]);
        p.close("/p/a.cpr");
        assert_eq!(p.get("/p/a.cpr").map(|w| w.file_names().len()), Some(0));
    }
}
