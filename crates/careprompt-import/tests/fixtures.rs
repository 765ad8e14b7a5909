//! The import on the synthetic SSDA903 and CIN fixtures (copied into
//! tests/fixtures/ from data-to-insight's validators; see their
//! ATTRIBUTION.md): the counts of rows used and rejected, and independent
//! cross-checks computed straight from the CSV against the plans and the
//! engine's outcomes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use careprompt::{CheckOptions, Date, OutcomeKind, RuleSet};
use careprompt_import::{cin, ssda903, Handling, Import};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn as_of() -> Date {
    Date::parse("2018-03-31").unwrap()
}

fn import() -> Import {
    let options = ssda903::Options {
        as_of: Some(as_of()),
        la_code: None,
        year_end: None,
        ..Default::default()
    };
    ssda903::import_dir(&fixtures().join("ssda903"), &options).unwrap()
}

/// A deliberately simple CSV reader for the cross-checks (the fixture
/// files have no quoted fields), separate from the importer's.
fn rows(table: &str) -> Vec<HashMap<String, String>> {
    let text =
        std::fs::read_to_string(fixtures().join("ssda903").join(format!("{table}.csv"))).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines();
    let head: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(|h| h.trim().to_string())
        .collect();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            head.iter()
                .cloned()
                .zip(l.split(',').map(|f| f.trim().to_string()))
                .collect()
        })
        .collect()
}

/// DD/MM/YYYY as (y, m, d), comparable.
fn ymd(s: &str) -> Option<(i32, u32, u32)> {
    let mut p = s.split('/');
    let d = p.next()?.parse().ok()?;
    let m = p.next()?.parse().ok()?;
    let y = p.next()?.parse().ok()?;
    Some((y, m, d))
}

const YEAR_START: (i32, u32, u32) = (2017, 3, 31); // as-of minus 12 months, inclusive
const AS_OF: (i32, u32, u32) = (2018, 3, 31);
const SIX_MONTHS_BEFORE: (i32, u32, u32) = (2017, 9, 30);

#[test]
fn the_synthetic_return_imports_with_every_row_accounted_for() {
    let imp = import();
    let log = &imp.log;
    assert_eq!(imp.plans.len(), 2675, "one plan per header row");
    let counts: BTreeMap<&str, (u64, u64, u64, u64)> = log
        .tables
        .iter()
        .map(|t| {
            (
                t.table.as_str(),
                (t.read, t.used, t.rejected, t.not_carried),
            )
        })
        .collect();
    let expected: BTreeMap<&str, (u64, u64, u64, u64)> = [
        ("header", (2675, 2675, 0, 0)),
        // 72 rejected: 61 episodes overlapping the next one, 11 open episodes
        // followed by a later one; 131 valid episodes of the same 62
        // children not carried (their placements are left out, unknown).
        ("episodes", (5050, 4847, 72, 131)),
        // 5043 rejected: 5041 dated after the end of the collection year
        // (31/03/2018, some as late as 2030), 2 exact duplicates.
        ("reviews", (12582, 7539, 5043, 0)),
        ("oc2", (2675, 2675, 0, 0)),
        ("missing", (43, 43, 0, 0)),
        // The one row is for CHILD10, who has no header row.
        ("sw_episodes", (1, 0, 1, 0)),
        // Checked, not carried: the schema has no field for them.
        ("uasc", (132, 0, 0, 132)),
        ("oc3", (53, 0, 0, 53)),
        ("ad1", (29, 0, 0, 29)),
        ("placed_for_adoption", (29, 0, 0, 29)),
        ("previous_permanence", (2675, 0, 0, 2675)),
    ]
    .into_iter()
    .collect();
    assert_eq!(counts, expected);
    for t in &log.tables {
        assert_eq!(
            t.read,
            t.used + t.rejected + t.not_carried,
            "{}: every row counted once",
            t.table
        );
    }
    let reasons = |table: &str, level: Handling| -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for i in log.issues_at(table, level) {
            let key = if i.reason.contains("the episodes overlap") {
                "overlap"
            } else if i.reason.starts_with("no DEC (still open)") {
                "open, later episode"
            } else if i.reason.contains("after the end of the collection year") {
                "after year end"
            } else if i.reason.starts_with("duplicate of line") {
                "duplicate"
            } else if i.reason == "no header row for this child" {
                "no header"
            } else {
                i.reason.as_str()
            };
            *m.entry(key.to_string()).or_insert(0) += 1;
        }
        m
    };
    assert_eq!(
        reasons("episodes", Handling::Rejected),
        [
            ("open, later episode".to_string(), 11),
            ("overlap".to_string(), 61)
        ]
        .into_iter()
        .collect()
    );
    assert_eq!(
        reasons("reviews", Handling::Rejected),
        [
            ("after year end".to_string(), 5041),
            ("duplicate".to_string(), 2)
        ]
        .into_iter()
        .collect()
    );
    assert_eq!(
        reasons("sw_episodes", Handling::Rejected),
        [("no header".to_string(), 1)].into_iter().collect()
    );
    // Every rejected or not-carried row names its file and line.
    for i in &log.issues {
        if matches!(i.level, Handling::Rejected | Handling::NotCarried)
            && !i.reason.contains("lacks column")
        {
            assert!(i.line.is_some() && !i.file.is_empty(), "{i:?}");
        }
    }
    // The 12 episodes ending 01/04/2018, after the year end, are warned about.
    assert_eq!(log.issues_at("episodes", Handling::Warning).count(), 12);
    assert_eq!(log.collection_year_end.as_deref(), Some("2018-03-31"));
}

