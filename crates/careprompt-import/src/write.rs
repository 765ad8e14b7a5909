//! Writing imported plans: a directory of `<child>.json` files, or one
//! NDJSON file when the output path ends in `.ndjson` or `.jsonl`; the
//! import log goes beside it as `<name>.import-log.json`. Both are
//! written atomically (see [`crate::atomic`]).

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::atomic::{beside, commit, write_temp};
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

/// A write error about `path`, saying what was kept.
fn werr(path: &Path, e: &dyn std::fmt::Display, kept: &str) -> ImportError {
    ImportError::Write {
        path: path.display().to_string(),
        message: format!("{e}; {kept}"),
    }
}

/// What a failed write leaves: the target as it was.
fn kept(target: &Path) -> String {
    if target.exists() {
        format!("nothing was replaced: `{}` is as it was", target.display())
    } else {
        format!("nothing was written to `{}`", target.display())
    }
}

/// Whether `entry` is something an earlier import wrote into a plans
/// directory: a regular `.json` file.
fn import_wrote(entry: &std::fs::DirEntry) -> bool {
    let path = entry.path();
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    json && entry.file_type().is_ok_and(|t| t.is_file())
}

/// Checks that directory `out` may be replaced: empty, or (with `force`)
/// holding only plan files such as an import writes.
fn check_replaceable_dir(out: &Path, force: bool) -> Result<(), ImportError> {
    let entries = std::fs::read_dir(out).map_err(|e| werr(out, &e, "nothing was written"))?;
    for entry in entries {
        let entry = entry.map_err(|e| werr(out, &e, "nothing was written"))?;
        if !force {
            return Err(ImportError::Write {
                path: out.display().to_string(),
                message: "the directory is not empty (choose a new one, or pass --force to replace the plans in it)".into(),
            });
        }
        if !import_wrote(&entry) {
            return Err(ImportError::Write {
                path: out.display().to_string(),
                message: format!(
                    "holds `{}`, which an import does not write: --force replaces a directory of plans as a whole, so it only replaces one holding nothing but `.json` files (move the other files, or choose a new directory)",
                    entry.file_name().to_string_lossy()
                ),
            });
        }
    }
    Ok(())
}

/// Writes the plans to `out` and the log beside it; returns the log's path.
///
/// Nothing is changed unless everything could be written: the plans go to
/// a temporary file or directory beside `out`, which then replaces `out`
/// by renaming. A directory `out` must be empty unless `force`; with
/// `force` a directory of plans from an earlier import is replaced as a
/// whole, so no stale plan is left among the new ones. An existing `.ndjson`
/// file or import log is replaced only with `force`.
pub fn write_plans(import: &mut Import, out: &Path, force: bool) -> Result<PathBuf, ImportError> {
    let log = log_path(out).ok_or_else(|| ImportError::Write {
        path: out.display().to_string(),
        message: "give --out a directory or .ndjson file name".into(),
    })?;
    if log.exists() && !force {
        return Err(ImportError::Write {
            path: log.display().to_string(),
            message: "the import log of an earlier import is here (pass --force to replace it and its plans)".into(),
        });
    }
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| werr(parent, &e, "nothing was written"))?;
    }
    import.log.out = Some(out.display().to_string());
    import.log.plans = import.plans.len() as u64;
    if is_ndjson(out) {
        if out.is_dir() {
            return Err(ImportError::Write {
                path: out.display().to_string(),
                message: "is a directory, not an .ndjson file".into(),
            });
        }
        if out.exists() && !force {
            return Err(ImportError::Write {
                path: out.display().to_string(),
                message: "already exists (pass --force to replace it)".into(),
            });
        }
        let tmp = write_temp(out, |w| {
            for plan in import.plans.values() {
                writeln!(w, "{}", plan.to_json_line())?;
            }
            Ok(())
        })
        .map_err(|e| werr(out, &e, &kept(out)))?;
        let log_tmp = match write_temp(&log, |w| writeln!(w, "{}", import.log.to_json())) {
            Ok(t) => t,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(werr(&log, &e, &kept(out)));
            }
        };
        if let Err(e) = commit(&tmp, out) {
            let _ = std::fs::remove_file(&log_tmp);
            return Err(werr(out, &e, &kept(out)));
        }
        commit(&log_tmp, &log).map_err(|e| {
            werr(
                &log,
                &e,
                "the plans were written but the import log was not",
            )
        })?;
        return Ok(log);
    }
    let existed = out.exists();
    if existed {
        if !out.is_dir() {
            return Err(ImportError::Write {
                path: out.display().to_string(),
                message:
                    "exists and is not a directory (give a directory, or a name ending in .ndjson)"
                        .into(),
            });
        }
        check_replaceable_dir(out, force)?;
    }
    // File names first: the log lists those that differ from the child id.
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut names: Vec<(String, String)> = Vec::with_capacity(import.plans.len());
    import.log.file_names.clear();
    for id in import.plans.keys() {
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
        names.push((id.clone(), format!("{stem}.json")));
    }
    let tmp_dir = beside(out, "tmp");
    let written = (|| -> std::io::Result<()> {
        std::fs::create_dir(&tmp_dir)?;
        for (id, name) in &names {
            if let Some(plan) = import.plans.get(id) {
                let path = tmp_dir.join(name);
                let file = std::fs::File::create(&path)?;
                let mut w = std::io::BufWriter::new(file);
                writeln!(w, "{}", plan.to_json())?;
                // Flushed, so that a full disk is an error here; not synced
                // one by one (thousands of syncs take seconds), since the
                // rename below is what makes the new plans visible.
                w.flush()?;
            }
        }
        Ok(())
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&tmp_dir);
        return Err(werr(out, &e, &kept(out)));
    }
    let log_tmp = match write_temp(&log, |w| writeln!(w, "{}", import.log.to_json())) {
        Ok(t) => t,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp_dir);
            return Err(werr(&log, &e, &kept(out)));
        }
    };
    // Swap: the old directory aside, the new one in, the old one removed.
    let old = beside(out, "old");
    if existed {
        if let Err(e) = std::fs::rename(out, &old) {
            let _ = std::fs::remove_dir_all(&tmp_dir);
            let _ = std::fs::remove_file(&log_tmp);
            return Err(werr(out, &e, &kept(out)));
        }
    }
    if let Err(e) = std::fs::rename(&tmp_dir, out) {
        if existed {
            let _ = std::fs::rename(&old, out);
        }
        let _ = std::fs::remove_dir_all(&tmp_dir);
        let _ = std::fs::remove_file(&log_tmp);
        return Err(werr(out, &e, &kept(out)));
    }
    if existed {
        let _ = std::fs::remove_dir_all(&old);
    }
    commit(&log_tmp, &log).map_err(|e| {
        werr(
            &log,
            &e,
            "the plans were written but the import log was not",
        )
    })?;
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
