//! One child's SSD rows into a case plan (the mapping of `docs/ssd.md`).
//!
//! A list is written only when its table was read and none of the child's
//! rows in it was rejected: a list with a rejected row would not be a
//! complete record, so it is left out (unknown) and its other rows are
//! counted as not carried. A written list is complete (`[]` when the child
//! has no rows), and its path goes in the plan's `coverage`.

use std::collections::{BTreeMap, HashSet};

use careprompt::Date;
use serde_json::{json, Map, Value};

use super::codes;
use super::spec::{t, TABLES};
use crate::log::{Handling, Issue, TableCounts};

/// One spilled row: where it came from and its values in spec order.
#[derive(Clone, Debug)]
pub(crate) struct Rec {
    /// Line (CSV) or row number (database).
    pub line: u64,
    /// Values in the spec's column order.
    pub v: Vec<String>,
}

impl Rec {
    fn get(&self, i: usize) -> &str {
        self.v.get(i).map(String::as_str).unwrap_or("")
    }
}

/// What is known about the tables as read, for every child.
pub(crate) struct Env<'a> {
    /// The evaluation date.
    pub as_of: Date,
    /// Per table: read, with its required columns, and not empty.
    pub usable: &'a [bool],
    /// Per table, per spec column: present in the source.
    pub present: &'a [Vec<bool>],
    /// Per table: the file or schema.table.
    pub files: &'a [String],
}

/// Where counts, issues and unmapped-value counts go.
pub(crate) struct Sink<'a> {
    /// Counts per table (same order as [`TABLES`]).
    pub counts: &'a mut [TableCounts],
    /// Reported rows.
    pub issues: &'a mut Vec<Issue>,
    /// `table.column` → values that could not be mapped.
    pub unmapped: &'a mut BTreeMap<String, u64>,
}

/// One child's rows.
pub(crate) struct ChildRows<'a> {
    /// The child's id.
    pub id: &'a str,
    /// The `ssd_person` row.
    pub person: &'a Rec,
    /// Rows per table.
    pub tables: &'a [Vec<Rec>],
    /// Per table: a row of the child's was rejected while reading (a
    /// duplicate id), so the child's list from it is incomplete.
    pub incomplete: u32,
}

/// Reads a date: `YYYY-MM-DD`, optionally followed by a time (`T` or a
/// space), or `DD/MM/YYYY`. `Ok(None)` for an empty value.
pub(crate) fn date(s: &str) -> Result<Option<Date>, ()> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let head = s.get(..10).ok_or(())?;
    let rest = s.get(10..).unwrap_or("");
    if !(rest.is_empty() || rest.starts_with(' ') || rest.starts_with('T')) {
        return Err(());
    }
    if let Ok(d) = Date::parse(head) {
        return Ok(Some(d));
    }
    let mut parts = head.split('/');
    let (Some(d), Some(m), Some(y), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(());
    };
    let (d, m, y) = (
        d.parse::<u32>().map_err(|_| ())?,
        m.parse::<u32>().map_err(|_| ())?,
        y.parse::<i32>().map_err(|_| ())?,
    );
    Date::from_ymd(y, m, d).map(Some).ok_or(())
}

fn number(s: &str) -> Result<Option<f64>, ()> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .map(Some)
        .ok_or(())
}

/// A problem with one value: the column and what is wrong.
struct Warn {
    col: usize,
    why: &'static str,
    unmapped: bool,
}

enum Parsed<T> {
    Item(T, Vec<Warn>),
    NotCarried(&'static str),
    Reject(usize, &'static str),
}

struct Item<T> {
    value: T,
    start: Date,
    end: Option<Date>,
    line: u64,
    row_id: String,
}

impl Sink<'_> {
    fn count(&mut self, table: usize) -> Option<&mut TableCounts> {
        self.counts.get_mut(table)
    }

    fn issue(
        &mut self,
        env: &Env,
        table: usize,
        line: u64,
        child: &str,
        level: Handling,
        reason: String,
    ) {
        let name = TABLES.get(table).map(|t| t.name).unwrap_or("");
        self.issues.push(Issue {
            table: name.to_string(),
            file: env.files.get(table).cloned().unwrap_or_default(),
            line: Some(line),
            child: Some(child.to_string()),
            level,
            reason,
            value: None,
        });
    }
}

fn col_name(table: usize, col: usize) -> &'static str {
    TABLES
        .get(table)
        .and_then(|t| t.columns.get(col))
        .map(|c| c.name)
        .unwrap_or("")
}

