//! The importer's state: the tables read, every row's fate, the children,
//! and the checks every table shares.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use careprompt::Date;

use super::{Options, MAX_CHILD_ID_LEN, TABLES};
use crate::log::{Handling, ImportLog, Issue, TableCounts};
use crate::plan::Plan;
use crate::table::{dmy, parse_dmy, Row, Table};

/// What became of one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fate {
    Pending,
    Used,
    Rejected,
    NotCarried,
}

/// One table as the import goes.
struct TabState {
    name: &'static str,
    file: String,
    present: bool,
    /// Lines and blank lines in the file.
    lines: u64,
    blank_lines: u64,
    /// True when the whole table was rejected (damaged, or lacking a column).
    rejected: bool,
    /// True when it was rejected because it is damaged.
    damaged: bool,
    fate: Vec<Fate>,
    warnings: u64,
}

/// A table's index among those registered.
pub(super) type TabId = usize;

/// One SSDA903 import under way.
pub(super) struct Importer {
    pub(super) opts: Options,
    pub(super) as_of: Date,
    pub(super) year_end: Date,
    pub(super) log: ImportLog,
    tabs: Vec<TabState>,
    /// Child → (header line, date of birth).
    pub(super) children: BTreeMap<String, (u64, Option<Date>)>,
    /// Children with at least one valid episode row: looked after in the year.
    pub(super) in_care_in_year: BTreeSet<String>,
    /// The value the next issue is about (written to the log file only).
    value: Option<String>,
}

impl Importer {
    /// An import at `as_of` of the year ending `year_end`.
    pub(super) fn new(opts: Options, as_of: Date, year_end: Date) -> Importer {
        Importer {
            opts,
            as_of,
            year_end,
            log: ImportLog::new("ssda903"),
            tabs: Vec::new(),
            children: BTreeMap::new(),
            in_care_in_year: BTreeSet::new(),
            value: None,
        }
    }

    /// Registers table `name` (absent when `table` is None); rejects all its
    /// rows when it is damaged or lacks a column it must have.
    pub(super) fn tab(&mut self, name: &'static str, table: Option<&Table>) -> TabId {
        let id = self.tabs.len();
        self.tabs.push(TabState {
            name,
            file: table.map(|t| t.file.clone()).unwrap_or_default(),
            present: table.is_some(),
            lines: table.map_or(0, |t| t.lines),
            blank_lines: table.map_or(0, |t| t.blank_lines),
            rejected: false,
            damaged: table.is_some_and(|t| t.damage.is_some()),
            fate: vec![Fate::Pending; table.map_or(0, |t| t.rows.len())],
            warnings: 0,
        });
        let Some(t) = table else { return id };
        let what = rejected_fields(name);
        let problem = if let Some((line, reason)) = &t.damage {
            Some((
                Some(*line),
                format!(
                    "{reason}: the table is not used, all {} record(s) rejected, and {what}",
                    t.rows.len()
                ),
            ))
        } else {
            let cols = TABLES
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(&[][..], |(_, c)| *c);
            let missing = t.missing_columns(cols);
            (!missing.is_empty()).then(|| {
                (
                    None,
                    format!(
                        "the table lacks column(s) {}: all {} record(s) rejected, and {what}",
                        missing.join(", "),
                        t.rows.len()
                    ),
                )
            })
        };
        if let Some((line, reason)) = problem {
            self.push(id, line, None, Handling::Rejected, reason);
            if let Some(s) = self.tabs.get_mut(id) {
                s.rejected = true;
                s.fate.iter_mut().for_each(|f| *f = Fate::Rejected);
            }
        }
        id
    }

    /// Whether table `t` was rejected as a whole: then it records nothing,
    /// and no child gets an empty list from it.
    pub(super) fn table_rejected(&self, t: TabId) -> bool {
        self.tabs.get(t).is_none_or(|s| s.rejected)
    }

