//! The SSDA903 return (children looked after), as the DfE's CSV tables:
//! one plan per child in the header table.
//!
//! The plans describe each child at the as-of date (by default the end of
//! the collection year): rows dated after it are not carried. See
//! `docs/import.md` for the mapping and for how odd rows are handled.
//!
//! - `importer`: the state of one import, every row's fate and the checks
//!   every table shares;
//! - `episodes`: episodes into placements, legal and looked-after status;
//! - `lists`: the per-child list tables and the tables not carried.

mod episodes;
mod importer;
mod lists;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use careprompt::Date;

use crate::plan::Plan;
use crate::read::MAX_INPUT_BYTES;
use crate::table::{parse_dmy, Table};
use crate::{Import, ImportError};
use importer::{Importer, TabId};

/// Options for an SSDA903 import.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The date the plans describe. Default: the end of the collection year.
    pub as_of: Option<Date>,
    /// The responsible local authority's code, in the form PL_LA uses: sets
    /// `child.home_local_authority`, and `out_of_area` where PL_LOCATION is
    /// absent.
    pub la_code: Option<String>,
    /// The end of the collection year (31 March). Default: the first 31
    /// March on or after the latest episode start (on or before the as-of
    /// date, when one is given).
    pub year_end: Option<Date>,
    /// The most bytes one table may hold (default [`MAX_INPUT_BYTES`]).
    pub max_input_bytes: Option<u64>,
}

/// The tables read, in order, with the columns each must have.
pub const TABLES: &[(&str, &[&str])] = &[
    ("header", &["CHILD", "DOB"]),
    (
        "episodes",
        &["CHILD", "DECOM", "RNE", "LS", "PLACE", "DEC", "REC"],
    ),
    ("reviews", &["CHILD", "REVIEW", "REVIEW_CODE"]),
    ("oc2", &["CHILD", "SDQ_SCORE"]),
    ("missing", &["CHILD", "MISSING", "MIS_START", "MIS_END"]),
    ("sw_episodes", &["CHILD", "SW_DECOM", "SW_REASON"]),
    ("uasc", &["CHILD"]),
    ("oc3", &["CHILD"]),
    ("ad1", &["CHILD"]),
    ("placed_for_adoption", &["CHILD"]),
    ("previous_permanence", &["CHILD"]),
];

/// The longest child id accepted (SSDA903 CHILD is at most 10 characters).
pub const MAX_CHILD_ID_LEN: usize = 100;

/// Tables checked but not carried: the schema has no field for them.
const NOT_CARRIED_TABLES: &[(&str, &[&str], &str)] = &[
    (
        "uasc",
        &["DUC"],
        "unaccompanied asylum-seeking child status",
    ),
    ("oc3", &[], "care leavers' outcomes"),
    ("ad1", &["DATE_INT", "DATE_MATCH"], "adoption"),
    (
        "placed_for_adoption",
        &["DATE_PLACED", "DATE_PLACED_CEASED"],
        "decisions to place for adoption",
    ),
    (
        "previous_permanence",
        &["DATE_PERM"],
        "permanence before this period of care",
    ),
];