/// Runs one table's rows of the child through `parse`; returns the items
/// sorted by start (then row id) when the child's list is complete, or
/// `None` when it must be left out. `overlaps`: reject a row that starts
/// before the previous one ends.
fn list<T>(
    env: &Env,
    sink: &mut Sink,
    rows: &ChildRows,
    table: usize,
    overlaps: bool,
    parse: impl Fn(&Rec) -> Parsed<(T, Date, Option<Date>)>,
) -> Option<Vec<Item<T>>> {
    if !env.usable.get(table).copied().unwrap_or(false) {
        return None;
    }
    let recs = rows.tables.get(table).map(Vec::as_slice).unwrap_or(&[]);
    let mut items = Vec::new();
    let mut warns = Vec::new();
    let mut not_carried = Vec::new();
    let mut rejected = 0usize;
    for rec in recs {
        match parse(rec) {
            Parsed::Item((value, start, end), w) => {
                items.push(Item {
                    value,
                    start,
                    end,
                    line: rec.line,
                    row_id: rec.get(0).to_string(),
                });
                warns.push(w);
            }
            Parsed::NotCarried(why) => not_carried.push((rec, why)),
            Parsed::Reject(col, why) => {
                rejected += 1;
                sink.issue(
                    env,
                    table,
                    rec.line,
                    rows.id,
                    Handling::Rejected,
                    format!("row `{}`: `{}` {why}", rec.get(0), col_name(table, col)),
                );
            }
        }
    }
    // Sort by start then row id, carrying the warnings along.
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| match (items.get(a), items.get(b)) {
        (Some(x), Some(y)) => (x.start, &x.row_id).cmp(&(y.start, &y.row_id)),
        _ => std::cmp::Ordering::Equal,
    });
    let mut sorted: Vec<Option<Item<T>>> = items.into_iter().map(Some).collect();
    let mut items: Vec<Item<T>> = Vec::with_capacity(sorted.len());
    let mut sorted_warns = Vec::with_capacity(sorted.len());
    let mut warns: Vec<Option<Vec<Warn>>> = warns.into_iter().map(Some).collect();
    for i in order {
        if let Some(item) = sorted.get_mut(i).and_then(Option::take) {
            items.push(item);
            sorted_warns.push(warns.get_mut(i).and_then(Option::take).unwrap_or_default());
        }
    }
    if overlaps {
        let mut keep: Vec<Item<T>> = Vec::with_capacity(items.len());
        let mut keep_warns = Vec::with_capacity(items.len());
        for (item, w) in items.into_iter().zip(sorted_warns) {
            let clash = keep
                .last()
                .is_some_and(|prev| prev.end.is_none_or(|e| item.start < e));
            if clash {
                rejected += 1;
                sink.issue(
                    env,
                    table,
                    item.line,
                    rows.id,
                    Handling::Rejected,
                    format!(
                        "row `{}`: `{}` is before the end of the child's previous row (overlapping periods)",
                        item.row_id,
                        col_name(table, start_col(table))
                    ),
                );
            } else {
                keep.push(item);
                keep_warns.push(w);
            }
        }
        items = keep;
        sorted_warns = keep_warns;
    }
    let incomplete = rows.incomplete & (1 << table) != 0;
    if rejected > 0 || incomplete {
        let left = items.len() + not_carried.len();
        if let Some(c) = sink.count(table) {
            c.rejected += rejected as u64;
            c.not_carried += left as u64;
        }
        if left > 0 {
            let line = items
                .first()
                .map(|i| i.line)
                .or_else(|| not_carried.first().map(|(r, _)| r.line))
                .unwrap_or(0);
            sink.issue(
                env,
                table,
                line,
                rows.id,
                Handling::NotCarried,
                format!("{left} other row(s) of the child not carried: the child's list from this table is incomplete, so it is left out (unknown)"),
            );
        }
        return None;
    }
    for (rec, why) in not_carried {
        if let Some(c) = sink.count(table) {
            c.not_carried += 1;
        }
        sink.issue(
            env,
            table,
            rec.line,
            rows.id,
            Handling::NotCarried,
            format!("row `{}`: {why}", rec.get(0)),
        );
    }
    for (item, ws) in items.iter().zip(sorted_warns) {
        if let Some(c) = sink.count(table) {
            c.used += 1;
            if !ws.is_empty() {
                c.warnings += 1;
            }
        }
        for w in ws {
            let column = col_name(table, w.col);
            if w.unmapped {
                let name = TABLES.get(table).map(|t| t.name).unwrap_or("");
                *sink.unmapped.entry(format!("{name}.{column}")).or_insert(0) += 1;
            }
            sink.issue(
                env,
                table,
                item.line,
                rows.id,
                Handling::Warning,
                format!("row `{}`: `{column}` {}", item.row_id, w.why),
            );
        }
    }
    Some(items)
}

