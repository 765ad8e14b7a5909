//! The per-child list tables (reviews, OC2, missing, social worker
//! episodes) and the tables checked but not carried.

use std::collections::{BTreeMap, HashMap};

use careprompt::Date;

use super::importer::{Fate, Importer, TabId};
use super::NOT_CARRIED_TABLES;
use crate::codes;
use crate::plan::{
    Crisis, Health, MissingEpisode, People, Plan, Review, SdqScore, Voice, WorkerChange,
};
use crate::table::{dmy, Table};

impl Importer {
    pub(super) fn reviews(&mut self, t: TabId, table: &Table, plans: &mut BTreeMap<String, Plan>) {
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
                self.about(code).warn(
                    t,
                    row.line,
                    &child,
                    "REVIEW_CODE is not PN0-PN7: participation left out".into(),
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
        // Children looked after in the year with no row here have none,
        // unless the table was rejected as a whole (then it says nothing).
        let defaults: Vec<String> = if self.table_rejected(t) {
            Vec::new()
        } else {
            self.in_care_in_year.iter().cloned().collect()
        };
        for c in defaults {
            if let Some(p) = plans.get_mut(&c) {
                let v = p.voice.get_or_insert_with(Voice::default);
                if v.reviews.is_none() && !left_out.contains(&c) {
                    v.reviews = Some(Vec::new());
                }
            }
        }
    }

    pub(super) fn oc2(&mut self, t: TabId, table: &Table, plans: &mut BTreeMap<String, Plan>) {
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
                        self.about(text).reject(
                            t,
                            row,
                            idx,
                            &child,
                            "SDQ_SCORE is not a whole number from 0 to 40".into(),
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

    pub(super) fn missing(&mut self, t: TabId, table: &Table, plans: &mut BTreeMap<String, Plan>) {
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
                    self.about(other).reject(
                        t,
                        row,
                        idx,
                        &child,
                        "MISSING is neither M nor A".into(),
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
                    let value = format!("MIS_END {}, MIS_START {}", dmy(e), dmy(start));
                    self.about(value).reject(
                        t,
                        row,
                        idx,
                        &child,
                        "MIS_END is before MIS_START".into(),
                    );
                    broken.entry(child).or_default().push(row.line);
                    continue;
                }
            }
            if self.out_of_range(t, row, idx, &child, "MIS_START", start) {
                continue;
            }
            if let Some(e) = end.filter(|e| *e > self.as_of) {
                let reason = format!(
                    "MIS_END is after the as-of date ({}): the episode is taken as still open at the as-of date",
                    dmy(self.as_of)
                );
                self.about(dmy(e)).warn(t, row.line, &child, reason);
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
        // Children looked after in the year with no row here have none,
        // unless the table was rejected as a whole (then it says nothing).
        let defaults: Vec<String> = if self.table_rejected(t) {
            Vec::new()
        } else {
            self.in_care_in_year.iter().cloned().collect()
        };
        for c in defaults {
            if let Some(p) = plans.get_mut(&c) {
                let cr = p.crisis.get_or_insert_with(Crisis::default);
                if cr.missing_episodes.is_none() && !left_out.contains(&c) {
                    cr.missing_episodes = Some(Vec::new());
                }
            }
        }
    }

    pub(super) fn sw_episodes(
        &mut self,
        t: TabId,
        table: &Table,
        plans: &mut BTreeMap<String, Plan>,
    ) {
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
                    self.about(reason).warn(
                        t,
                        line,
                        &child,
                        "SW_REASON is not a reason for a change of social worker: reason left out"
                            .into(),
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

    pub(super) fn not_carried_table(
        &mut self,
        t: TabId,
        table: &Table,
        _plans: &mut BTreeMap<String, Plan>,
    ) {
        let name = self.table_name(t);
        let (dates, what) = NOT_CARRIED_TABLES
            .iter()
            .find(|(n, _, _)| *n == name)
            .map_or((&[][..], "this table"), |(_, d, w)| (*d, *w));
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
        self.note(
            name,
            format!("{checked} valid row(s) checked and not carried: the case-plan schema has no field for {what}"),
        );
    }
}
