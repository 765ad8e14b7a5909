//! Writing imported plans: a directory of `<child>.json` files, or one
//! NDJSON file when the output path ends in `.ndjson` or `.jsonl`; the
//! import log goes beside it as `<name>.import-log.json`.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::{Import, ImportError};

fn is_ndjson(out: &Path) -> bool {
    out.extension()
        .is_some_and(|e| e == "ndjson" || e == "jsonl")
}

/// Where the import log for output `out` goes: beside it, named after it
/// (`plans/` → `plans.import-log.json`, `plans.ndjson` →
/// `plans.import-log.json`), so that checking the plans never reads it.
pub fn log_path(out: &Path) -> Option<PathBuf> {
    let name = if is_ndjson(out) {
        out.file_stem()?
    } else {
        out.file_name()?
    };
    let name = name.to_string_lossy();
    if name.is_empty() || name == "." || name == ".." {
        return None;
    }
    Some(out.with_file_name(format!("{name}.import-log.json")))
}

/// A file name stem for child `id`: letters, digits, `-` and `_` kept,
/// anything else replaced by `_`.
pub fn file_stem_for(id: &str) -> String {
    let stem: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if stem.is_empty() {
        "_".to_string()
    } else {
        stem
    }
}

fn werr(path: &Path, e: &dyn std::fmt::Display) -> ImportError {
    ImportError::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Writes the plans to `out` and the log beside it; returns the log's path.
///
/// A directory `out` is created if need be; unless `force`, it must be
/// empty, so that stale plans from an earlier import are never checked
/// with new ones.
pub fn write_plans(import: &mut Import, out: &Path, force: bool) -> Result<PathBuf, ImportError> {
    let log = log_path(out).ok_or_else(|| ImportError::Write {
        path: out.display().to_string(),
        message: "give --out a directory or .ndjson file name".into(),
    })?;
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| werr(parent, &e))?;
    }
    import.log.out = Some(out.display().to_string());
    import.log.plans = import.plans.len() as u64;
    if is_ndjson(out) {
        if out.exists() && !force {
            return Err(ImportError::Write {
                path: out.display().to_string(),
                message: "already exists (pass --force to replace it)".into(),
            });
        }
        let file = std::fs::File::create(out).map_err(|e| werr(out, &e))?;
        let mut w = std::io::BufWriter::new(file);
        for plan in import.plans.values() {
            writeln!(w, "{}", plan.to_json_line()).map_err(|e| werr(out, &e))?;
        }
        w.flush().map_err(|e| werr(out, &e))?;
    } else {
        if out.is_dir() {
            let mut entries = std::fs::read_dir(out).map_err(|e| werr(out, &e))?;
            if entries.next().is_some() && !force {
                return Err(ImportError::Write {
                    path: out.display().to_string(),
                    message: "the directory is not empty (choose a new one, or pass --force to write into it)".into(),
                });
            }
        } else {
            std::fs::create_dir_all(out).map_err(|e| werr(out, &e))?;
        }
        let mut used: BTreeSet<String> = BTreeSet::new();
        import.log.file_names.clear();
        for (id, plan) in &import.plans {
            let base = file_stem_for(id);
            let mut stem = base.clone();
            let mut n = 2;
            while !used.insert(stem.to_ascii_lowercase()) {
                stem = format!("{base}-{n}");
                n += 1;
            }
            if stem != *id {
                import
                    .log
                    .file_names
                    .insert(id.clone(), format!("{stem}.json"));
            }
            let path = out.join(format!("{stem}.json"));
            std::fs::write(&path, plan.to_json() + "\n").map_err(|e| werr(&path, &e))?;
        }
    }
    std::fs::write(&log, import.log.to_json() + "\n").map_err(|e| werr(&log, &e))?;
    Ok(log)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_beside_output() {
        assert_eq!(
            log_path(Path::new("a/plans")),
            Some(PathBuf::from("a/plans.import-log.json"))
        );
        assert_eq!(
            log_path(Path::new("a/plans/")),
            Some(PathBuf::from("a/plans.import-log.json"))
        );
        assert_eq!(
            log_path(Path::new("plans.ndjson")),
            Some(PathBuf::from("plans.import-log.json"))
        );
        assert_eq!(log_path(Path::new(".")), None);
    }

    #[test]
    fn stems() {
        assert_eq!(file_stem_for("566910"), "566910");
        assert_eq!(file_stem_for("a/b c"), "a_b_c");
        assert_eq!(file_stem_for(""), "_");
    }
}