/// The spec column holding a table's start date (for messages).
fn start_col(table: usize) -> usize {
    match table {
        t::CLA_EPISODES => 2,
        t::PLACEMENT => 3,
        t::LEGAL_STATUS => 3,
        t::CP_PLANS | t::CIN_PLANS => 2,
        t::IMMIGRATION => 3,
        _ => 0,
    }
}

const UNMAPPED: &str = "has a value the importer does not recognise (left out)";
const NOT_DATE: &str = "is not a date (YYYY-MM-DD, or DD/MM/YYYY)";
const NO_DATE: &str = "is empty";
const AFTER: &str = "dated after the evaluation date";

fn unmapped(col: usize) -> Warn {
    Warn {
        col,
        why: UNMAPPED,
        unmapped: true,
    }
}

/// Why a row is not used: not carried, or rejected at a column.
enum Skip {
    NotCarried(&'static str),
    Reject(usize, &'static str),
}

impl<T> From<Skip> for Parsed<T> {
    fn from(s: Skip) -> Parsed<T> {
        match s {
            Skip::NotCarried(w) => Parsed::NotCarried(w),
            Skip::Reject(c, w) => Parsed::Reject(c, w),
        }
    }
}

/// A required start date, not after `as_of`.
fn start(env: &Env, rec: &Rec, col: usize) -> Result<Date, Skip> {
    match date(rec.get(col)) {
        Err(()) => Err(Skip::Reject(col, NOT_DATE)),
        Ok(None) => Err(Skip::Reject(col, NO_DATE)),
        Ok(Some(d)) if d > env.as_of => Err(Skip::NotCarried(AFTER)),
        Ok(Some(d)) => Ok(d),
    }
}

/// An optional end date: after `as_of` reads as not ended; before the start, rejected.
fn end(env: &Env, rec: &Rec, col: usize, from: Date) -> Result<Option<Date>, Skip> {
    match date(rec.get(col)) {
        Err(()) => Err(Skip::Reject(col, NOT_DATE)),
        Ok(Some(d)) if d < from => Err(Skip::Reject(col, "is before the start date")),
        Ok(Some(d)) if d > env.as_of => Ok(None),
        Ok(d) => Ok(d),
    }
}

macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(skip) => return Parsed::from(skip),
        }
    };
}

fn present(env: &Env, table: usize, col: usize) -> bool {
    env.present
        .get(table)
        .and_then(|p| p.get(col))
        .copied()
        .unwrap_or(false)
}