#[test]
fn every_imported_plan_is_a_valid_case_plan() {
    let imp = import();
    let rules = RuleSet::builtin().unwrap();
    let opts = CheckOptions::new(as_of());
    for plan in imp.plans.values() {
        let report = rules.check_json(plan.to_json().as_bytes(), &opts).unwrap();
        let warnings: Vec<_> = report.warnings.iter().collect();
        assert!(warnings.is_empty(), "{}: {:?}", plan.plan_id, warnings);
    }
}

struct Episode {
    decom: (i32, u32, u32),
    dec: Option<(i32, u32, u32)>,
    rne: String,
    rec: String,
    reason: String,
}

/// Episodes by child, sorted by start, straight from the CSV.
fn episodes() -> BTreeMap<String, Vec<Episode>> {
    let mut by: BTreeMap<String, Vec<Episode>> = BTreeMap::new();
    for r in rows("episodes") {
        let decom = ymd(&r["DECOM"]).unwrap();
        let dec = ymd(&r["DEC"]).filter(|d| *d <= AS_OF);
        by.entry(r["CHILD"].clone()).or_default().push(Episode {
            decom,
            dec,
            rne: r["RNE"].clone(),
            rec: r["REC"].clone(),
            reason: r["REASON_PLACE_CHANGE"].clone(),
        });
    }
    for eps in by.values_mut() {
        eps.sort_by_key(|e| e.decom);
    }
    by
}

/// A child's episodes fit together: none open or running past the next
/// one's start, and every X1 ending followed by an episode the same day.
fn consistent(eps: &[Episode]) -> bool {
    eps.windows(2).all(|w| match (&w[0].dec, &w[1]) {
        (None, _) => false,
        (Some(d), n) => *d <= n.decom && (w[0].rec != "X1" || *d == n.decom),
    }) && eps.last().is_none_or(|l| l.dec.is_none() || l.rec != "X1")
}

