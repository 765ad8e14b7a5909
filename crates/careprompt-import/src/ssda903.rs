//! The SSDA903 return (children looked after), as the DfE's CSV tables:
//! one plan per child in the header table.
//!
//! The plans describe each child at the as-of date (by default the end of
//! the collection year): rows dated after it are not carried. See
//! `docs/import.md` for the mapping and for how odd rows are handled.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use careprompt::Date;

use crate::codes;
use crate::log::{ImportLog, Issue, Level, TableCounts};
use crate::plan::{
    Crisis, Health, MissingEpisode, People, Placement, Plan, Review, SdqScore, Voice, WorkerChange,
};
use crate::table::{dmy, parse_dmy, Row, Table};
use crate::{Import, ImportError};

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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    Pending,
    Used,
    Rejected,
    NotCarried,
}

struct TabState {
    name: &'static str,
    file: String,
    present: bool,
    fate: Vec<Fate>,
    warnings: u64,
}

type TabId = usize;

struct Importer {
    opts: Options,
    as_of: Date,
    year_end: Date,
    log: ImportLog,
    tabs: Vec<TabState>,
    /// Child → (header line, date of birth).
    children: BTreeMap<String, (u64, Option<Date>)>,
    /// Children with at least one valid episode row: looked after in the year.
    in_care_in_year: BTreeSet<String>,
}

/// A valid episode row.
#[derive(Clone, Debug)]
struct Ep {
    idx: usize,
    line: u64,
    decom: Date,
    /// DEC, unless blank or after the as-of date or the end of the year.
    dec: Option<Date>,
    rne: String,
    ls: String,
    place: String,
    rec: String,
    reason: String,
    pl_la: String,
    pl_location: String,
    pl_distance: String,
}