/// Builds the plan of one child; returns it as JSON.
pub(crate) fn plan(env: &Env, sink: &mut Sink, rows: &ChildRows) -> Value {
    let mut covered: Vec<&'static str> = Vec::new();
    let mut child = Map::new();
    child.insert("id".into(), json!(rows.id));
    if let Some(c) = sink.count(t::PERSON) {
        c.used += 1;
    }
    if present(env, t::PERSON, 1) {
        match date(rows.person.get(1)) {
            Ok(Some(d)) if d <= env.as_of => {
                child.insert("date_of_birth".into(), json!(d.to_string()));
                covered.push("child.date_of_birth");
            }
            Ok(Some(_)) => person_warn(env, sink, rows, "is after the evaluation date (left out)"),
            Ok(None) => {}
            Err(()) => person_warn(env, sink, rows, "is not a date (left out)"),
        }
    }
    let mut plan = Map::new();
    plan.insert("plan_id".into(), json!(rows.id));

    // Care episodes: looked after on the evaluation date.
    let episodes = list(env, sink, rows, t::CLA_EPISODES, true, |rec| {
        let s = tri!(start(env, rec, 2));
        let e = tri!(end(env, rec, 3, s));
        let mut w = Vec::new();
        if present(env, t::CLA_EPISODES, 4)
            && !rec.get(4).is_empty()
            && codes::ceased_reason(rec.get(4)).is_none()
        {
            w.push(unmapped(4));
        }
        Parsed::Item(((), s, e), w)
    });
    if let Some(eps) = &episodes {
        let open = eps.iter().any(|e| e.end.is_none());
        child.insert("looked_after".into(), json!(open));
        covered.push("child.looked_after");
    }

    // Legal status: the one in force on the evaluation date.
    let legal = list(env, sink, rows, t::LEGAL_STATUS, true, |rec| {
        let s = tri!(start(env, rec, 3));
        let e = tri!(end(env, rec, 4, s));
        let code = codes::legal_status(rec.get(2));
        let w = if code.is_none() {
            vec![unmapped(2)]
        } else {
            Vec::new()
        };
        Parsed::Item((code, s, e), w)
    });
    if let Some(ls) = &legal {
        // The current status, when its code is known; none in force and
        // the child not looked after: no legal status (left out, as the
        // schema has no "none" for it).
        if let Some(current) = ls.iter().rev().find(|l| l.end.is_none()) {
            if let Some(code) = current.value {
                child.insert("legal_status".into(), json!(code));
                covered.push("child.legal_status");
            }
        }
    }

    // Placements.
    let placements = list(env, sink, rows, t::PLACEMENT, true, |rec| {
        let s = tri!(start(env, rec, 3));
        let e = tri!(end(env, rec, 4, s));
        let mut w = Vec::new();
        let mut p = Map::new();
        if present(env, t::PLACEMENT, 5) && !rec.get(5).is_empty() {
            match codes::placement(rec.get(5)) {
                Some(m) => {
                    if let Some(code) = m.place_code {
                        p.insert("place_code".into(), json!(code));
                    }
                    p.insert("placement_type".into(), json!(m.placement_type));
                    if let Some(st) = m.short_term {
                        p.insert("short_term".into(), json!(st));
                    }
                    if m.pre_2015 {
                        w.push(Warn {
                            col: 5,
                            why: "is a placement code retired in 2015: carried as placement_type only",
                            unmapped: false,
                        });
                    }
                }
                None => w.push(unmapped(5)),
            }
        }
        p.insert("start_date".into(), json!(s.to_string()));
        if let Some(e) = e {
            p.insert("end_date".into(), json!(e.to_string()));
        }
        if present(env, t::PLACEMENT, 6) {
            match number(rec.get(6)) {
                Ok(Some(d)) if (0.0..999.0).contains(&d) => {
                    p.insert("distance_miles".into(), json!(d));
                }
                Ok(_) => {}
                Err(()) => w.push(Warn {
                    col: 6,
                    why: "is not a number (left out)",
                    unmapped: false,
                }),
            }
        }
        if e.is_some() && present(env, t::PLACEMENT, 7) && !rec.get(7).is_empty() {
            match codes::change_reason(rec.get(7)) {
                Some(code) => {
                    p.insert("reason_ended".into(), json!(code));
                    p.insert(
                        "ended_by_carer_due_to_behaviour".into(),
                        json!(code == "CREQB"),
                    );
                }
                None => w.push(unmapped(7)),
            }
        }
        Parsed::Item((p, s, e), w)
    });
    if let Some(ps) = placements {
        let list: Vec<Value> = ps
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                let mut p = Map::new();
                p.insert("id".into(), json!(format!("p{}", i + 1)));
                p.extend(item.value);
                Value::Object(p)
            })
            .collect();
        plan.insert("placements".into(), Value::Array(list));
        covered.push("placements");
    }

    // Health: dated SDQ scores, health assessments and checks.
    let mut health = Map::new();
    if let Some(sdq) = list(env, sink, rows, t::SDQ, false, |rec| {
        let d = tri!(start(env, rec, 2));
        let score = rec.get(3).trim();
        match score.parse::<u32>() {
            Ok(n) if n <= 40 => Parsed::Item((n, d, Some(d)), Vec::new()),
            _ => Parsed::Reject(3, "is not a whole number from 0 to 40"),
        }
    }) {
        let list: Vec<Value> = sdq
            .iter()
            .map(|s| json!({"date": s.start.to_string(), "total": s.value}))
            .collect();
        health.insert("sdq_scores".into(), Value::Array(list));
        covered.push("health.sdq_scores");
    }
    if let Some(checks) = list(env, sink, rows, t::HEALTH, false, |rec| {
        let d = tri!(start(env, rec, 3));
        let mut h = Map::new();
        h.insert("date".into(), json!(d.to_string()));
        if !rec.get(2).is_empty() {
            h.insert("check_type".into(), json!(rec.get(2)));
        }
        if !rec.get(4).is_empty() {
            h.insert("status".into(), json!(rec.get(4)));
        }
        Parsed::Item((h, d, Some(d)), Vec::new())
    }) {
        let list: Vec<Value> = checks.into_iter().map(|c| Value::Object(c.value)).collect();
        health.insert("health_checks".into(), Value::Array(list));
        covered.push("health.health_checks");
    }
    if !health.is_empty() {
        plan.insert("health".into(), Value::Object(health));
    }

    // Missing episodes and return home interviews.
    if let Some(missing) = list(env, sink, rows, t::MISSING, false, |rec| {
        let s = tri!(start(env, rec, 2));
        let e = tri!(end(env, rec, 4, s));
        let mut w = Vec::new();
        let mut m = Map::new();
        m.insert("start_date".into(), json!(s.to_string()));
        if let Some(e) = e {
            m.insert("end_date".into(), json!(e.to_string()));
        }
        if !rec.get(3).is_empty() {
            match codes::missing_type(rec.get(3)) {
                Some(ty) => {
                    m.insert("episode_type".into(), json!(ty));
                }
                None => w.push(unmapped(3)),
            }
        }
        for (col, key) in [
            (5, "return_interview_offered"),
            (6, "return_interview_accepted"),
        ] {
            if !rec.get(col).is_empty() {
                match codes::flag(rec.get(col)) {
                    Some(b) => {
                        m.insert(key.into(), json!(b));
                    }
                    None => w.push(unmapped(col)),
                }
            }
        }
        Parsed::Item((m, s, e), w)
    }) {
        let list: Vec<Value> = missing
            .into_iter()
            .map(|m| Value::Object(m.value))
            .collect();
        plan.insert("crisis".into(), json!({ "missing_episodes": list }));
        covered.push("crisis.missing_episodes");
    }

    // Worker involvements: each social-worker involvement after the first
    // is a change of worker. Without the role column the importer cannot
    // tell social workers from others, so the list is left out.
    if present(env, t::INVOLVEMENTS, 3) {
        if let Some(inv) = list(env, sink, rows, t::INVOLVEMENTS, false, |rec| {
            let s = tri!(start(env, rec, 4));
            let role = codes::normalise(rec.get(3));
            let sw = matches!(
                role.as_str(),
                "cw" | "sw" | "case worker" | "social worker" | "allocated social worker"
            );
            let mut w = Vec::new();
            let reason = if rec.get(6).is_empty() {
                None
            } else {
                let r = codes::worker_change_reason(rec.get(6));
                if r.is_none() {
                    w.push(unmapped(6));
                }
                r
            };
            Parsed::Item(((sw, reason), s, None), w)
        }) {
            let changes: Vec<Value> = inv
                .iter()
                .filter(|i| i.value.0)
                .skip(1)
                .map(|i| {
                    let mut c = Map::new();
                    c.insert("date".into(), json!(i.start.to_string()));
                    c.insert("role".into(), json!("social worker"));
                    if let Some(r) = i.value.1 {
                        c.insert("reason".into(), json!(r));
                    }
                    Value::Object(c)
                })
                .collect();
            plan.insert("people".into(), json!({ "worker_changes": changes }));
            covered.push("people.worker_changes");
        }
    }

    // Statutory: visits, child protection and child-in-need plans.
    let mut statutory = Map::new();
    if let Some(visits) = list(env, sink, rows, t::VISITS, false, |rec| {
        let d = tri!(start(env, rec, 2));
        let mut w = Vec::new();
        let mut v = Map::new();
        v.insert("date".into(), json!(d.to_string()));
        for (col, key) in [(3, "seen"), (4, "seen_alone")] {
            if !rec.get(col).is_empty() {
                match codes::flag(rec.get(col)) {
                    Some(b) => {
                        v.insert(key.into(), json!(b));
                    }
                    None => w.push(unmapped(col)),
                }
            }
        }
        Parsed::Item((v, d, Some(d)), w)
    }) {
        let list: Vec<Value> = visits.into_iter().map(|v| Value::Object(v.value)).collect();
        statutory.insert("visits".into(), Value::Array(list));
        covered.push("statutory.visits");
    }
    for (table, key, path, cat) in [
        (
            t::CP_PLANS,
            "child_protection_plans",
            "statutory.child_protection_plans",
            Some(4usize),
        ),
        (
            t::CIN_PLANS,
            "child_in_need_plans",
            "statutory.child_in_need_plans",
            None,
        ),
    ] {
        if let Some(plans) = list(env, sink, rows, table, true, |rec| {
            let s = tri!(start(env, rec, 2));
            let e = tri!(end(env, rec, 3, s));
            let mut p = Map::new();
            p.insert("start_date".into(), json!(s.to_string()));
            if let Some(e) = e {
                p.insert("end_date".into(), json!(e.to_string()));
            }
            if let Some(c) = cat {
                if !rec.get(c).is_empty() {
                    p.insert("category".into(), json!(rec.get(c)));
                }
            }
            Parsed::Item((p, s, e), Vec::new())
        }) {
            let list: Vec<Value> = plans.into_iter().map(|p| Value::Object(p.value)).collect();
            statutory.insert(key.into(), Value::Array(list));
            covered.push(path);
        }
    }
    // The permanence plan of the care plan in force on the evaluation
    // date. A child with no care plan row in force: left out (unknown). A
    // row in force with no option ticked records that no permanence plan
    // is agreed yet (the SSD's guidance: leave blank when none is agreed),
    // written as `[]`.
    if let Some(plans) = list(env, sink, rows, t::CARE_PLAN, true, |rec| {
        let s = tri!(start(env, rec, 2));
        let e = tri!(end(env, rec, 3, s));
        let mut w = Vec::new();
        let options = if present(env, t::CARE_PLAN, 4) {
            match codes::permanence_options(rec.get(4)) {
                codes::Permanence::Options(o) => Some(o),
                codes::Permanence::Unmapped(_) => {
                    // An option the importer cannot name: the list would
                    // be incomplete, so it is left out.
                    w.push(unmapped(4));
                    None
                }
                codes::Permanence::Malformed => {
                    w.push(Warn {
                        col: 4,
                        why: "is not a permanence plan object or list (left out)",
                        unmapped: false,
                    });
                    None
                }
            }
        } else {
            None
        };
        Parsed::Item((options, s, e), w)
    }) {
        if let Some(current) = plans.iter().rev().find(|p| p.end.is_none()) {
            if let Some(options) = &current.value {
                statutory.insert("care_plan".into(), json!({ "permanence_plan": options }));
                covered.push("statutory.care_plan.permanence_plan");
            }
        }
    }
    if !statutory.is_empty() {
        plan.insert("statutory".into(), Value::Object(statutory));
    }

    // Reviews (cancelled ones were not held: not carried).
    if let Some(reviews) = list(env, sink, rows, t::REVIEWS, false, |rec| {
        let d = tri!(start(env, rec, 3));
        if codes::flag(rec.get(4)) == Some(true) {
            return Parsed::NotCarried("the review was cancelled");
        }
        let mut w = Vec::new();
        let mut r = Map::new();
        r.insert("date".into(), json!(d.to_string()));
        if !rec.get(5).is_empty() {
            match codes::participation(rec.get(5)) {
                Some(code) => {
                    r.insert("participation".into(), json!(code));
                }
                None => w.push(unmapped(5)),
            }
        }
        Parsed::Item((r, d, Some(d)), w)
    }) {
        let list: Vec<Value> = reviews
            .into_iter()
            .map(|r| Value::Object(r.value))
            .collect();
        plan.insert("voice".into(), json!({ "reviews": list }));
        covered.push("voice.reviews");
    }

    // Disabilities (a child with no rows: not known, left out).
    if let Some(dis) = list(
        env,
        sink,
        rows,
        t::DISABILITY,
        false,
        |rec| match codes::disability(rec.get(2)) {
            Some(word) => Parsed::Item((word, env.as_of, Some(env.as_of)), Vec::new()),
            None => Parsed::Item((None, env.as_of, Some(env.as_of)), vec![unmapped(2)]),
        },
    ) {
        if !dis.is_empty() {
            let mut words: Vec<&str> = dis.iter().filter_map(|d| d.value).collect();
            words.sort_unstable();
            words.dedup();
            if words.contains(&"autism") {
                child.insert("neurodiversity".into(), json!(["autism"]));
            }
            child.insert("disabilities".into(), json!(words));
            covered.push("child.disabilities");
        }
    }

    // Immigration status in force: UASC or not.
    if let Some(immi) = list(env, sink, rows, t::IMMIGRATION, false, |rec| {
        let s = tri!(start(env, rec, 3));
        let e = tri!(end(env, rec, 4, s));
        let u = codes::uasc(rec.get(2));
        let w = if u.is_none() {
            vec![unmapped(2)]
        } else {
            Vec::new()
        };
        Parsed::Item((u, s, e), w)
    }) {
        if let Some(current) = immi.iter().rev().find(|i| i.end.is_none()) {
            if let Some(u) = current.value {
                child.insert("uasc".into(), json!(u));
                covered.push("child.uasc");
            }
        }
    }

    // Care-leaver status: the table lists care leavers, so a child with no
    // row is not one.
    if let Some(cl) = list(env, sink, rows, t::CARE_LEAVERS, false, |rec| {
        let v = codes::care_leaver(rec.get(2));
        let w = if v.is_none() {
            vec![unmapped(2)]
        } else {
            Vec::new()
        };
        Parsed::Item((v, env.as_of, Some(env.as_of)), w)
    }) {
        let value = if cl.is_empty() {
            Some(false)
        } else if cl.iter().any(|c| c.value == Some(true)) {
            Some(true)
        } else if cl.iter().all(|c| c.value == Some(false)) {
            Some(false)
        } else {
            None
        };
        if let Some(v) = value {
            child.insert("care_leaver".into(), json!(v));
            covered.push("child.care_leaver");
        }
    }

    // Mental health of the child: assessment factor 4A at an assessment
    // dated on or before the evaluation date. As in the CIN census import,
    // only `true` is written (and covered); no 4A is not read as "no
    // concerns", so the field is otherwise left out.
    if mental_health_of_child(env, sink, rows) {
        child.insert("mental_health_needs".into(), json!(true));
        covered.push("child.mental_health_needs");
    }

    // The SSD has no PEP (or any education) table: `education` is left out
    // and not covered, so the education rules say unknown, not in this source.
    plan.insert("child".into(), Value::Object(child));
    covered.sort_unstable();
    plan.insert(
        "coverage".into(),
        json!({ "source": "ssd", "records": covered }),
    );
    Value::Object(plan)
}

