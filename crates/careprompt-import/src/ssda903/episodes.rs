//! The episodes table: episodes checked, merged into placements, and the
//! child's legal status and looked-after status at the as-of date.

use std::collections::{BTreeMap, HashMap};

use careprompt::Date;

use super::importer::{Fate, Importer, TabId};
use crate::codes;
use crate::log::Handling;
use crate::plan::{Placement, Plan};
use crate::table::{dmy, Table};

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
impl Importer {
    pub(super) fn episodes(&mut self, t: TabId, table: &Table, plans: &mut BTreeMap<String, Plan>) {
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
                    let value = format!("DEC {}, DECOM {}", dmy(d), dmy(decom));
                    self.about(value)
                        .reject(t, row, idx, &child, "DEC is before DECOM".into());
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
                // The episode is what the data says: open at the as-of date
                // when it ends after it, ended (with its DEC) when it ends on
                // or before it, even if that is after the year end.
                if d > self.as_of {
                    let reason = if d > self.year_end {
                        format!(
                            "DEC is after the end of the collection year ({}) and after the as-of date ({}): the episode is taken as open at the as-of date",
                            dmy(self.year_end),
                            dmy(self.as_of)
                        )
                    } else {
                        format!(
                            "DEC is after the as-of date ({}): the episode is taken as open at the as-of date",
                            dmy(self.as_of)
                        )
                    };
                    self.about(dmy(d)).warn(t, row.line, &child, reason);
                    dec = None;
                } else if d > self.year_end {
                    let reason = format!(
                        "DEC is after the end of the collection year ({}) but on or before the as-of date ({}): the episode is recorded as ended on its DEC",
                        dmy(self.year_end),
                        dmy(self.as_of)
                    );
                    self.about(dmy(d)).warn(t, row.line, &child, reason);
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
                        "no DEC (still open), but a later episode starts (line {})",
                        n.line
                    )),
                    (Some(_), Some(n)) if ep.dec.is_some_and(|d| d > n.decom) => Some(format!(
                        "DEC is after the next episode's DECOM (line {}): the episodes overlap",
                        n.line
                    )),
                    _ => None,
                };
                match reason {
                    Some(r) => {
                        self.set(t, ep.idx, Fate::Rejected);
                        self.push(t, Some(ep.line), Some(&child), Handling::Rejected, r);
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
                                "REC X1 says a new episode starts the same day, but the next one (line {}) starts another day",
                                n.line
                            ),
                        };
                        self.warn(t, ep.line, &child, reason);
                        holes.push(ep.line);
                    }
                } else if let Some(n) = next.filter(|n| n.decom == d && n.rne != "S") {
                    let reason = format!(
                        "REC ends the period of care, but the next episode (line {}) starts the same day with an RNE other than S",
                        n.line
                    );
                    let value = format!("REC {}, RNE {}", ep.rec, n.rne);
                    self.about(value).warn(t, ep.line, &child, reason);
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
            self.about(ep.ls.clone()).warn(
                t,
                line,
                child,
                "LS is not a legal status code: legal_status left out".into(),
            );
        }
        match codes::place_code(&ep.place) {
            None => self.about(ep.place.clone()).warn(
                t,
                line,
                child,
                "PLACE is not a placement type code: place_code and placement_type left out".into(),
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
            self.about(ep.rne.clone()).warn(
                t,
                line,
                child,
                "RNE is not a reason for new episode: taken as a new placement".into(),
            );
        }
        let rec_ok =
            codes::REC.contains(&ep.rec.as_str()) || (ep.rec.is_empty() && ep.dec.is_none());
        if !rec_ok {
            self.about(ep.rec.clone()).warn(
                t,
                line,
                child,
                "REC is not a reason episode ceased".into(),
            );
        }
        if !ep.reason.is_empty() && !codes::REASON_PLACE_CHANGE.contains(&ep.reason.as_str()) {
            self.about(ep.reason.clone()).warn(
                t,
                line,
                child,
                "REASON_PLACE_CHANGE is not a reason code: reason_ended left out".into(),
            );
        }
        if !ep.pl_location.is_empty() && ep.pl_location != "IN" && ep.pl_location != "OUT" {
            self.about(ep.pl_location.clone()).warn(
                t,
                line,
                child,
                "PL_LOCATION is neither IN nor OUT: left out".into(),
            );
        }
        if !ep.pl_distance.is_empty() && distance(&ep.pl_distance).is_err() {
            self.about(ep.pl_distance.clone()).warn(
                t,
                line,
                child,
                "PL_DISTANCE is not a distance in miles: left out".into(),
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
                                let value = format!("{} to {}", prev.place, ep.place);
                                self.about(value).warn(
                                    t,
                                    ep.line,
                                    child,
                                    "RNE L (legal status only) but PLACE changes: merged into one placement, the later PLACE kept".into(),
                                );
                            }
                            if !prev.reason.is_empty() {
                                let reason = format!(
                                    "REASON_PLACE_CHANGE on an episode followed by a change of legal status only (line {}): ignored",
                                    ep.line
                                );
                                self.about(prev.reason.clone())
                                    .warn(t, prev.line, child, reason);
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
                    let value = format!("PL_LOCATION {}, PL_LA {}", last.pl_location, last.pl_la);
                    self.about(value).warn(
                        t,
                        last.line,
                        child,
                        "PL_LOCATION disagrees with PL_LA compared with --la-code: PL_LOCATION used"
                            .into(),
                    );
                }
            }
            p.out_of_area = by_location.or(by_la);
            p.distance_miles = distance(&last.pl_distance).ok().flatten();
            out.push(p);
        }
        out
    }
}

/// PL_DISTANCE in miles: `Ok(None)` for blank or 999.9 (unknown).
pub(super) fn distance(text: &str) -> Result<Option<f64>, ()> {
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