#[test]
fn cross_check_placement_histories_and_runs_of_placements() {
    let imp = import();
    let by = episodes();
    let inconsistent: BTreeSet<&String> = by
        .iter()
        .filter(|(_, e)| !consistent(e))
        .map(|(c, _)| c)
        .collect();
    let left_out: BTreeSet<&String> = imp
        .plans
        .iter()
        .filter(|(c, p)| by.contains_key(*c) && p.placements.is_none())
        .map(|(c, _)| c)
        .collect();
    assert_eq!(
        inconsistent, left_out,
        "placements are left out exactly where the episodes do not fit together"
    );
    assert_eq!(left_out.len(), 62);

    // Children with 3 or more placements starting in the 12 months before
    // the as-of date. No rule encodes exactly this (CMH-CRI-01 counts only
    // short-term or emergency placements), so the plans' fields are compared.
    let mut from_csv = BTreeSet::new();
    for (child, eps) in &by {
        if inconsistent.contains(child) {
            continue;
        }
        let mut starts = 0;
        for (k, e) in eps.iter().enumerate() {
            let continues = k > 0 && e.rne == "L" && eps[k - 1].dec == Some(e.decom);
            if !continues && YEAR_START <= e.decom && e.decom <= AS_OF {
                starts += 1;
            }
        }
        if starts >= 3 {
            from_csv.insert(child.clone());
        }
    }
    let from_plans: BTreeSet<String> = imp
        .plans
        .iter()
        .filter(|(_, p)| {
            p.placements.as_ref().is_some_and(|pl| {
                pl.iter()
                    .filter(|x| ("2017-03-31".."2018-04-01").contains(&x.start_date.as_str()))
                    .count()
                    >= 3
            })
        })
        .map(|(c, _)| c.clone())
        .collect();
    assert_eq!(from_csv, from_plans);
    assert_eq!(from_csv.len(), 133);

    // Looked after at the as-of date: the last episode is open.
    for (child, eps) in &by {
        if inconsistent.contains(child) {
            continue;
        }
        let open = eps.last().is_some_and(|e| e.dec.is_none());
        assert_eq!(imp.plans[child].child.looked_after, Some(open), "{child}");
    }
}

#[test]
fn cross_check_rules_against_the_csv() {
    let imp = import();
    let rules = RuleSet::builtin().unwrap();
    let opts = CheckOptions::new(as_of());
    let mut outcomes: BTreeMap<String, BTreeMap<String, (OutcomeKind, Vec<String>)>> =
        BTreeMap::new();
    for (child, plan) in &imp.plans {
        let report = rules.check_json(plan.to_json().as_bytes(), &opts).unwrap();
        outcomes.insert(
            child.clone(),
            report
                .outcomes
                .iter()
                .map(|o| (o.rule().to_string(), (o.outcome, o.missing.clone())))
                .collect(),
        );
    }
    let with = |rule: &str, pred: &dyn Fn(OutcomeKind, &[String]) -> bool| -> BTreeSet<String> {
        outcomes
            .iter()
            .filter(|(_, o)| o.get(rule).is_some_and(|(k, m)| pred(*k, m)))
            .map(|(c, _)| c.clone())
            .collect()
    };

    // SDQ of 17 or more (CMH-MED-04: a recent SDQ of concern and no CAMHS
    // involvement). The returns never carry CAMHS involvement, so for every
    // child with such a score the rule cannot decide, and what it lacks is
    // exactly health.camhs.involved; for every other child in OC2 it is clear.
    let sdq17: BTreeSet<String> = rows("oc2")
        .into_iter()
        .filter(|r| r["SDQ_SCORE"].parse::<u32>().is_ok_and(|n| n >= 17))
        .map(|r| r["CHILD"].clone())
        .collect();
    let med04 = with("CMH-MED-04", &|k, m| {
        k == OutcomeKind::Unknown && m == ["health.camhs.involved"]
    });
    assert_eq!(sdq17, med04);
    assert_eq!(sdq17.len(), 804);
    assert_eq!(
        with("CMH-MED-04", &|k, _| k == OutcomeKind::Clear).len(),
        2675 - 804
    );

    // A review in the last 6 months at which the child neither attended
    // nor had views conveyed (PN7): CMH-VOI-03 encodes exactly this.
    let mut seen = BTreeSet::new();
    let mut pn7 = BTreeSet::new();
    for r in rows("reviews") {
        let key = (
            r["CHILD"].clone(),
            r["REVIEW"].clone(),
            r["REVIEW_CODE"].clone(),
        );
        if !seen.insert(key) {
            continue;
        }
        let d = ymd(&r["REVIEW"]).unwrap();
        if r["REVIEW_CODE"] == "PN7" && SIX_MONTHS_BEFORE <= d && d <= AS_OF {
            pn7.insert(r["CHILD"].clone());
        }
    }
    assert_eq!(pn7, with("CMH-VOI-03", &|k, _| k == OutcomeKind::Fires));
    assert_eq!(pn7.len(), 120);

    // Two or more placements ended in the last 12 months at the carer's
    // request because of the child's behaviour (CREQB on the episode that
    // ended, the next not a change of legal status only): CMH-STB-02.
    let by = episodes();
    let mut creqb = BTreeSet::new();
    for (child, eps) in &by {
        if !consistent(eps) {
            continue;
        }
        let n = eps
            .iter()
            .enumerate()
            .filter(|(k, e)| {
                let next_is_l = eps
                    .get(k + 1)
                    .is_some_and(|n| n.rne == "L" && Some(n.decom) == e.dec);
                e.reason == "CREQB"
                    && !next_is_l
                    && e.dec.is_some_and(|d| YEAR_START <= d && d <= AS_OF)
            })
            .count();
        if n >= 2 {
            creqb.insert(child.clone());
        }
    }
    assert_eq!(creqb, with("CMH-STB-02", &|k, _| k == OutcomeKind::Fires));
    assert_eq!(creqb.len(), 4);

    // Children with a missing or away episode: no rule encodes this alone
    // (CMH-CRI-03 needs three in three months and mental health needs), so
    // the plans' fields are compared.
    let missing: BTreeSet<String> = rows("missing")
        .into_iter()
        .map(|r| r["CHILD"].clone())
        .collect();
    let in_plans: BTreeSet<String> = imp
        .plans
        .iter()
        .filter(|(_, p)| {
            p.crisis
                .as_ref()
                .and_then(|c| c.missing_episodes.as_ref())
                .is_some_and(|m| !m.is_empty())
        })
        .map(|(c, _)| c.clone())
        .collect();
    assert_eq!(missing, in_plans);
    assert_eq!(missing.len(), 39);
}