fn find_tables(dir: &Path) -> Result<(HashMap<String, PathBuf>, Vec<PathBuf>), ImportError> {
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
        if !is_csv || !p.is_file() {
            continue;
        }
        let stem = p
            .file_stem()
            .map(|s| s.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if TABLES.iter().any(|(t, _)| *t == stem) && !found.contains_key(&stem) {
            found.insert(stem, p);
        } else {
            other.push(p);
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

/// Imports the SSDA903 tables in `dir`.
pub fn import_dir(dir: &Path, options: &Options) -> Result<Import, ImportError> {
    if !dir.is_dir() {
        return Err(ImportError::NotADirectory {
            path: dir.display().to_string(),
        });
    }
    let (found, other) = find_tables(dir)?;
    let header_path = found
        .get("header")
        .ok_or_else(|| ImportError::MissingHeader {
            path: dir.display().to_string(),
        })?;
    let mut tables: HashMap<&'static str, Table> = HashMap::new();
    for (name, _) in TABLES {
        if let Some(p) = found.get(*name) {
            tables.insert(name, Table::read(p)?);
        }
    }
    let header = tables.remove("header").unwrap_or_default();
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
    let latest = tables.get("episodes").and_then(|t| {
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
    let mut imp = Importer {
        opts: options.clone(),
        as_of,
        year_end,
        log: ImportLog::new("ssda903"),
        tabs: Vec::new(),
        children: BTreeMap::new(),
        in_care_in_year: BTreeSet::new(),
    };
    imp.log.inputs.push(dir.display().to_string());
    imp.log.as_of = Some(as_of.to_string());
    imp.log.collection_year_end = Some(year_end.to_string());
    imp.log.la_code = options.la_code.clone();
    if as_of > year_end {
        imp.note(
            "",
            format!(
                "the as-of date {} is after the end of the collection year ({}): the return carries nothing after the year end, so placements, reviews and missing episodes since then are not in the plans",
                as_of,
                year_end
            ),
        );
    }
    for p in &other {
        imp.note(
            "",
            format!(
                "{}: not an SSDA903 table name this import reads; ignored",
                p.display()
            ),
        );
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

    let t = tables.remove("episodes");
    let e = imp.tab("episodes", t.as_ref());
    if let Some(t) = &t {
        imp.episodes(e, t, &mut plans);
    }
    let t = tables.remove("reviews");
    let r = imp.tab("reviews", t.as_ref());
    if let Some(t) = &t {
        imp.reviews(r, t, &mut plans);
    }
    let t = tables.remove("oc2");
    let o = imp.tab("oc2", t.as_ref());
    if let Some(t) = &t {
        imp.oc2(o, t, &mut plans);
    }
    let t = tables.remove("missing");
    let m = imp.tab("missing", t.as_ref());
    if let Some(t) = &t {
        imp.missing(m, t, &mut plans);
    }
    let t = tables.remove("sw_episodes");
    let s = imp.tab("sw_episodes", t.as_ref());
    if let Some(t) = &t {
        imp.sw_episodes(s, t, &mut plans);
    }
    for (name, dates, what) in NOT_CARRIED_TABLES {
        let t = tables.remove(name);
        let id = imp.tab(name, t.as_ref());
        if let Some(t) = &t {
            imp.not_carried_table(id, t, dates, what);
        }
    }
    imp.finish();
    imp.log.plans = plans.len() as u64;
    Ok(Import {
        plans,
        log: imp.log,
    })
}

impl Importer {
    fn tab(&mut self, name: &'static str, table: Option<&Table>) -> TabId {
        let id = self.tabs.len();
        self.tabs.push(TabState {
            name,
            file: table.map(|t| t.file.clone()).unwrap_or_default(),
            present: table.is_some(),
            fate: vec![Fate::Pending; table.map_or(0, |t| t.rows.len())],
            warnings: 0,
        });
        if let (Some(t), Some((_, cols))) = (table, TABLES.iter().find(|(n, _)| *n == name)) {
            let missing = t.missing_columns(cols);
            if !missing.is_empty() {
                let reason = format!(
                    "the table lacks column(s) {}: all {} row(s) rejected",
                    missing.join(", "),
                    t.rows.len()
                );
                self.push(id, None, None, Level::Rejected, reason);
                if let Some(s) = self.tabs.get_mut(id) {
                    s.fate.iter_mut().for_each(|f| *f = Fate::Rejected);
                }
            }
        }
        id
    }

    fn usable(&self, t: TabId, idx: usize) -> bool {
        self.tabs
            .get(t)
            .and_then(|s| s.fate.get(idx))
            .is_some_and(|f| *f == Fate::Pending)
    }

    fn push(
        &mut self,
        t: TabId,
        line: Option<u64>,
        child: Option<&str>,
        level: Level,
        reason: String,
    ) {
        let (table, file) = self
            .tabs
            .get(t)
            .map(|s| (s.name.to_string(), s.file.clone()))
            .unwrap_or_default();
        self.log.issues.push(Issue {
            table,
            file,
            line,
            child: child.filter(|c| !c.is_empty()).map(str::to_string),
            level,
            reason,
        });
    }

    fn note(&mut self, table: &str, reason: String) {
        self.log.issues.push(Issue {
            table: table.to_string(),
            file: String::new(),
            line: None,
            child: None,
            level: Level::Note,
            reason,
        });
    }

    fn set(&mut self, t: TabId, idx: usize, fate: Fate) {
        if let Some(f) = self.tabs.get_mut(t).and_then(|s| s.fate.get_mut(idx)) {
            *f = fate;
        }
    }

    fn reject(&mut self, t: TabId, row: &Row, idx: usize, child: &str, reason: String) {
        self.set(t, idx, Fate::Rejected);
        self.push(t, Some(row.line), Some(child), Level::Rejected, reason);
    }

    fn not_carried(&mut self, t: TabId, line: u64, idx: usize, child: &str, reason: String) {
        self.set(t, idx, Fate::NotCarried);
        self.push(t, Some(line), Some(child), Level::NotCarried, reason);
    }

    fn warn(&mut self, t: TabId, line: u64, child: &str, reason: String) {
        if let Some(s) = self.tabs.get_mut(t) {
            s.warnings += 1;
        }
        self.push(t, Some(line), Some(child), Level::Warning, reason);
    }

    fn finish(&mut self) {
        for s in &self.tabs {
            let mut c = TableCounts {
                table: s.name.to_string(),
                file: s.file.clone(),
                present: s.present,
                read: s.fate.len() as u64,
                warnings: s.warnings,
                ..TableCounts::default()
            };
            for f in &s.fate {
                match f {
                    // Every row is decided; a pending one would be a bug, and
                    // is counted as used rather than lost.
                    Fate::Used | Fate::Pending => c.used += 1,
                    Fate::Rejected => c.rejected += 1,
                    Fate::NotCarried => c.not_carried += 1,
                }
            }
            self.log.tables.push(c);
        }
        let absent: Vec<&str> = self
            .tabs
            .iter()
            .filter(|s| !s.present)
            .map(|s| s.name)
            .collect();
        for name in absent {
            let what = match name {
                "episodes" => {
                    "placements, looked_after and legal_status are left out of every plan"
                }
                "reviews" => "voice.reviews is left out of every plan",
                "oc2" => "health.sdq_scores is left out of every plan",
                "missing" => "crisis.missing_episodes is left out of every plan",
                "sw_episodes" => "people.worker_changes is left out of every plan",
                _ => "nothing from it is needed",
            };
            self.note(name, format!("{name}.csv is not in the directory: {what}"));
        }
    }

    /// Common checks: CHILD present and in the header. Returns the child id
    /// when the row can go on.
    fn child_of(&mut self, t: TabId, table: &Table, row: &Row, idx: usize) -> Option<String> {
        let child = table.get(row, "CHILD").to_string();
        if child.is_empty() {
            self.reject(t, row, idx, "", "CHILD is blank".into());
            return None;
        }
        if child.len() > MAX_CHILD_ID_LEN {
            let reason = format!("CHILD is longer than {MAX_CHILD_ID_LEN} characters");
            self.reject(t, row, idx, "", reason);
            return None;
        }
        if !self.children.contains_key(&child) {
            self.reject(t, row, idx, &child, "no header row for this child".into());
            return None;
        }
        if table.has("DOB") {
            let dob = table.get(row, "DOB");
            if let (Some(d), Some((_, Some(h)))) = (parse_dmy(dob), self.children.get(&child)) {
                if d != *h {
                    let h = *h;
                    self.warn(
                        t,
                        row.line,
                        &child,
                        format!(
                            "DOB {dob} differs from the header's ({}); the header's is used",
                            dmy(h)
                        ),
                    );
                }
            }
        }
        Some(child)
    }

    /// Rejects an exact repeat of an earlier row; true if it was one.
    fn duplicate(
        &mut self,
        t: TabId,
        row: &Row,
        idx: usize,
        child: &str,
        seen: &mut HashMap<Vec<String>, u64>,
    ) -> bool {
        if let Some(first) = seen.get(&row.fields) {
            let first = *first;
            self.reject(t, row, idx, child, format!("duplicate of line {first}"));
            return true;
        }
        seen.insert(row.fields.clone(), row.line);
        false
    }

    /// Checks a date column: Some(Some(date)), Some(None) when blank and
    /// `blank_ok`; None (and the row rejected) otherwise.
    fn date(
        &mut self,
        t: TabId,
        table: &Table,
        (row, idx): (&Row, usize),
        child: &str,
        col: &str,
        blank_ok: bool,
    ) -> Option<Option<Date>> {
        let text = table.get(row, col);
        if text.is_empty() {
            if blank_ok {
                return Some(None);
            }
            self.reject(t, row, idx, child, format!("{col} is blank"));
            return None;
        }
        match parse_dmy(text) {
            Some(d) => Some(Some(d)),
            None => {
                self.reject(
                    t,
                    row,
                    idx,
                    child,
                    format!("{col} `{text}` is not a date (DD/MM/YYYY)"),
                );
                None
            }
        }
    }

    /// Rejects a row dated after the end of the collection year, and marks
    /// one dated after the as-of date as not carried; true if either.
    fn out_of_range(
        &mut self,
        t: TabId,
        row: &Row,
        idx: usize,
        child: &str,
        col: &str,
        d: Date,
    ) -> bool {
        if d > self.year_end {
            let reason = format!(
                "{col} {} is after the end of the collection year ({})",
                dmy(d),
                dmy(self.year_end)
            );
            self.reject(t, row, idx, child, reason);
            return true;
        }
        if d > self.as_of {
            let reason = format!(
                "{col} {} is after the as-of date ({})",
                dmy(d),
                dmy(self.as_of)
            );
            self.not_carried(t, row.line, idx, child, reason);
            return true;
        }
        false
    }

    fn read_header(&mut self, t: TabId, table: &Table) {
        let mut seen = HashMap::new();
        for (idx, row) in table.rows.iter().enumerate() {
            if !self.usable(t, idx) {
                continue;
            }
            let child = table.get(row, "CHILD").to_string();
            if child.is_empty() {
                self.reject(t, row, idx, "", "CHILD is blank".into());
                continue;
            }
            if child.len() > MAX_CHILD_ID_LEN {
                let reason = format!("CHILD is longer than {MAX_CHILD_ID_LEN} characters");
                self.reject(t, row, idx, "", reason);
                continue;
            }
            if self.duplicate(t, row, idx, &child, &mut seen) {
                continue;
            }
            if let Some((first, _)) = self.children.get(&child) {
                let reason = format!("a second header row for this child, different from line {first}; line {first} is used");
                self.reject(t, row, idx, &child, reason);
                continue;
            }
            let dob_text = table.get(row, "DOB");
            let dob = parse_dmy(dob_text);
            if dob.is_none() {
                self.warn(
                    t,
                    row.line,
                    &child,
                    format!("DOB `{dob_text}` is not a date (DD/MM/YYYY): date_of_birth left out"),
                );
            }
            self.children.insert(child, (row.line, dob));
            self.set(t, idx, Fate::Used);
        }
    }

    fn episodes(&mut self, t: TabId, table: &Table, plans: &mut BTreeMap<String, Plan>) {
        let year = self.year_end.ymd().0;
        let mut seen = HashMap::new();
        let mut by_child: BTreeMap<String, Vec<Ep>> = BTreeMap::new();
        let mut starts: HashMap<(String, Date), u64> = HashMap::new();
        // Children with an episode row rejected for a reason that leaves a
        // hole in their history.
        let mut broken: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for (idx, row) in table.rows.iter().enumerate() {
            if !self.usable(t, idx) {
                continue;
            }
            let Some(child) = self.child_of(t, table, row, idx) else {
                continue;
            };
            if self.duplicate(t, row, idx, &child, &mut seen) {
                continue;
            }
            self.in_care_in_year.insert(child.clone());
            let Some(Some(decom)) = self.date(t, table, (row, idx), &child, "DECOM", false) else {
                broken.entry(child).or_default().push(row.line);
                continue;
            };
            let Some(mut dec) = self.date(t, table, (row, idx), &child, "DEC", true) else {
                broken.entry(child).or_default().push(row.line);
                continue;
            };
            if let Some(d) = dec {
                if d < decom {
                    let reason = format!("DEC {} is before DECOM {}", dmy(d), dmy(decom));
                    self.reject(t, row, idx, &child, reason);
                    broken.entry(child).or_default().push(row.line);
                    continue;
                }
            }
            if self.out_of_range(t, row, idx, &child, "DECOM", decom) {
                continue;
            }
            if let Some(first) = starts.get(&(child.clone(), decom)) {
                let reason =
                    format!("another episode of this child starts the same day (line {first})");
                self.reject(t, row, idx, &child, reason);
                broken.entry(child).or_default().push(row.line);
                continue;
            }
            starts.insert((child.clone(), decom), row.line);
            if let Some(d) = dec {
                if d > self.year_end {
                    let reason = format!(
                        "DEC {} is after the end of the collection year ({}): the episode is taken as open at the year end",
                        dmy(d),
                        dmy(self.year_end)
                    );
                    self.warn(t, row.line, &child, reason);
                    dec = None;
                } else if d > self.as_of {
                    dec = None;
                } else if d == decom {
                    self.warn(
                        t,
                        row.line,
                        &child,
                        "the episode starts and ends on the same day".into(),
                    );
                }
            }
            let ep = Ep {
                idx,
                line: row.line,
                decom,
                dec,
                rne: table.get(row, "RNE").to_string(),
                ls: table.get(row, "LS").to_string(),
                place: table.get(row, "PLACE").to_string(),
                rec: table.get(row, "REC").to_string(),
                reason: table.get(row, "REASON_PLACE_CHANGE").to_string(),
                pl_la: table.get(row, "PL_LA").to_string(),
                pl_location: table.get(row, "PL_LOCATION").to_string(),
                pl_distance: table.get(row, "PL_DISTANCE").to_string(),
            };
            self.check_codes(t, &child, &ep, year);
            by_child.entry(child).or_default().push(ep);
        }
        for (child, mut eps) in by_child {
            eps.sort_by_key(|e| e.decom);
            let mut holes = broken.remove(&child).unwrap_or_default();
            // Overlaps and open episodes followed by another: the earlier row is rejected.
            let mut keep = Vec::with_capacity(eps.len());
            for (k, ep) in eps.iter().enumerate() {
                let next = eps.get(k + 1);
                let reason = match (ep.dec, next) {
                    (None, Some(n)) => Some(format!(
                        "no DEC (still open), but a later episode starts {} (line {})",
                        dmy(n.decom),
                        n.line
                    )),
                    (Some(d), Some(n)) if d > n.decom => Some(format!(
                        "DEC {} is after the next episode's DECOM {} (line {}): the episodes overlap",
                        dmy(d),
                        dmy(n.decom),
                        n.line
                    )),
                    _ => None,
                };
                match reason {
                    Some(r) => {
                        self.set(t, ep.idx, Fate::Rejected);
                        self.push(t, Some(ep.line), Some(&child), Level::Rejected, r);
                        holes.push(ep.line);
                    }
                    None => keep.push(ep.clone()),
                }
            }
            // A placement change (REC X1) must be followed by an episode that
            // starts the same day.
            let whole = holes.is_empty();
            for (k, ep) in keep.iter().enumerate().filter(|_| whole) {
                let next = keep.get(k + 1);
                let Some(d) = ep.dec else { continue };
                if ep.rec == "X1" {
                    if next.is_none_or(|n| n.decom != d) {
                        let reason = match next {
                            None => "REC X1 says a new episode starts the same day, but there is no later episode".to_string(),
                            Some(n) => format!(
                                "REC X1 says a new episode starts the same day, but the next one starts {} (line {})",
                                dmy(n.decom),
                                n.line
                            ),
                        };
                        self.warn(t, ep.line, &child, reason);
                        holes.push(ep.line);
                    }
                } else if let Some(n) = next.filter(|n| n.decom == d && n.rne != "S") {
                    let reason = format!(
                        "REC {} ends the period of care, but the next episode (line {}) starts the same day with RNE {}",
                        ep.rec, n.line, n.rne
                    );
                    self.warn(t, ep.line, &child, reason);
                }
            }
            if keep.len() > careprompt::MAX_LIST_LEN {
                for ep in &keep {
                    let reason = format!(
                        "placements, looked_after and legal_status are left out for this child: more than {} episodes, the most a plan's list may hold",
                        careprompt::MAX_LIST_LEN
                    );
                    self.not_carried(t, ep.line, ep.idx, &child, reason);
                }
                continue;
            }
            if !holes.is_empty() {
                holes.sort_unstable();
                holes.dedup();
                let lines: Vec<String> = holes.iter().map(u64::to_string).collect();
                for ep in &keep {
                    let reason = format!(
                        "placements, looked_after and legal_status are left out for this child: its episode history has a gap or a rejected row (line(s) {})",
                        lines.join(", ")
                    );
                    self.not_carried(t, ep.line, ep.idx, &child, reason);
                }
                continue;
            }
            let placements = self.placements(t, &child, &keep, year);
            let Some(plan) = plans.get_mut(&child) else {
                continue;
            };
            if let Some(last) = keep.last() {
                let open = last.dec.is_none();
                plan.child.looked_after = Some(open);
                if open && codes::LEGAL_STATUS.contains(&last.ls.as_str()) {
                    plan.child.legal_status = Some(last.ls.clone());
                }
            }
            for ep in &keep {
                self.set(t, ep.idx, Fate::Used);
            }
            plan.placements = Some(placements);
        }
    }

    fn check_codes(&mut self, t: TabId, child: &str, ep: &Ep, year: i32) {
        let line = ep.line;
        if !codes::LEGAL_STATUS.contains(&ep.ls.as_str()) {
            self.warn(
                t,
                line,
                child,
                format!(
                    "LS `{}` is not a legal status code: legal_status left out",
                    ep.ls
                ),
            );
        }
        match codes::place_code(&ep.place) {
            None => self.warn(
                t,
                line,
                child,
                format!("PLACE `{}` is not a placement type code: place_code and placement_type left out", ep.place),
            ),
            Some(p) if p.retired_from_year.is_some_and(|y| year >= y) => self.warn(
                t,
                line,
                child,
                format!(
                    "PLACE {} is retired in the collection year ending {}: place_code and placement_type left out",
                    p.code,
                    dmy(self.year_end)
                ),
            ),
            Some(p) if p.valid_from_year.is_some_and(|y| year < y) => self.warn(
                t,
                line,
                child,
                format!(
                    "PLACE {} is not yet in use in the collection year ending {}: place_code and placement_type left out",
                    p.code,
                    dmy(self.year_end)
                ),
            ),
            Some(p) if !p.in_schema => self.warn(
                t,
                line,
                child,
                format!(
                    "PLACE {} is valid but the case-plan schema's place_code list lacks it: place_code left out, placement_type {} kept",
                    p.code, p.placement_type
                ),
            ),
            Some(_) => {}
        }
        if !codes::RNE.contains(&ep.rne.as_str()) {
            self.warn(
                t,
                line,
                child,
                format!(
                    "RNE `{}` is not a reason for new episode: taken as a new placement",
                    ep.rne
                ),
            );
        }
        let rec_ok =
            codes::REC.contains(&ep.rec.as_str()) || (ep.rec.is_empty() && ep.dec.is_none());
        if !rec_ok {
            self.warn(
                t,
                line,
                child,
                format!("REC `{}` is not a reason episode ceased", ep.rec),
            );
        }
        if !ep.reason.is_empty() && !codes::REASON_PLACE_CHANGE.contains(&ep.reason.as_str()) {
            self.warn(
                t,
                line,
                child,
                format!(
                    "REASON_PLACE_CHANGE `{}` is not a reason code: reason_ended left out",
                    ep.reason
                ),
            );
        }
        if !ep.pl_location.is_empty() && ep.pl_location != "IN" && ep.pl_location != "OUT" {
            self.warn(
                t,
                line,
                child,
                format!(
                    "PL_LOCATION `{}` is neither IN nor OUT: left out",
                    ep.pl_location
                ),
            );
        }
        if !ep.pl_distance.is_empty() && distance(&ep.pl_distance).is_err() {
            self.warn(
                t,
                line,
                child,
                format!(
                    "PL_DISTANCE `{}` is not a distance in miles: left out",
                    ep.pl_distance
                ),
            );
        }
    }

    /// Merges episodes into placements: an episode whose RNE is L (legal
    /// status changed, placement did not) that starts the day the previous
    /// one ended continues the previous placement.
    fn placements(&mut self, t: TabId, child: &str, eps: &[Ep], year: i32) -> Vec<Placement> {
        let mut groups: Vec<Vec<&Ep>> = Vec::new();
        for ep in eps {
            if let Some(group) = groups.last_mut() {
                if let Some(prev) = group.last() {
                    let prev = *prev;
                    if ep.rne == "L" {
                        if prev.dec == Some(ep.decom) {
                            if prev.place != ep.place {
                                let reason = format!(
                                    "RNE L (legal status only) but PLACE changes from {} to {}: merged into one placement, PLACE {} kept",
                                    prev.place, ep.place, ep.place
                                );
                                self.warn(t, ep.line, child, reason);
                            }
                            if !prev.reason.is_empty() {
                                let reason = format!(
                                    "REASON_PLACE_CHANGE {} on an episode followed by a change of legal status only (line {}): ignored",
                                    prev.reason, ep.line
                                );
                                self.warn(t, prev.line, child, reason);
                            }
                            group.push(ep);
                            continue;
                        }
                        self.warn(
                            t,
                            ep.line,
                            child,
                            "RNE L (legal status only) but the previous episode did not end that day: taken as a new placement".into(),
                        );
                    }
                }
            }
            groups.push(vec![ep]);
        }
        let mut out = Vec::with_capacity(groups.len());
        for (n, group) in groups.iter().enumerate() {
            let (Some(first), Some(last)) = (group.first(), group.last()) else {
                continue;
            };
            let mut p = Placement {
                id: format!("p{}", n + 1),
                start_date: first.decom.to_string(),
                end_date: last.dec.map(|d| d.to_string()),
                ..Placement::default()
            };
            if let Some(code) = codes::place_code(&last.place) {
                let in_year = code.valid_from_year.is_none_or(|y| year >= y)
                    && code.retired_from_year.is_none_or(|y| year < y);
                if in_year {
                    if code.in_schema {
                        p.place_code = Some(code.code.to_string());
                    }
                    p.placement_type = Some(code.placement_type.to_string());
                    p.short_term = code.short_term;
                }
            }
            if last.dec.is_some() {
                let reason = codes::REASON_PLACE_CHANGE
                    .contains(&last.reason.as_str())
                    .then(|| last.reason.clone());
                let care_ended =
                    last.rec.starts_with('E') && codes::REC.contains(&last.rec.as_str());
                p.ended_by_carer_due_to_behaviour = match &reason {
                    Some(r) => Some(r == "CREQB"),
                    // The period of care ended: the placement ended with it,
                    // not at the carer's request.
                    None if care_ended => Some(false),
                    None => None,
                };
                p.reason_ended = reason;
            }
            if !last.pl_la.is_empty() {
                p.local_authority = Some(last.pl_la.clone());
            }
            let by_location = match last.pl_location.as_str() {
                "IN" => Some(false),
                "OUT" => Some(true),
                _ => None,
            };
            let by_la = match (&self.opts.la_code, last.pl_la.is_empty()) {
                (Some(la), false) => Some(!la.trim().eq_ignore_ascii_case(last.pl_la.trim())),
                _ => None,
            };
            if let (Some(a), Some(b)) = (by_location, by_la) {
                if a != b {
                    let reason = format!(
                        "PL_LOCATION {} disagrees with PL_LA {} compared with --la-code: PL_LOCATION used",
                        last.pl_location, last.pl_la
                    );
                    self.warn(t, last.line, child, reason);
                }
            }
            p.out_of_area = by_location.or(by_la);
            p.distance_miles = distance(&last.pl_distance).ok().flatten();
            out.push(p);
        }
        out
    }

    fn reviews(&mut self, t: TabId, table: &Table, plans: &mut BTreeMap<String, Plan>) {
        let mut seen = HashMap::new();
        let mut lists: BTreeMap<String, Vec<(usize, u64, Review)>> = BTreeMap::new();
        let mut broken: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for (idx, row) in table.rows.iter().enumerate() {
            if !self.usable(t, idx) {
                continue;
            }
            let Some(child) = self.child_of(t, table, row, idx) else {
                continue;
            };
            if self.duplicate(t, row, idx, &child, &mut seen) {
                continue;
            }
            let Some(Some(date)) = self.date(t, table, (row, idx), &child, "REVIEW", false) else {
                broken.entry(child).or_default().push(row.line);
                continue;
            };
            if self.out_of_range(t, row, idx, &child, "REVIEW", date) {
                continue;
            }
            let code = table.get(row, "REVIEW_CODE");
            let participation = if codes::REVIEW_CODE.contains(&code) {
                Some(code.to_string())
            } else {
                self.warn(
                    t,
                    row.line,
                    &child,
                    format!("REVIEW_CODE `{code}` is not PN0-PN7: participation left out"),
                );
                None
            };
            lists.entry(child).or_default().push((
                idx,
                row.line,
                Review {
                    date: date.to_string(),
                    participation,
                },
            ));
        }
        let left_out = self.attach(t, lists, broken, "voice.reviews", plans, |p, mut list| {
            list.sort_by(|a, b| a.date.cmp(&b.date));
            p.voice.get_or_insert_with(Voice::default).reviews = Some(list);
        });
        let defaults: Vec<String> = self.in_care_in_year.iter().cloned().collect();
        for c in defaults {
            if let Some(p) = plans.get_mut(&c) {
                let v = p.voice.get_or_insert_with(Voice::default);
                if v.reviews.is_none() && !left_out.contains(&c) {
                    v.reviews = Some(Vec::new());
                }
            }
        }
    }

    /// Puts per-child lists onto plans, unless a row of the child's list was
    /// rejected in a way that leaves a hole: then the list is left out and
    /// its valid rows are not carried.
    fn attach<T>(
        &mut self,
        t: TabId,
        lists: BTreeMap<String, Vec<(usize, u64, T)>>,
        mut broken: BTreeMap<String, Vec<u64>>,
        field: &str,
        plans: &mut BTreeMap<String, Plan>,
        put: impl Fn(&mut Plan, Vec<T>),
    ) -> BTreeSet<String> {
        let mut left_out = BTreeSet::new();
        let mut children: BTreeSet<String> = lists.keys().cloned().collect();
        children.extend(broken.keys().cloned());
        let mut lists = lists;
        for child in children {
            let items = lists.remove(&child).unwrap_or_default();
            if let Some(mut holes) = broken.remove(&child) {
                holes.sort_unstable();
                let lines: Vec<String> = holes.iter().map(u64::to_string).collect();
                let reason = format!(
                    "{field} is left out for this child: another of its rows was rejected (line(s) {})",
                    lines.join(", ")
                );
                if items.is_empty() {
                    // Nothing valid to set aside; still record the gap.
                    self.push(t, None, Some(&child), Level::NotCarried, reason.clone());
                }
                for (idx, line, _) in &items {
                    self.not_carried(t, *line, *idx, &child, reason.clone());
                }
                left_out.insert(child);
                continue;
            }
            if items.len() > careprompt::MAX_LIST_LEN {
                let reason = format!(
                    "{field} is left out for this child: more than {} rows, the most a plan's list may hold",
                    careprompt::MAX_LIST_LEN
                );
                for (idx, line, _) in &items {
                    self.not_carried(t, *line, *idx, &child, reason.clone());
                }
                left_out.insert(child);
                continue;
            }
            let Some(plan) = plans.get_mut(&child) else {
                continue;
            };
            for (idx, _, _) in &items {
                self.set(t, *idx, Fate::Used);
            }
            put(plan, items.into_iter().map(|(_, _, v)| v).collect());
        }
        left_out
    }

    fn oc2(&mut self, t: TabId, table: &Table, plans: &mut BTreeMap<String, Plan>) {
        let mut seen = HashMap::new();
        let mut first: HashMap<String, u64> = HashMap::new();
        let mut lists: BTreeMap<String, Vec<(usize, u64, Option<SdqScore>)>> = BTreeMap::new();
        let mut broken: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for (idx, row) in table.rows.iter().enumerate() {
            if !self.usable(t, idx) {
                continue;
            }
            let Some(child) = self.child_of(t, table, row, idx) else {
                continue;
            };
            if self.duplicate(t, row, idx, &child, &mut seen) {
                continue;
            }
            if let Some(f) = first.get(&child) {
                let reason = format!("a second OC2 row for this child, different from line {f}");
                self.reject(t, row, idx, &child, reason);
                broken.entry(child).or_default().push(row.line);
                continue;
            }
            first.insert(child.clone(), row.line);
            let text = table.get(row, "SDQ_SCORE");
            let score = if text.is_empty() {
                None
            } else {
                match text.parse::<u32>() {
                    Ok(n) if n <= 40 => Some(n),
                    _ => {
                        self.reject(
                            t,
                            row,
                            idx,
                            &child,
                            format!("SDQ_SCORE `{text}` is not a whole number from 0 to 40"),
                        );
                        broken.entry(child).or_default().push(row.line);
                        continue;
                    }
                }
            };
            if score.is_some() && self.year_end > self.as_of {
                let reason = format!(
                    "the SDQ score is dated at the end of the collection year ({}), after the as-of date",
                    dmy(self.year_end)
                );
                self.not_carried(t, row.line, idx, &child, reason);
                continue;
            }
            let sdq = score.map(|total| SdqScore {
                date: self.year_end.to_string(),
                total,
            });
            lists.entry(child).or_default().push((idx, row.line, sdq));
        }
        let _ = self.attach(t, lists, broken, "health.sdq_scores", plans, |p, list| {
            let scores: Vec<SdqScore> = list.into_iter().flatten().collect();
            p.health.get_or_insert_with(Health::default).sdq_scores = Some(scores);
        });
    }

    fn missing(&mut self, t: TabId, table: &Table, plans: &mut BTreeMap<String, Plan>) {
        let mut seen = HashMap::new();
        let mut lists: BTreeMap<String, Vec<(usize, u64, MissingEpisode)>> = BTreeMap::new();
        let mut broken: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for (idx, row) in table.rows.iter().enumerate() {
            if !self.usable(t, idx) {
                continue;
            }
            let Some(child) = self.child_of(t, table, row, idx) else {
                continue;
            };
            if self.duplicate(t, row, idx, &child, &mut seen) {
                continue;
            }
            let kind = match table.get(row, "MISSING") {
                "M" => "missing",
                "A" => "away",
                other => {
                    self.reject(
                        t,
                        row,
                        idx,
                        &child,
                        format!("MISSING `{other}` is neither M nor A"),
                    );
                    broken.entry(child).or_default().push(row.line);
                    continue;
                }
            };
            let Some(Some(start)) = self.date(t, table, (row, idx), &child, "MIS_START", false)
            else {
                broken.entry(child).or_default().push(row.line);
                continue;
            };
            let Some(mut end) = self.date(t, table, (row, idx), &child, "MIS_END", true) else {
                broken.entry(child).or_default().push(row.line);
                continue;
            };
            if let Some(e) = end {
                if e < start {
                    self.reject(
                        t,
                        row,
                        idx,
                        &child,
                        format!("MIS_END {} is before MIS_START {}", dmy(e), dmy(start)),
                    );
                    broken.entry(child).or_default().push(row.line);
                    continue;
                }
            }
            if self.out_of_range(t, row, idx, &child, "MIS_START", start) {
                continue;
            }
            if end.is_some_and(|e| e > self.as_of) {
                end = None;
            }
            lists.entry(child).or_default().push((
                idx,
                row.line,
                MissingEpisode {
                    start_date: start.to_string(),
                    end_date: end.map(|d| d.to_string()),
                    episode_type: kind.to_string(),
                },
            ));
        }
        let left_out = self.attach(
            t,
            lists,
            broken,
            "crisis.missing_episodes",
            plans,
            |p, mut list| {
                list.sort_by(|a, b| a.start_date.cmp(&b.start_date));
                p.crisis
                    .get_or_insert_with(Crisis::default)
                    .missing_episodes = Some(list);
            },
        );
        let defaults: Vec<String> = self.in_care_in_year.iter().cloned().collect();
        for c in defaults {
            if let Some(p) = plans.get_mut(&c) {
                let cr = p.crisis.get_or_insert_with(Crisis::default);
                if cr.missing_episodes.is_none() && !left_out.contains(&c) {
                    cr.missing_episodes = Some(Vec::new());
                }
            }
        }
    }

    fn sw_episodes(&mut self, t: TabId, table: &Table, plans: &mut BTreeMap<String, Plan>) {
        let mut seen = HashMap::new();
        let mut rows: BTreeMap<String, Vec<(usize, u64, Date, String)>> = BTreeMap::new();
        let mut broken: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for (idx, row) in table.rows.iter().enumerate() {
            if !self.usable(t, idx) {
                continue;
            }
            let Some(child) = self.child_of(t, table, row, idx) else {
                continue;
            };
            if self.duplicate(t, row, idx, &child, &mut seen) {
                continue;
            }
            let Some(Some(start)) = self.date(t, table, (row, idx), &child, "SW_DECOM", false)
            else {
                broken.entry(child).or_default().push(row.line);
                continue;
            };
            if self.out_of_range(t, row, idx, &child, "SW_DECOM", start) {
                continue;
            }
            rows.entry(child).or_default().push((
                idx,
                row.line,
                start,
                table.get(row, "SW_REASON").to_string(),
            ));
        }
        let mut lists: BTreeMap<String, Vec<(usize, u64, Option<WorkerChange>)>> = BTreeMap::new();
        for (child, mut eps) in rows {
            eps.sort_by_key(|e| e.2);
            for (k, (idx, line, start, reason)) in eps.into_iter().enumerate() {
                // The child's first social worker episode with no reason is the
                // worker carried over from before: not a change.
                if k == 0 && reason.is_empty() {
                    lists
                        .entry(child.clone())
                        .or_default()
                        .push((idx, line, None));
                    continue;
                }
                let mapped = codes::sw_reason(&reason);
                if mapped.is_none() {
                    self.warn(
                        t,
                        line,
                        &child,
                        format!("SW_REASON `{reason}` is not a reason for a change of social worker: reason left out"),
                    );
                }
                lists.entry(child.clone()).or_default().push((
                    idx,
                    line,
                    Some(WorkerChange {
                        date: start.to_string(),
                        role: "social worker".into(),
                        reason: mapped.map(str::to_string),
                    }),
                ));
            }
        }
        let _ = self.attach(
            t,
            lists,
            broken,
            "people.worker_changes",
            plans,
            |p, list| {
                let changes: Vec<WorkerChange> = list.into_iter().flatten().collect();
                p.people.get_or_insert_with(People::default).worker_changes = Some(changes);
            },
        );
    }

    fn not_carried_table(&mut self, t: TabId, table: &Table, dates: &[&str], what: &str) {
        let mut seen = HashMap::new();
        let mut checked = 0u64;
        for (idx, row) in table.rows.iter().enumerate() {
            if !self.usable(t, idx) {
                continue;
            }
            let Some(child) = self.child_of(t, table, row, idx) else {
                continue;
            };
            if self.duplicate(t, row, idx, &child, &mut seen) {
                continue;
            }
            let mut ok = true;
            for col in dates {
                if table.has(col) && self.date(t, table, (row, idx), &child, col, true).is_none() {
                    ok = false;
                    break;
                }
            }
            if ok {
                self.set(t, idx, Fate::NotCarried);
                checked += 1;
            }
        }
        let name = self.tabs.get(t).map(|s| s.name).unwrap_or_default();
        self.note(
            name,
            format!("{checked} valid row(s) checked and not carried: the case-plan schema has no field for {what}"),
        );
    }
}

/// PL_DISTANCE in miles: `Ok(None)` for blank or 999.9 (unknown).
fn distance(text: &str) -> Result<Option<f64>, ()> {
    if text.is_empty() {
        return Ok(None);
    }
    let d: f64 = text.parse().map_err(|_| ())?;
    if !d.is_finite() || d < 0.0 {
        return Err(());
    }
    if (d - 999.9).abs() < 1e-6 {
        return Ok(None);
    }
    Ok(Some(d))
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
        assert_eq!(distance(""), Ok(None));
        assert_eq!(distance("999.9"), Ok(None));
        assert_eq!(distance("12.5"), Ok(Some(12.5)));
        assert!(distance("far").is_err());
        assert!(distance("-1").is_err());
    }
}