    /// The name of table `t`.
    pub(super) fn table_name(&self, t: TabId) -> &'static str {
        self.tabs.get(t).map(|s| s.name).unwrap_or_default()
    }

    /// Sets the value the next issue is about: it goes to the import log
    /// file only, never into the reason or onto the terminal.
    pub(super) fn about(&mut self, value: impl Into<String>) -> &mut Self {
        self.value = Some(value.into());
        self
    }

    pub(super) fn usable(&self, t: TabId, idx: usize) -> bool {
        self.tabs
            .get(t)
            .and_then(|s| s.fate.get(idx))
            .is_some_and(|f| *f == Fate::Pending)
    }

    pub(super) fn push(
        &mut self,
        t: TabId,
        line: Option<u64>,
        child: Option<&str>,
        level: Handling,
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
            value: self.value.take(),
        });
    }

    pub(super) fn note(&mut self, table: &str, reason: String) {
        self.log.issues.push(Issue {
            table: table.to_string(),
            file: String::new(),
            line: None,
            child: None,
            level: Handling::Note,
            reason,
            value: self.value.take(),
        });
    }

    pub(super) fn set(&mut self, t: TabId, idx: usize, fate: Fate) {
        if let Some(f) = self.tabs.get_mut(t).and_then(|s| s.fate.get_mut(idx)) {
            *f = fate;
        }
    }

    pub(super) fn reject(&mut self, t: TabId, row: &Row, idx: usize, child: &str, reason: String) {
        self.set(t, idx, Fate::Rejected);
        self.push(t, Some(row.line), Some(child), Handling::Rejected, reason);
    }

    pub(super) fn not_carried(
        &mut self,
        t: TabId,
        line: u64,
        idx: usize,
        child: &str,
        reason: String,
    ) {
        self.set(t, idx, Fate::NotCarried);
        self.push(t, Some(line), Some(child), Handling::NotCarried, reason);
    }

    pub(super) fn warn(&mut self, t: TabId, line: u64, child: &str, reason: String) {
        if let Some(s) = self.tabs.get_mut(t) {
            s.warnings += 1;
        }
        self.push(t, Some(line), Some(child), Handling::Warning, reason);
    }

    pub(super) fn finish(&mut self) {
        for s in &self.tabs {
            let mut c = TableCounts {
                table: s.name.to_string(),
                file: s.file.clone(),
                present: s.present,
                lines: s.present.then_some(s.lines),
                blank_lines: s.present.then_some(s.blank_lines),
                read: s.fate.len() as u64,
                warnings: s.warnings,
                damaged: s.damaged,
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
            let what = rejected_fields(name);
            self.note(name, format!("{name}.csv is not in the directory: {what}"));
        }
    }

    /// Common checks: CHILD present and in the header. Returns the child id
    /// when the row can go on.
    pub(super) fn child_of(
        &mut self,
        t: TabId,
        table: &Table,
        row: &Row,
        idx: usize,
    ) -> Option<String> {
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
                    let value = format!("{dob} (header: {})", dmy(h));
                    self.about(value).warn(
                        t,
                        row.line,
                        &child,
                        "DOB differs from the header's; the header's is used".into(),
                    );
                }
            }
        }
        Some(child)
    }

    /// Rejects an exact repeat of an earlier row; true if it was one.
    pub(super) fn duplicate(
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
    pub(super) fn date(
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
                self.about(text).reject(
                    t,
                    row,
                    idx,
                    child,
                    format!("{col} is not a date (DD/MM/YYYY)"),
                );
                None
            }
        }
    }

    /// Rejects a row dated after the end of the collection year, and marks
    /// one dated after the as-of date as not carried; true if either.
    pub(super) fn out_of_range(
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
                "{col} is after the end of the collection year ({})",
                dmy(self.year_end)
            );
            self.about(dmy(d)).reject(t, row, idx, child, reason);
            return true;
        }
        if d > self.as_of {
            let reason = format!("{col} is after the as-of date ({})", dmy(self.as_of));
            self.about(dmy(d))
                .not_carried(t, row.line, idx, child, reason);
            return true;
        }
        false
    }

    pub(super) fn read_header(&mut self, t: TabId, table: &Table) {
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
                self.about(dob_text).warn(
                    t,
                    row.line,
                    &child,
                    "DOB is not a date (DD/MM/YYYY): date_of_birth left out".into(),
                );
            }
            self.children.insert(child, (row.line, dob));
            self.set(t, idx, Fate::Used);
        }
    }

    /// Puts per-child lists onto plans, unless a row of the child's list was
    /// rejected in a way that leaves a hole: then the list is left out and
    /// its valid rows are not carried.
    pub(super) fn attach<T>(
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
                    self.push(t, None, Some(&child), Handling::NotCarried, reason.clone());
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
}

/// What a plan loses when table `name` is absent or rejected as a whole.
fn rejected_fields(name: &str) -> &'static str {
    match name {
        "episodes" => "placements, looked_after and legal_status are left out of every plan",
        "reviews" => "voice.reviews is left out of every plan",
        "oc2" => "health.sdq_scores is left out of every plan",
        "missing" => "crisis.missing_episodes is left out of every plan",
        "sw_episodes" => "people.worker_changes is left out of every plan",
        _ => "nothing from it is needed",
    }
}
