//! Imports arbitrary SSDA903 tables. The input is split at lines holding
//! only `%%` into header.csv, episodes.csv, reviews.csv, oc2.csv,
//! missing.csv and sw_episodes.csv, written to a scratch directory. The
//! import must give plans and a log, or an error, never panic; every plan
//! it writes must be one the engine accepts; every table's lines must be
//! accounted for (header, records, blank lines), unless the table was
//! rejected as damaged; and no explicit none may lie outside the plan's
//! declared coverage. fuzz/run-ci.sh gives it inputs up to 1 MiB.
#![no_main]

use std::sync::OnceLock;

use careprompt::{CheckOptions, Date, RuleSet};
use careprompt_import::ssda903;
use libfuzzer_sys::fuzz_target;

const TABLES: [&str; 6] = [
    "header",
    "episodes",
    "reviews",
    "oc2",
    "missing",
    "sw_episodes",
];

static RULES: OnceLock<Option<RuleSet>> = OnceLock::new();
static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Some(rules) = RULES.get_or_init(|| RuleSet::builtin().ok()) else {
        return;
    };
    let dir = DIR.get_or_init(|| {
        let d =
            std::env::temp_dir().join(format!("careprompt-fuzz-ssda903-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&d);
        d
    });
    let mut parts: Vec<Vec<u8>> = vec![Vec::new()];
    for line in data.split_inclusive(|b| *b == b'\n') {
        if line == b"%%\n" || line == b"%%" {
            parts.push(Vec::new());
        } else if let Some(p) = parts.last_mut() {
            p.extend_from_slice(line);
        }
    }
    for (i, table) in TABLES.iter().enumerate() {
        let path = dir.join(format!("{table}.csv"));
        match parts.get(i) {
            Some(bytes) => {
                if std::fs::write(&path, bytes).is_err() {
                    return;
                }
            }
            None => {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    let options = ssda903::Options {
        as_of: Date::from_ymd(2026, 3, 31),
        la_code: Some("201".into()),
        year_end: None,
        max_input_bytes: None,
    };
    let Ok(import) = ssda903::import_dir(dir, &options) else {
        return;
    };
    let _ = import.log.to_json();
    for t in import.log.tables.iter().filter(|t| t.present) {
        let (Some(lines), Some(blank)) = (t.lines, t.blank_lines) else {
            panic!("table {} has no line count", t.table);
        };
        // A damaged table (a quote left open, a record over lines, even in
        // its header, when it holds no record at all) is rejected whole and
        // says so; only an undamaged table must account for every line.
        // Judged by the importer's own flag, not by the wording of the log.
        if t.damaged && t.rejected != t.read {
            panic!(
                "table {} is damaged but only {} of its {} records are rejected",
                t.table, t.rejected, t.read
            );
        }
        // A table of blank lines only has no header: its lines are all
        // blank. Otherwise its first non-blank line is the header.
        let header = u64::from(lines > blank);
        if !t.damaged && lines != header + t.read + blank {
            panic!(
                "table {}: {lines} lines, but {header} header + {} records + {blank} blank",
                t.table, t.read
            );
        }
    }
    let check = CheckOptions::new(Date::from_ymd(2026, 3, 31).unwrap_or(Date::from_days(0)));
    for plan in import.plans.values() {
        let json = plan.to_json();
        let covered = plan
            .coverage
            .as_ref()
            .map(|c| c.records.clone())
            .unwrap_or_default();
        // Every explicit none the JSON holds lies under a covered path.
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&json) {
            let mut nones = Vec::new();
            explicit_nones(&value, "", &mut nones);
            for p in nones {
                let under = covered
                    .iter()
                    .any(|c| p == *c || p.starts_with(&format!("{c}.")));
                if !under {
                    panic!("explicit none at {p} outside the coverage {covered:?}");
                }
            }
        }
        if let Err(e) = rules.check_json(json.as_bytes(), &check) {
            panic!("the importer wrote a plan the engine refuses: {e}\n{json}");
        }
    }
});

/// The paths (list indices dropped) at which `value` holds `[]` or null.
fn explicit_nones(value: &serde_json::Value, path: &str, out: &mut Vec<String>) {
    use serde_json::Value;
    match value {
        Value::Null => out.push(path.to_string()),
        Value::Array(items) if items.is_empty() => out.push(path.to_string()),
        Value::Array(items) => items.iter().for_each(|v| explicit_nones(v, path, out)),
        Value::Object(map) => {
            for (k, v) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                explicit_nones(v, &p, out);
            }
        }
        _ => {}
    }
}