#[test]
fn the_synthetic_cin_census_imports_and_merges() {
    let census = cin::import_file(
        &fixtures().join("cin/fake_CIN_data.xml"),
        &cin::Options::default(),
    )
    .unwrap();
    assert_eq!(census.plans.len(), 332);
    let child = census.log.table("Child").unwrap();
    assert_eq!((child.read, child.used, child.rejected), (332, 332, 0));
    let src = census.log.table("ReferralSource").unwrap();
    assert_eq!((src.read, src.rejected, src.not_carried), (402, 0, 402));
    let dis = census.log.table("Disability").unwrap();
    assert_eq!((dis.read, dis.used, dis.rejected), (117, 117, 0));
    let from_ae = census
        .log
        .cin_codes
        .iter()
        .filter(|c| c.referrals.iter().any(|r| r.from_ae))
        .count();
    assert_eq!(from_ae, 28, "children referred by A&E (ReferralSource 3E)");

    let small = cin::import_file(
        &fixtures().join("cin/CIN_Census_2024.xml"),
        &cin::Options::default(),
    )
    .unwrap();
    let f = small.log.table("AssessmentFactors").unwrap();
    // 1C and 6B are factors (not carried: no schema field); RB is not a code.
    assert_eq!((f.read, f.used, f.rejected, f.not_carried), (3, 0, 1, 2));
    let p = &small.plans["DfEX0000001"];
    assert_eq!(
        p.child.disabilities.as_deref(),
        Some(
            &[
                "hand_function".to_string(),
                "hearing_impairment".to_string()
            ][..]
        )
    );
    assert_eq!(
        p.child.mental_health_needs, None,
        "no 4A: left out, not false"
    );
    assert_eq!(
        small.plans["child_fails_assessments"]
            .child
            .disabilities
            .as_deref(),
        Some(&[][..])
    );

    let merged = cin::merge(import(), census);
    assert_eq!(
        merged.plans.len(),
        2675 + 332,
        "the synthetic returns share no child ids"
    );
    assert_eq!(merged.log.source, "ssda903+cin");
}