/// What an assessment-factors value records.
#[derive(Debug, PartialEq, Eq)]
enum Factors {
    /// The codes recorded as identified (trimmed, upper case).
    Codes(Vec<String>),
    /// Not JSON, or JSON of another shape.
    Malformed,
}

/// Reads `cinf_assessment_factors_json`: a JSON list of codes
/// (`["1A", "4A"]`), or an object of code to Yes/No (`{"4A": "Yes"}`).
/// In an object a code counts only when its value is yes (`Yes`, `Y`,
/// `true`, `1`); no, empty and `null` do not. An empty value records no
/// factors.
fn factors(s: &str) -> Factors {
    let s = s.trim();
    if s.is_empty() {
        return Factors::Codes(Vec::new());
    }
    let Ok(value) = serde_json::from_str::<Value>(s) else {
        return Factors::Malformed;
    };
    let code = |v: &Value| match v {
        Value::String(c) => Some(c.trim().to_ascii_uppercase()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match value {
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in &items {
                match code(item) {
                    Some(c) => out.push(c),
                    None => return Factors::Malformed,
                }
            }
            Factors::Codes(out)
        }
        Value::Object(map) => {
            let mut out = Vec::new();
            for (k, v) in &map {
                let yes = match v {
                    Value::Bool(b) => *b,
                    Value::Null => false,
                    Value::Number(n) => n.as_u64() == Some(1),
                    Value::String(t) => matches!(
                        t.trim().to_ascii_lowercase().as_str(),
                        "yes" | "y" | "true" | "1"
                    ),
                    _ => return Factors::Malformed,
                };
                if yes {
                    out.push(k.trim().to_ascii_uppercase());
                }
            }
            Factors::Codes(out)
        }
        _ => Factors::Malformed,
    }
}

/// Whether factor 4A (mental health of the child) is recorded at one of
/// the child's assessments dated on or before the evaluation date. Counts
/// and reports the child's rows of both tables.
fn mental_health_of_child(env: &Env, sink: &mut Sink, rows: &ChildRows) -> bool {
    let empty: &[Rec] = &[];
    let assessments = rows
        .tables
        .get(t::CIN_ASSESSMENTS)
        .map_or(empty, Vec::as_slice);
    let mut in_window: HashSet<&str> = HashSet::new();
    for rec in assessments {
        // The start date, or where it is empty the authorisation date.
        let (col, raw) = if rec.get(2).trim().is_empty() {
            (3, rec.get(3))
        } else {
            (2, rec.get(2))
        };
        let why = match date(raw) {
            Ok(Some(d)) if d <= env.as_of => {
                in_window.insert(rec.get(0));
                if let Some(c) = sink.count(t::CIN_ASSESSMENTS) {
                    c.used += 1;
                }
                continue;
            }
            Ok(Some(_)) => format!("`{}` {AFTER}", col_name(t::CIN_ASSESSMENTS, col)),
            Ok(None) => "has no start or authorisation date, so it is not known to be before the evaluation date".to_string(),
            Err(()) => format!("`{}` {NOT_DATE}", col_name(t::CIN_ASSESSMENTS, col)),
        };
        if let Some(c) = sink.count(t::CIN_ASSESSMENTS) {
            c.not_carried += 1;
        }
        sink.issue(
            env,
            t::CIN_ASSESSMENTS,
            rec.line,
            rows.id,
            Handling::NotCarried,
            format!(
                "row `{}`: {why}: its assessment factors are not carried",
                rec.get(0)
            ),
        );
    }
    let recs = rows
        .tables
        .get(t::ASSESSMENT_FACTORS)
        .map_or(empty, Vec::as_slice);
    let has_json = present(env, t::ASSESSMENT_FACTORS, 2);
    let json_col = col_name(t::ASSESSMENT_FACTORS, 2);
    let mut found = false;
    for rec in recs {
        let row = rec.get(0);
        if !in_window.contains(rec.get(1)) || !has_json {
            let why = if has_json {
                "its assessment is not carried (see `ssd_cin_assessments`)".to_string()
            } else {
                format!("the table has no `{json_col}` column")
            };
            if let Some(c) = sink.count(t::ASSESSMENT_FACTORS) {
                c.not_carried += 1;
            }
            sink.issue(
                env,
                t::ASSESSMENT_FACTORS,
                rec.line,
                rows.id,
                Handling::NotCarried,
                format!("row `{row}`: {why}"),
            );
            continue;
        }
        let warn = |sink: &mut Sink, why: &str| {
            if let Some(c) = sink.count(t::ASSESSMENT_FACTORS) {
                c.warnings += 1;
            }
            sink.issue(
                env,
                t::ASSESSMENT_FACTORS,
                rec.line,
                rows.id,
                Handling::Warning,
                format!("row `{row}`: `{json_col}` {why}"),
            );
        };
        if let Some(c) = sink.count(t::ASSESSMENT_FACTORS) {
            c.used += 1;
        }
        match factors(rec.get(2)) {
            Factors::Malformed => warn(
                sink,
                "is not a JSON list of codes or object of code to Yes/No (left out)",
            ),
            Factors::Codes(codes) => {
                let unknown = codes
                    .iter()
                    .filter(|c| !crate::codes::ASSESSMENT_FACTORS.contains(&c.as_str()))
                    .count();
                if unknown > 0 {
                    let name = TABLES
                        .get(t::ASSESSMENT_FACTORS)
                        .map(|t| t.name)
                        .unwrap_or("");
                    *sink
                        .unmapped
                        .entry(format!("{name}.{json_col}"))
                        .or_insert(0) += 1;
                    warn(
                        sink,
                        "has a code that is not an assessment factor (left out)",
                    );
                }
                if codes
                    .iter()
                    .any(|c| c == crate::codes::FACTOR_CHILD_MENTAL_HEALTH)
                {
                    found = true;
                }
            }
        }
    }
    found
}

fn person_warn(env: &Env, sink: &mut Sink, rows: &ChildRows, why: &str) {
    if let Some(c) = sink.count(t::PERSON) {
        c.warnings += 1;
    }
    sink.issue(
        env,
        t::PERSON,
        rows.person.line,
        rows.id,
        Handling::Warning,
        format!("row `{}`: `pers_dob` {why}", rows.id),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_forms_exports_use() {
        let d = Date::parse("2024-03-05").ok();
        assert_eq!(date("2024-03-05"), Ok(d));
        assert_eq!(date("2024-03-05 00:00:00"), Ok(d));
        assert_eq!(date("2024-03-05T10:30:00.000"), Ok(d));
        assert_eq!(date("05/03/2024"), Ok(d));
        assert_eq!(date(""), Ok(None));
        assert_eq!(date("2024-03-05x"), Err(()));
        assert_eq!(date("31/02/2024"), Err(()));
        assert_eq!(date("soon"), Err(()));
    }

    #[test]
    fn assessment_factors_as_a_list_or_an_object() {
        let codes = |v: &[&str]| Factors::Codes(v.iter().map(|s| s.to_string()).collect());
        assert_eq!(factors(r#"["1A", " 4a ", 21]"#), codes(&["1A", "4A", "21"]));
        assert_eq!(
            factors(r#"{"4A": "Yes", "1B": "No", "2B": true, "3A": null}"#),
            codes(&["2B", "4A"])
        );
        assert_eq!(factors(r#"{"4A": "No"}"#), codes(&[]));
        assert_eq!(factors(""), codes(&[]));
        assert_eq!(factors("[]"), codes(&[]));
        assert_eq!(factors(r#"["4A", "#), Factors::Malformed);
        assert_eq!(factors("4A,1B"), Factors::Malformed);
        assert_eq!(factors(r#"[["4A"]]"#), Factors::Malformed);
        assert_eq!(factors(r#"{"4A": ["Yes"]}"#), Factors::Malformed);
        assert_eq!(factors(r#""4A""#), Factors::Malformed);
    }

    #[test]
    fn numbers() {
        assert_eq!(number("12.5"), Ok(Some(12.5)));
        assert_eq!(number(""), Ok(None));
        assert_eq!(number("far"), Err(()));
        assert_eq!(number("NaN"), Err(()));
    }
}
