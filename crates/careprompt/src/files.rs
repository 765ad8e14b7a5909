//! Rules files on disk: finding the `.cpr` files named by paths (files, or
//! directories searched recursively, skipping `tests` directories), reading
//! them as [`Source`]s, and a [`Loader`] that reads imports from disk.
//!
//! Used by hosts that take rules paths from their users (the Python
//! package); the engine itself reads nothing from disk.

use std::path::{Path, PathBuf};

use crate::load::{Loader, Source};

/// A rules path that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ReadError {
    /// The file or directory, as given.
    pub path: String,
    /// What went wrong, lowercase, with the fix where there is one.
    pub message: String,
}

/// Reads imported rules files from disk.
#[derive(Clone, Copy, Debug, Default)]
pub struct FsLoader;

impl Loader for FsLoader {
    fn load(&self, path: &str) -> Result<String, String> {
        std::fs::read_to_string(path).map_err(|e| short_io(&e))
    }
}

/// A short, lowercase reason for an I/O error.
fn short_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::InvalidData => "the file is not UTF-8 text".into(),
        _ => e.to_string().to_lowercase(),
    }
}

fn cpr_files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_none_or(|n| n != "tests") {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "cpr") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The rules files named by `paths`: each file as given, each directory's
/// `.cpr` files (recursively, sorted, without `tests` directories).
pub fn rule_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ReadError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let found = cpr_files_under(p);
            if found.is_empty() {
                return Err(ReadError {
                    path: p.display().to_string(),
                    message: "no `.cpr` rules files in this directory".into(),
                });
            }
            out.extend(found);
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(ReadError {
                path: p.display().to_string(),
                message: "no such rules file or directory".into(),
            });
        }
    }
    Ok(out)
}

/// The rules files named by `paths`, read as sources named by their paths
/// (with `/` separators), ready for [`crate::RuleSet::compile_with`].
pub fn read_sources(paths: &[PathBuf]) -> Result<Vec<Source>, ReadError> {
    let mut sources = Vec::new();
    for f in rule_files(paths)? {
        let text = std::fs::read_to_string(&f).map_err(|e| ReadError {
            path: f.display().to_string(),
            message: short_io(&e),
        })?;
        sources.push(Source::new(f.to_string_lossy().replace('\\', "/"), text));
    }
    Ok(sources)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_path_is_an_error_naming_it() {
        let err = read_sources(&[PathBuf::from("no/such/dir-for-careprompt")]).unwrap_err();
        assert_eq!(err.path, "no/such/dir-for-careprompt");
        assert!(err.message.contains("no such rules file"));
    }

    #[test]
    fn a_directory_yields_its_rules_without_tests() {
        let dir = std::env::temp_dir().join(format!("careprompt-files-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("tests")).unwrap();
        std::fs::write(dir.join("b.cpr"), "b").unwrap();
        std::fs::write(dir.join("a.cpr"), "a").unwrap();
        std::fs::write(dir.join("notes.md"), "x").unwrap();
        std::fs::write(dir.join("tests/t.cpr"), "t").unwrap();
        let got = read_sources(std::slice::from_ref(&dir)).unwrap();
        let texts: Vec<&str> = got.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["a", "b"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_empty_directory_is_an_error() {
        let dir =
            std::env::temp_dir().join(format!("careprompt-files-empty-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let err = rule_files(std::slice::from_ref(&dir)).unwrap_err();
        assert!(err.message.contains("no `.cpr` rules files"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
