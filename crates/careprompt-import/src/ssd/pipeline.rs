//! The SSD import: read the tables one at a time from a [`Source`], spill
//! each row to the temporary group file of its child, then build and write
//! the plans group by group.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};

use super::build::{self, ChildRows, Env, Rec, Sink};
use super::output::Writer;
use super::source::{Opened, Source};
use super::spec::{t, Table, TABLES};
use super::{Options, SsdError};
use crate::log::{Handling, ImportLog, Issue, TableCounts};

/// How far an import has got, for a progress bar.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// The table being read, or `""` while plans are built.
    pub table: &'static str,
    /// Rows read so far from that table.
    pub rows: u64,
    /// Plans written so far.
    pub plans: u64,
    /// Children in the person table (0 until it is read).
    pub children: u64,
}

/// Temporary spill files, removed when dropped.
struct Spill {
    dir: PathBuf,
    writers: Vec<csv::Writer<BufWriter<File>>>,
}

impl Spill {
    fn file(&self, g: usize) -> PathBuf {
        self.dir.join(format!("group-{g}.csv"))
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        self.writers.clear();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn spill_err(path: &Path, e: &dyn std::fmt::Display) -> SsdError {
    SsdError::Spill {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

fn hash(s: &str) -> u64 {
    let mut h = DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

fn issue(
    table: &Table,
    file: &str,
    line: Option<u64>,
    child: Option<&str>,
    level: Handling,
    reason: String,
) -> Issue {
    Issue {
        table: table.name.to_string(),
        file: file.to_string(),
        line,
        child: child.map(str::to_string),
        level,
        reason,
        value: None,
    }
}

/// Links from care episodes, placements and referrals to the child.
#[derive(Default)]
struct Links {
    cla: HashMap<String, u32>,
    placement: HashMap<String, u32>,
    referral: HashMap<String, u32>,
    assessment: HashMap<String, u32>,
}

/// Imports the SSD tables of `source` and writes one plan per child to
/// `out` (a directory, or a `.ndjson` file), with the import log beside it.
/// Returns the log. On an error nothing at `out` is changed.
pub fn import(
    source: &mut dyn Source,
    options: &Options,
    out: &Path,
    force: bool,
    progress: &mut dyn FnMut(&Progress),
) -> Result<ImportLog, SsdError> {
    let mut writer = Writer::begin(out, force)?;
    let mut log = ImportLog::new("ssd");
    log.inputs.push(source.input());
    log.as_of = Some(options.as_of.to_string());
    let n = TABLES.len();
    let mut counts: Vec<TableCounts> = TABLES
        .iter()
        .map(|t| TableCounts {
            table: t.name.to_string(),
            ..TableCounts::default()
        })
        .collect();
    let mut files = vec![String::new(); n];
    let mut present = vec![Vec::new(); n];
    let mut usable = vec![false; n];
    let mut issues: Vec<Issue> = Vec::new();

    // The person table: required, with its id column.
    let person = TABLES
        .get(t::PERSON)
        .copied()
        .ok_or_else(|| SsdError::MissingTable {
            source_name: source.input(),
            table: "ssd_person".into(),
        })?;
    let opened = source
        .open(&person)?
        .ok_or_else(|| SsdError::MissingTable {
            source_name: source.input(),
            table: person.name.to_string(),
        })?;
    if !opened.present.first().copied().unwrap_or(false) {
        return Err(SsdError::MissingColumn {
            file: opened.file.clone(),
            table: person.name.to_string(),
            column: "pers_person_id".into(),
        });
    }
    let mut people: Vec<Rec> = Vec::new();
    let mut seen_people: HashSet<String> = HashSet::new();
    {
        let c = counts
            .get_mut(t::PERSON)
            .ok_or_else(|| spill_err(out, &"no counts"))?;
        c.present = true;
        c.file = opened.file.clone();
        let file = opened.file.clone();
        source.rows(&person, &opened, &mut |line, values| {
            c.read += 1;
            let id = values.first().map(String::as_str).unwrap_or("");
            if id.is_empty() {
                c.rejected += 1;
                issues.push(issue(
                    &person,
                    &file,
                    Some(line),
                    None,
                    Handling::Rejected,
                    "`pers_person_id` is empty".into(),
                ));
            } else if !seen_people.insert(id.to_string()) {
                c.rejected += 1;
                issues.push(issue(
                    &person,
                    &file,
                    Some(line),
                    Some(id),
                    Handling::Rejected,
                    format!("row `{id}`: `pers_person_id` is a duplicate: the first row is used"),
                ));
            } else {
                people.push(Rec {
                    line,
                    v: values.to_vec(),
                });
            }
            if c.read % 10_000 == 0 {
                progress(&Progress {
                    table: person.name,
                    rows: c.read,
                    plans: 0,
                    children: 0,
                });
            }
            Ok(())
        })?;
    }
    drop(seen_people);
    people.sort_by(|a, b| a.v.first().cmp(&b.v.first()));
    let ids: HashMap<String, u32> = people
        .iter()
        .enumerate()
        .map(|(i, r)| (r.v.first().cloned().unwrap_or_default(), i as u32))
        .collect();
    set(&mut files, t::PERSON, opened.file.clone());
    set(&mut present, t::PERSON, opened.present.clone());
    set(&mut usable, t::PERSON, true);
    let children = people.len() as u64;
    let group_size = options.group_size.max(1);
    let groups = people.len().div_ceil(group_size).max(1);

    // Spill files, beside the output so they are on the same disk.
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let dir = parent.join(format!(".ssd-spill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| spill_err(&dir, &e))?;
    let mut spill = Spill {
        dir,
        writers: Vec::with_capacity(groups),
    };
    for g in 0..groups {
        let path = spill.file(g);
        let f = File::create(&path).map_err(|e| spill_err(&path, &e))?;
        spill.writers.push(
            csv::WriterBuilder::new()
                .flexible(true)
                .from_writer(BufWriter::with_capacity(1 << 15, f)),
        );
    }

    let mut links = Links::default();
    for (ti, table) in TABLES.iter().enumerate().skip(1) {
        let Some(opened) = source.open(table)? else {
            continue;
        };
        set(&mut files, ti, opened.file.clone());
        set(&mut present, ti, opened.present.clone());
        if let Some(c) = counts.get_mut(ti) {
            c.present = true;
            c.file = opened.file.clone();
        }
        let missing: Vec<&str> = table
            .columns
            .iter()
            .zip(&opened.present)
            .filter(|(c, p)| c.required && !**p)
            .map(|(c, _)| c.name)
            .collect();
        let no_person_link = !links_possible(ti, &opened)
            || (ti == t::ASSESSMENT_FACTORS
                && !usable.get(t::CIN_ASSESSMENTS).copied().unwrap_or(false));
        if !missing.is_empty() || no_person_link {
            let what = if missing.is_empty() && ti == t::ASSESSMENT_FACTORS {
                "no usable `ssd_cin_assessments` table linking its rows to a child".to_string()
            } else if missing.is_empty() {
                "no column linking its rows to a child".to_string()
            } else {
                format!("no `{}` column", missing.join("`, `"))
            };
            issues.push(issue(
                table,
                &opened.file,
                None,
                None,
                Handling::Rejected,
                format!("the table has {what}: not read, and the fields it feeds are left unknown"),
            ));
            continue;
        }
        read_table(
            source,
            ti,
            table,
            &opened,
            &ids,
            &mut links,
            &mut spill,
            counts.get_mut(ti),
            &mut issues,
            progress,
            children,
        )?;
        let read = counts.get(ti).map(|c| c.read).unwrap_or(0);
        if read == 0 {
            issues.push(issue(table, &opened.file, None, None, Handling::Note, "the table is empty: read as not populated, so the fields it feeds are left unknown (not as \"none\" for every child)".into()));
        } else {
            set(&mut usable, ti, true);
        }
    }
    for w in &mut spill.writers {
        w.flush().map_err(|e| spill_err(&spill.dir, &e))?;
    }
    spill.writers.clear();

    // Build, group by group.
    let env = Env {
        as_of: options.as_of,
        usable: &usable,
        present: &present,
        files: &files,
    };
    let mut unmapped: BTreeMap<String, u64> = BTreeMap::new();
    let mut file_names = BTreeMap::new();
    for g in 0..groups {
        let first = g * group_size;
        let these = people
            .get(first..(first + group_size).min(people.len()))
            .unwrap_or(&[]);
        let mut tables: Vec<Vec<Vec<Rec>>> = vec![vec![Vec::new(); n]; these.len()];
        let mut incomplete = vec![0u32; these.len()];
        let path = spill.file(g);
        let f = File::open(&path).map_err(|e| spill_err(&path, &e))?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(BufReader::with_capacity(1 << 16, f));
        for record in reader.records() {
            let record = record.map_err(|e| spill_err(&path, &e))?;
            let mut it = record.iter();
            let (Some(kind), Some(ti), Some(line), Some(who)) =
                (it.next(), it.next(), it.next(), it.next())
            else {
                continue;
            };
            let ti: usize = ti.parse().unwrap_or(0);
            let line: u64 = line.parse().unwrap_or(0);
            let who: usize = who.parse::<usize>().unwrap_or(0).saturating_sub(first);
            if kind == "x" {
                if let Some(m) = incomplete.get_mut(who) {
                    *m |= 1 << ti;
                }
                continue;
            }
            if let Some(slot) = tables.get_mut(who).and_then(|t| t.get_mut(ti)) {
                slot.push(Rec {
                    line,
                    v: it.map(str::to_string).collect(),
                });
            }
        }
        let mut sink = Sink {
            counts: &mut counts,
            issues: &mut issues,
            unmapped: &mut unmapped,
        };
        for (i, person) in these.iter().enumerate() {
            let id = person.v.first().map(String::as_str).unwrap_or("");
            let rows = ChildRows {
                id,
                person,
                tables: tables.get(i).map(Vec::as_slice).unwrap_or(&[]),
                incomplete: incomplete.get(i).copied().unwrap_or(0),
            };
            let plan = build::plan(&env, &mut sink, &rows);
            if let Some(name) = writer.write(id, &plan)? {
                file_names.insert(id.to_string(), name);
            }
        }
        progress(&Progress {
            table: "",
            rows: 0,
            plans: writer.count,
            children,
        });
    }
    for (column, count) in &unmapped {
        let (table, _) = column.split_once('.').unwrap_or((column, ""));
        issues.push(Issue {
            table: table.to_string(),
            file: String::new(),
            line: None,
            child: None,
            level: Handling::Note,
            reason: format!("`{column}`: {count} value(s) not recognised and left out (the rows are listed as warnings in the import log)"),
            value: None,
        });
    }
    log.tables = counts;
    log.issues = issues;
    log.file_names = file_names;
    writer.commit(&mut log)?;
    Ok(log)
}

fn set<T>(v: &mut [T], i: usize, value: T) {
    if let Some(slot) = v.get_mut(i) {
        *slot = value;
    }
}

/// A map from a linking column's values to the child's index.
type Link<'a> = (usize, &'a HashMap<String, u32>);

/// Whether rows of table `ti` can be linked to a child with the columns it has.
fn links_possible(ti: usize, opened: &Opened) -> bool {
    let has = |i: usize| opened.present.get(i).copied().unwrap_or(false);
    match ti {
        t::PLACEMENT => has(0) || has(1) || has(2),
        t::REVIEWS => has(1) || has(2),
        t::INVOLVEMENTS => has(1) || has(2),
        _ => true,
    }
}

#[allow(clippy::too_many_arguments)]
fn read_table(
    source: &mut dyn Source,
    ti: usize,
    table: &Table,
    opened: &Opened,
    ids: &HashMap<String, u32>,
    links: &mut Links,
    spill: &mut Spill,
    counts: Option<&mut TableCounts>,
    issues: &mut Vec<Issue>,
    progress: &mut dyn FnMut(&Progress),
    children: u64,
) -> Result<(), SsdError> {
    let mut scratch = TableCounts::default();
    let c = counts.unwrap_or(&mut scratch);
    let mut seen: HashSet<u64> = HashSet::new();
    let has = |i: usize| opened.present.get(i).copied().unwrap_or(false);
    let file = opened.file.clone();
    let group_size = if spill.writers.is_empty() {
        1
    } else {
        ids.len().div_ceil(spill.writers.len()).max(1)
    };
    let mut new_links: Vec<(u8, String, u32)> = Vec::new();
    let mut record: Vec<String> = Vec::with_capacity(table.columns.len() + 4);
    source.rows(table, opened, &mut |line, v| {
        c.read += 1;
        if c.read % 10_000 == 0 {
            progress(&Progress {
                table: table.name,
                rows: c.read,
                plans: 0,
                children,
            });
        }
        let get = |i: usize| v.get(i).map(String::as_str).unwrap_or("");
        let id = get(0);
        if id.is_empty() {
            c.rejected += 1;
            issues.push(issue(
                table,
                &file,
                Some(line),
                None,
                Handling::Rejected,
                format!(
                    "`{}` is empty",
                    table.columns.first().map(|c| c.name).unwrap_or("")
                ),
            ));
            return Ok(());
        }
        // Which child: a person column, or a link through the care episode
        // or referral.
        let (person_col, via): (usize, Vec<Link>) = match ti {
            t::CLA_EPISODES => (1, vec![]),
            t::CIN_EPISODES => (1, vec![]),
            t::PLACEMENT => (1, vec![(0, &links.placement), (2, &links.cla)]),
            t::REVIEWS => (2, vec![(1, &links.cla)]),
            t::INVOLVEMENTS => (1, vec![(2, &links.referral)]),
            t::ASSESSMENT_FACTORS => (usize::MAX, vec![(1, &links.assessment)]),
            _ => (1, vec![]),
        };
        let mut who: Option<u32> = None;
        let mut named = false;
        if has(person_col) && !get(person_col).is_empty() {
            named = true;
            who = ids.get(get(person_col)).copied();
        } else {
            for (col, map) in via {
                if has(col) && !get(col).is_empty() {
                    if let Some(p) = map.get(get(col)) {
                        who = Some(*p);
                        named = true;
                        break;
                    }
                    named = true;
                }
            }
        }
        let Some(who) = who else {
            c.rejected += 1;
            let why = if named && ti == t::ASSESSMENT_FACTORS {
                "its assessment is not in `ssd_cin_assessments` (or that assessment's child is not in `ssd_person`): an orphan row"
            } else if named {
                "its child is not in `ssd_person` (an orphan row)"
            } else {
                "no person id, and no care episode, referral or assessment linking it to a child"
            };
            issues.push(issue(
                table,
                &file,
                Some(line),
                None,
                Handling::Rejected,
                format!("row `{id}`: {why}"),
            ));
            return Ok(());
        };
        let g = (who as usize) / group_size;
        let w = spill
            .writers
            .get_mut(g)
            .ok_or_else(|| spill_err(&spill.dir, &"no spill group"))?;
        if !seen.insert(hash(id)) {
            c.rejected += 1;
            let child = ids
                .iter()
                .find(|(_, v)| **v == who)
                .map(|(k, _)| k.as_str());
            issues.push(issue(
                table,
                &file,
                Some(line),
                child,
                Handling::Rejected,
                format!(
                    "row `{id}`: `{}` is a duplicate (another row has the same id)",
                    table.columns.first().map(|c| c.name).unwrap_or("")
                ),
            ));
            w.write_record(["x", &ti.to_string(), &line.to_string(), &who.to_string()])
                .map_err(|e| spill_err(&spill.dir, &e))?;
            return Ok(());
        }
        match ti {
            t::CLA_EPISODES => {
                if !get(5).is_empty() {
                    new_links.push((0, get(5).to_string(), who));
                }
                if !get(6).is_empty() {
                    new_links.push((1, get(6).to_string(), who));
                }
            }
            t::CIN_ASSESSMENTS => {
                new_links.push((3, id.to_string(), who));
            }
            t::CIN_EPISODES => {
                new_links.push((2, id.to_string(), who));
                c.used += 1;
                return Ok(());
            }
            _ => {}
        }
        record.clear();
        record.push("r".into());
        record.push(ti.to_string());
        record.push(line.to_string());
        record.push(who.to_string());
        record.extend(v.iter().cloned());
        w.write_record(&record)
            .map_err(|e| spill_err(&spill.dir, &e))?;
        Ok(())
    })?;
    for (kind, key, who) in new_links {
        let map = match kind {
            0 => &mut links.cla,
            1 => &mut links.placement,
            2 => &mut links.referral,
            _ => &mut links.assessment,
        };
        map.entry(key).or_insert(who);
    }
    Ok(())
}