/// The tables found in `dir` by name, and the other CSV files with why
/// each is not read.
type Found = (HashMap<String, PathBuf>, Vec<(PathBuf, &'static str)>);

fn find_tables(dir: &Path) -> Result<Found, ImportError> {
    let rd = std::fs::read_dir(dir).map_err(|e| ImportError::Read {
        path: dir.display().to_string(),
        message: e.to_string(),
    })?;
    let mut found = HashMap::new();
    let mut other = Vec::new();
    let mut paths: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        let is_csv = p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        if !is_csv {
            continue;
        }
        if !p.is_file() {
            // A FIFO or device would block or never end; a directory is not a table.
            other.push((p, "not a regular file; ignored"));
            continue;
        }
        let stem = p
            .file_stem()
            .map(|s| s.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if !TABLES.iter().any(|(t, _)| *t == stem) {
            other.push((p, "not an SSDA903 table name this import reads; ignored"));
            continue;
        }
        match found.entry(stem) {
            std::collections::hash_map::Entry::Occupied(_) => other.push((
                p,
                "a second file for the same table (names are case-insensitive); ignored",
            )),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(p);
            }
        }
    }
    Ok((found, other))
}

/// The first 31 March on or after `d`.
fn year_end_after(d: Date) -> Date {
    let (y, m, _) = d.ymd();
    let year = if m <= 3 { y } else { y + 1 };
    Date::from_ymd(year, 3, 31).unwrap_or(d)
}

/// One table's step: reads its rows into the plans.
type Step = fn(&mut Importer, TabId, &Table, &mut BTreeMap<String, Plan>);

/// The tables after the header, in the order they are read, with the step
/// that reads each. Every table goes through the same three moves: taken
/// from the tables found, registered (columns and damage checked), and
/// read when present.
const STEPS: &[(&str, Step)] = &[
    ("episodes", Importer::episodes),
    ("reviews", Importer::reviews),
    ("oc2", Importer::oc2),
    ("missing", Importer::missing),
    ("sw_episodes", Importer::sw_episodes),
    ("uasc", Importer::not_carried_table),
    ("oc3", Importer::not_carried_table),
    ("ad1", Importer::not_carried_table),
    ("placed_for_adoption", Importer::not_carried_table),
    ("previous_permanence", Importer::not_carried_table),
];

/// Imports the SSDA903 tables in `dir`.
pub fn import_dir(dir: &Path, options: &Options) -> Result<Import, ImportError> {
    if !dir.is_dir() {
        return Err(ImportError::NotADirectory {
            path: dir.display().to_string(),
        });
    }
    let limit = options.max_input_bytes.unwrap_or(MAX_INPUT_BYTES);
    let (found, other) = find_tables(dir)?;
    let header_path = found
        .get("header")
        .ok_or_else(|| ImportError::MissingHeader {
            path: dir.display().to_string(),
        })?;
    let mut tables: HashMap<&'static str, Table> = HashMap::new();
    for (name, _) in TABLES {
        if let Some(p) = found.get(*name) {
            tables.insert(name, Table::read(p, limit)?);
        }
    }
    let header = tables.remove("header").unwrap_or_default();
    if let Some((line, reason)) = &header.damage {
        return Err(ImportError::Damaged {
            path: header_path.display().to_string(),
            line: *line,
            reason: format!("{reason}; without a sound header table the children are not known"),
        });
    }
    for col in ["CHILD", "DOB"] {
        if !header.has(col) {
            return Err(ImportError::MissingColumn {
                path: header_path.display().to_string(),
                column: col.to_string(),
            });
        }
    }
    // The collection year: the 31 March on or after the latest episode start
    // (on or before the as-of date, when one is given).
    let latest = tables
        .get("episodes")
        .filter(|t| t.damage.is_none())
        .and_then(|t| {
            t.rows
                .iter()
                .filter_map(|r| parse_dmy(t.get(r, "DECOM")))
                .filter(|d| options.as_of.is_none_or(|a| *d <= a))
                .max()
        });
    let year_end = match (options.year_end, latest, options.as_of) {
        (Some(y), _, _) => y,
        (None, Some(d), _) => year_end_after(d),
        (None, None, Some(a)) => year_end_after(a),
        (None, None, None) => {
            return Err(ImportError::CollectionYear(
                "the episodes table has no episode start dates; pass --year-end or --as-of".into(),
            ))
        }
    };
    let as_of = options.as_of.unwrap_or(year_end);
    let mut imp = Importer::new(options.clone(), as_of, year_end);
    imp.log.inputs.push(dir.display().to_string());
    imp.log.as_of = Some(as_of.to_string());
    imp.log.collection_year_end = Some(year_end.to_string());
    imp.log.la_code = options.la_code.clone();
    if as_of > year_end {
        imp.note(
            "",
            format!(
                "the as-of date {as_of} is after the end of the collection year ({year_end}): the return carries nothing after the year end, so placements, reviews and missing episodes since then are not in the plans, and a placement open at the year end may have ended since"
            ),
        );
    }
    for (p, why) in &other {
        imp.note("", format!("{}: {why}", p.display()));
    }

    let h = imp.tab("header", Some(&header));
    imp.read_header(h, &header);
    let mut plans: BTreeMap<String, Plan> = imp
        .children
        .iter()
        .map(|(c, (_, dob))| {
            let mut p = Plan::new(c);
            p.child.date_of_birth = dob.map(|d| d.to_string());
            p.child.home_local_authority = options.la_code.clone();
            (c.clone(), p)
        })
        .collect();
    for (name, step) in STEPS {
        let table = tables.remove(name);
        let id = imp.tab(name, table.as_ref());
        if let Some(table) = &table {
            step(&mut imp, id, table, &mut plans);
        }
    }
    imp.finish();
    for plan in plans.values_mut() {
        plan.declare_coverage("ssda903");
    }
    imp.log.plans = plans.len() as u64;
    Ok(Import {
        plans,
        log: imp.log,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_ends() {
        let d = |y, m, dd| Date::from_ymd(y, m, dd).unwrap();
        assert_eq!(year_end_after(d(2018, 3, 31)), d(2018, 3, 31));
        assert_eq!(year_end_after(d(2018, 4, 1)), d(2019, 3, 31));
        assert_eq!(year_end_after(d(2017, 12, 1)), d(2018, 3, 31));
    }

    #[test]
    fn distances() {
        use episodes::distance;
        assert_eq!(distance(""), Ok(None));
        assert_eq!(distance("999.9"), Ok(None));
        assert_eq!(distance("12.5"), Ok(Some(12.5)));
        assert!(distance("far").is_err());
        assert!(distance("-1").is_err());
    }
}
