//! The SSD import on the synthetic fixtures in tests/fixtures/ssd (written
//! by careprompt-ssdgen; see PROVENANCE.md there): every row accounted
//! for, cross-checks computed straight from the CSV against the plans and
//! the engine's outcomes, the system variants, and bad input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use careprompt::{CheckOptions, Date, OutcomeKind, RuleSet};
use careprompt_import::ssd::{self, CsvDir, Options};
use careprompt_import::{Handling, ImportLog};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/ssd")
        .join(name)
}

fn as_of() -> Date {
    Date::parse("2026-03-31").unwrap()
}

/// Imports `dir` into a temporary NDJSON file; returns the plans by id and the log.
fn import_dir(dir: &Path) -> (BTreeMap<String, Value>, ImportLog) {
    import_with(dir, &Options::new(as_of()))
}

fn import_with(dir: &Path, options: &Options) -> (BTreeMap<String, Value>, ImportLog) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("plans.ndjson");
    let mut source = CsvDir::new(dir).unwrap();
    let log = ssd::import(&mut source, options, &out, false, &mut |_| {}).unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    let plans = text
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["plan_id"].as_str().unwrap().to_string(), v)
        })
        .collect();
    (plans, log)
}

/// The rows of `table` as maps, read with the csv crate (not the importer).
fn rows(dir: &Path, table: &str) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(dir.join(format!("{table}.csv"))).unwrap();
    let head: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            head.iter()
                .cloned()
                .zip(rec.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn date(s: &str) -> Option<Date> {
    s.get(..10).and_then(|d| Date::parse(d).ok())
}

fn outcomes(
    plans: &BTreeMap<String, Value>,
) -> BTreeMap<String, BTreeMap<String, (OutcomeKind, Vec<String>)>> {
    let rules = RuleSet::builtin().unwrap();
    let opts = CheckOptions::new(as_of());
    plans
        .iter()
        .map(|(id, p)| {
            let report = rules.check_json(p.to_string().as_bytes(), &opts).unwrap();
            assert!(report.warnings.is_empty(), "{id}: {:?}", report.warnings);
            (
                id.clone(),
                report
                    .outcomes
                    .iter()
                    .map(|o| (o.rule().to_string(), (o.outcome, o.missing.clone())))
                    .collect(),
            )
        })
        .collect()
}

fn with(
    o: &BTreeMap<String, BTreeMap<String, (OutcomeKind, Vec<String>)>>,
    rule: &str,
    kind: OutcomeKind,
) -> BTreeSet<String> {
    o.iter()
        .filter(|(_, r)| r.get(rule).is_some_and(|(k, _)| *k == kind))
        .map(|(c, _)| c.clone())
        .collect()
}

#[test]
fn the_systemc_fixture_imports_with_every_row_accounted_for() {
    let dir = fixture("systemc");
    let (plans, log) = import_dir(&dir);
    assert_eq!(plans.len(), 150);
    assert_eq!(log.plans, 150);
    assert_eq!(log.source, "ssd");
    for t in &log.tables {
        assert_eq!(t.read, t.used + t.rejected + t.not_carried, "{}", t.table);
        if t.present {
            let csv_rows = rows(&dir, &t.table).len() as u64;
            assert_eq!(t.read, csv_rows, "{}", t.table);
        }
        assert_eq!(t.rejected, 0, "{}", t.table);
    }
    // Cancelled reviews, and reviews dated after the evaluation date, are
    // the only rows not carried.
    let cancelled = rows(&dir, "ssd_cla_reviews")
        .iter()
        .filter(|r| {
            r["clar_cla_review_cancelled"] == "Y"
                || date(&r["clar_cla_review_date"]).unwrap() > as_of()
        })
        .count() as u64;
    assert!(cancelled > 0);
    assert_eq!(log.table("ssd_cla_reviews").unwrap().not_carried, cancelled);
    // The placeholder table is not one the importer reads.
    assert!(log.table("ssd_voice_of_child").is_none());
    // Pre-2015 placement codes are carried as placement types, with a warning.
    let pre2015 = rows(&dir, "ssd_cla_placement")
        .iter()
        .filter(|r| ["F4", "F6", "H2", "Q2"].contains(&r["clap_cla_placement_type"].as_str()))
        .count();
    let warned = log
        .issues_at("ssd_cla_placement", Handling::Warning)
        .filter(|i| i.reason.contains("retired in 2015"))
        .count();
    assert_eq!(pre2015, warned);
}

#[test]
fn every_ssd_plan_is_a_valid_case_plan_declaring_its_coverage() {
    for name in ["systemc", "mosaic", "bad"] {
        let (plans, _) = import_dir(&fixture(name));
        let _ = outcomes(&plans); // asserts no warnings (unknown fields)
        for (id, p) in &plans {
            assert_eq!(p["coverage"]["source"], "ssd", "{id}");
            let records: Vec<&str> = p["coverage"]["records"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            // Nothing the SSD lacks is ever declared.
            for never in [
                "education",
                "education.pep",
                "education.virtual_school",
                "health.camhs",
                "health.diagnoses",
                "family",
                "statutory.processes",
            ] {
                assert!(!records.contains(&never), "{id}: {never}");
            }
            // Every covered list is written (explicit none only there).
            for path in &records {
                let mut v = p;
                for seg in path.split('.') {
                    v = &v[seg];
                }
                assert!(!v.is_null(), "{id}: {path} covered but absent");
            }
        }
    }
}

#[test]
fn cross_check_the_plans_against_the_csv() {
    let dir = fixture("systemc");
    let (plans, _) = import_dir(&dir);
    let d = as_of();
    // Looked after: an episode started by the date and not ceased by it.
    let looked_after: BTreeSet<String> = rows(&dir, "ssd_cla_episodes")
        .iter()
        .filter(|r| {
            date(&r["clae_cla_episode_start_date"]).unwrap() <= d
                && date(&r["clae_cla_episode_ceased_date"]).is_none_or(|c| c > d)
        })
        .map(|r| r["clae_person_id"].clone())
        .collect();
    let in_plans: BTreeSet<String> = plans
        .iter()
        .filter(|(_, p)| p["child"]["looked_after"] == true)
        .map(|(c, _)| c.clone())
        .collect();
    assert_eq!(looked_after, in_plans);
    assert!(!looked_after.is_empty());

    // SDQ scores: every row, dated.
    let mut sdq: BTreeMap<String, Vec<(String, u64)>> = BTreeMap::new();
    for r in rows(&dir, "ssd_sdq_scores") {
        sdq.entry(r["csdq_person_id"].clone()).or_default().push((
            r["csdq_sdq_completed_date"][..10].to_string(),
            r["csdq_sdq_score"].parse().unwrap(),
        ));
    }
    for (id, p) in &plans {
        let mut want = sdq.get(id).cloned().unwrap_or_default();
        want.sort();
        let got: Vec<(String, u64)> = p["health"]["sdq_scores"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["date"].as_str().unwrap().to_string(),
                    s["total"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(want, got, "{id}");
    }

    // Worker changes: case-worker involvements after the first.
    let mut cw: BTreeMap<String, usize> = BTreeMap::new();
    for r in rows(&dir, "ssd_involvements") {
        if r["invo_professional_role_id"] == "CW" {
            *cw.entry(r["invo_person_id"].clone()).or_default() += 1;
        }
    }
    for (id, p) in &plans {
        let want = cw.get(id).copied().unwrap_or(0).saturating_sub(1);
        assert_eq!(
            p["people"]["worker_changes"].as_array().unwrap().len(),
            want,
            "{id}"
        );
    }

    // Placements and missing episodes: one each per row.
    let mut pl: BTreeMap<String, usize> = BTreeMap::new();
    for r in rows(&dir, "ssd_cla_placement") {
        *pl.entry(r["clap_person_id"].clone()).or_default() += 1;
    }
    let mut miss: BTreeMap<String, usize> = BTreeMap::new();
    for r in rows(&dir, "ssd_missing") {
        *miss.entry(r["miss_person_id"].clone()).or_default() += 1;
    }
    for (id, p) in &plans {
        assert_eq!(
            p["placements"].as_array().unwrap().len(),
            pl.get(id).copied().unwrap_or(0),
            "{id}"
        );
        assert_eq!(
            p["crisis"]["missing_episodes"].as_array().unwrap().len(),
            miss.get(id).copied().unwrap_or(0),
            "{id}"
        );
    }
}

#[test]
fn cross_check_the_rules_against_the_csv() {
    let dir = fixture("systemc");
    let (plans, _) = import_dir(&dir);
    let o = outcomes(&plans);
    let d = as_of();
    let three_months = d.add_months(-3);
    let six_months = d.add_months(-6);

    // CMH-REC-01: a missing episode in the last three months with no return
    // home interview offered, or offered and not accepted.
    let rec01: BTreeSet<String> = rows(&dir, "ssd_missing")
        .iter()
        .filter(|r| {
            let s = date(&r["miss_missing_episode_start_date"]).unwrap();
            three_months <= s
                && s <= d
                && (r["miss_missing_rhi_offered"] == "N" || r["miss_missing_rhi_accepted"] == "N")
        })
        .map(|r| r["miss_person_id"].clone())
        .collect();
    assert_eq!(rec01, with(&o, "CMH-REC-01", OutcomeKind::Fires));
    assert!(!rec01.is_empty(), "the fixture should exercise CMH-REC-01");
    assert_eq!(
        with(&o, "CMH-REC-01", OutcomeKind::Clear).len(),
        plans.len() - rec01.len()
    );

    // CMH-REC-02: looked after, visited in the last six months, never seen alone.
    let la: BTreeSet<String> = plans
        .iter()
        .filter(|(_, p)| p["child"]["looked_after"] == true)
        .map(|(c, _)| c.clone())
        .collect();
    let mut visited: BTreeSet<String> = BTreeSet::new();
    let mut alone: BTreeSet<String> = BTreeSet::new();
    for r in rows(&dir, "ssd_cla_visits") {
        let v = date(&r["clav_cla_visit_date"]).unwrap();
        if six_months <= v && v <= d {
            visited.insert(r["clav_person_id"].clone());
            if r["clav_cla_visit_seen_alone"] == "Y" {
                alone.insert(r["clav_person_id"].clone());
            }
        }
    }
    let rec02: BTreeSet<String> = visited
        .difference(&alone)
        .filter(|c| la.contains(*c))
        .cloned()
        .collect();
    assert_eq!(rec02, with(&o, "CMH-REC-02", OutcomeKind::Fires));

    // CMH-VOI-03: a review in the last six months with PN7 (written as its
    // description by this Liquidlogic-style fixture), not cancelled.
    let cla_person: HashMap<String, String> = rows(&dir, "ssd_cla_episodes")
        .into_iter()
        .map(|r| (r["clae_cla_id"].clone(), r["clae_person_id"].clone()))
        .collect();
    let voi03: BTreeSet<String> = rows(&dir, "ssd_cla_reviews")
        .iter()
        .filter(|r| {
            let v = date(&r["clar_cla_review_date"]).unwrap();
            r["clar_cla_review_cancelled"] != "Y"
                && r["clar_cla_review_participation"].starts_with("Child does not attend nor")
                && six_months <= v
                && v <= d
        })
        .map(|r| cla_person[&r["clar_cla_id"]].clone())
        .collect();
    assert_eq!(voi03, with(&o, "CMH-VOI-03", OutcomeKind::Fires));

    // What the SSD cannot decide: a recent SDQ of concern (17+, dated within
    // 12 months) gives CMH-MED-04 unknown for lack of CAMHS involvement
    // alone, never a prompt; the PEP rule is never a prompt either.
    let twelve = d.add_months(-12);
    let concern: BTreeSet<String> = rows(&dir, "ssd_sdq_scores")
        .iter()
        .filter(|r| {
            let s = date(&r["csdq_sdq_completed_date"]).unwrap();
            twelve <= s && s <= d && r["csdq_sdq_score"].parse::<u32>().unwrap() >= 17
        })
        .map(|r| r["csdq_person_id"].clone())
        .collect();
    let med04: BTreeSet<String> = o
        .iter()
        .filter(|(_, r)| {
            r.get("CMH-MED-04")
                .is_some_and(|(k, m)| *k == OutcomeKind::Unknown && m == &["health.camhs.involved"])
        })
        .map(|(c, _)| c.clone())
        .collect();
    assert_eq!(concern, med04);
    assert!(!concern.is_empty());
    assert!(with(&o, "CMH-EDU-06", OutcomeKind::Fires).is_empty());
    assert!(with(&o, "CMH-EDU-01", OutcomeKind::Fires).is_empty());
    assert!(with(&o, "CMH-MED-04", OutcomeKind::Fires).is_empty());
}

#[test]
fn mosaic_links_placements_reviews_and_involvements_without_person_columns() {
    let dir = fixture("mosaic");
    let (plans, log) = import_dir(&dir);
    assert_eq!(plans.len(), 60);
    assert_eq!(log.table("ssd_cla_placement").unwrap().rejected, 0);
    let cla_person: HashMap<String, String> = rows(&dir, "ssd_cla_episodes")
        .into_iter()
        .map(|r| (r["clae_cla_id"].clone(), r["clae_person_id"].clone()))
        .collect();
    let ref_person: HashMap<String, String> = rows(&dir, "ssd_cin_episodes")
        .into_iter()
        .map(|r| (r["cine_referral_id"].clone(), r["cine_person_id"].clone()))
        .collect();
    let mut pl: BTreeMap<String, usize> = BTreeMap::new();
    for r in rows(&dir, "ssd_cla_placement") {
        *pl.entry(cla_person[&r["clap_cla_id"]].clone()).or_default() += 1;
    }
    let mut cw: BTreeMap<String, usize> = BTreeMap::new();
    for r in rows(&dir, "ssd_involvements") {
        *cw.entry(ref_person[&r["invo_referral_id"]].clone())
            .or_default() += 1;
    }
    for (id, p) in &plans {
        assert_eq!(
            p["placements"].as_array().unwrap().len(),
            pl.get(id).copied().unwrap_or(0),
            "{id}"
        );
        assert_eq!(
            p["people"]["worker_changes"].as_array().unwrap().len(),
            cw.get(id).copied().unwrap_or(0).saturating_sub(1),
            "{id}"
        );
    }
}

#[test]
fn bad_input_is_reported_by_table_row_and_column_and_the_rest_imported() {
    let (plans, log) = import_dir(&fixture("bad"));
    assert_eq!(plans.len(), 30);
    let reasons = |table: &str, level: Handling| -> Vec<String> {
        log.issues_at(table, level)
            .map(|i| i.reason.clone())
            .collect()
    };
    // An orphan row.
    assert!(reasons("ssd_missing", Handling::Rejected)
        .iter()
        .any(|r| r.contains("`BAD-ORPHAN`") && r.contains("orphan")));
    // A duplicate id: the child's missing list is left out (unknown).
    assert!(reasons("ssd_missing", Handling::Rejected)
        .iter()
        .any(|r| r.contains("`BAD-DUP`") && r.contains("duplicate")));
    assert!(plans["100000"]["crisis"].get("missing_episodes").is_none());
    assert!(!plans["100000"]["coverage"]["records"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v == "crisis.missing_episodes"));
    // Overlapping placements: the child's placements are left out.
    assert!(reasons("ssd_cla_placement", Handling::Rejected)
        .iter()
        .any(|r| r.contains("`BAD-OVERLAP-2`") && r.contains("overlapping")));
    assert!(plans["100001"].get("placements").is_none());
    // A row after the evaluation date: not carried, the list complete.
    assert!(reasons("ssd_sdq_scores", Handling::NotCarried)
        .iter()
        .any(|r| r.contains("`BAD-FUTURE`") && r.contains("after the evaluation date")));
    assert!(plans["100002"]["health"]["sdq_scores"].is_array());
    // A value of the wrong type: reported by column, never by value.
    let wrong: Vec<String> = reasons("ssd_sdq_scores", Handling::Rejected);
    assert!(wrong
        .iter()
        .any(|r| r.contains("`BAD-TYPE`") && r.contains("`csdq_sdq_score`")));
    assert!(plans["100003"]["health"].get("sdq_scores").is_none());
    // A review linked to no care episode.
    assert!(reasons("ssd_cla_reviews", Handling::Rejected)
        .iter()
        .any(|r| r.contains("`BAD-NOLINK`")));
    // An unmapped description: counted per column, the value never shown.
    assert!(log.issues.iter().any(|i| i.level == Handling::Note
        && i.reason
            .starts_with("`ssd_legal_status.lega_legal_status`: 1 value(s)")));
    for i in &log.issues {
        assert!(
            !i.reason.contains("Some local status") && !i.reason.contains("high"),
            "{}",
            i.reason
        );
    }
    for t in &log.tables {
        assert_eq!(t.read, t.used + t.rejected + t.not_carried, "{}", t.table);
    }
}

/// Copies fixture `name` into a temporary directory for editing.
fn copy(name: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(fixture(name)).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), tmp.path().join(e.file_name())).unwrap();
    }
    tmp
}

/// Removes columns from a CSV file.
fn drop_columns(path: &Path, columns: &[&str]) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let head: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let keep: Vec<usize> = (0..head.len())
        .filter(|i| !columns.contains(&head[*i].as_str()))
        .collect();
    let recs: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(keep.iter().map(|i| head[*i].as_str()))
        .unwrap();
    for rec in recs {
        w.write_record(keep.iter().map(|i| &rec[*i])).unwrap();
    }
    w.flush().unwrap();
}

#[test]
fn an_absent_optional_column_or_table_gives_unknown_not_an_error() {
    let tmp = copy("systemc");
    drop_columns(
        &tmp.path().join("ssd_missing.csv"),
        &["miss_missing_rhi_offered", "miss_missing_rhi_accepted"],
    );
    std::fs::remove_file(tmp.path().join("ssd_cla_visits.csv")).unwrap();
    let (plans, log) = import_dir(tmp.path());
    assert_eq!(plans.len(), 150);
    assert!(!log.table("ssd_cla_visits").unwrap().present);
    let o = outcomes(&plans);
    assert!(with(&o, "CMH-REC-01", OutcomeKind::Fires).is_empty());
    assert!(with(&o, "CMH-REC-02", OutcomeKind::Fires).is_empty());
    for (id, p) in &plans {
        assert!(p["statutory"].get("visits").is_none(), "{id}");
        for m in p["crisis"]["missing_episodes"].as_array().unwrap() {
            assert!(m.get("return_interview_offered").is_none());
        }
        if p["child"]["looked_after"] == true {
            assert_eq!(o[id]["CMH-REC-02"].0, OutcomeKind::Unknown, "{id}");
        }
    }
}

#[test]
fn an_empty_table_is_read_as_not_populated() {
    let tmp = copy("systemc");
    let path = tmp.path().join("ssd_sdq_scores.csv");
    let head = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    std::fs::write(&path, head + "\n").unwrap();
    let (plans, log) = import_dir(tmp.path());
    assert!(log
        .issues_at("ssd_sdq_scores", Handling::Note)
        .any(|i| i.reason.contains("empty")));
    for p in plans.values() {
        assert!(p["health"].get("sdq_scores").is_none());
    }
}

#[test]
fn a_table_without_a_required_column_is_not_read() {
    let tmp = copy("systemc");
    drop_columns(
        &tmp.path().join("ssd_cla_placement.csv"),
        &["clap_cla_placement_start_date"],
    );
    let (plans, log) = import_dir(tmp.path());
    assert!(log
        .issues_at("ssd_cla_placement", Handling::Rejected)
        .any(|i| i.reason.contains("`clap_cla_placement_start_date`")));
    assert!(plans.values().all(|p| p.get("placements").is_none()));
}

#[test]
fn no_person_table_is_an_error_and_the_output_is_left_as_it_was() {
    let tmp = copy("systemc");
    std::fs::remove_file(tmp.path().join("ssd_person.csv")).unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("plans.ndjson");
    std::fs::write(&out, "previous\n").unwrap();
    let mut source = CsvDir::new(tmp.path()).unwrap();
    let err =
        ssd::import(&mut source, &Options::new(as_of()), &out, true, &mut |_| {}).unwrap_err();
    assert!(matches!(err, ssd::SsdError::MissingTable { .. }), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous\n");
    assert_eq!(std::fs::read_dir(out_dir.path()).unwrap().count(), 1);
}

#[test]
fn an_existing_output_is_not_replaced_without_force() {
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("plans");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("old.json"), "{}").unwrap();
    let mut source = CsvDir::new(&fixture("mosaic")).unwrap();
    let err = ssd::import(
        &mut source,
        &Options::new(as_of()),
        &out,
        false,
        &mut |_| {},
    )
    .unwrap_err();
    assert!(matches!(err, ssd::SsdError::Output(_)));
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
    // A directory output holds one pretty file per child, equal to the NDJSON lines.
    let fresh = out_dir.path().join("fresh");
    let mut source = CsvDir::new(&fixture("mosaic")).unwrap();
    ssd::import(
        &mut source,
        &Options::new(as_of()),
        &fresh,
        false,
        &mut |_| {},
    )
    .unwrap();
    let (plans, _) = import_dir(&fixture("mosaic"));
    for (id, p) in &plans {
        let text = std::fs::read_to_string(fresh.join(format!("{id}.json"))).unwrap();
        assert_eq!(&serde_json::from_str::<Value>(&text).unwrap(), p);
    }
    assert!(out_dir.path().join("fresh.import-log.json").is_file());
}

#[test]
fn the_plans_do_not_depend_on_the_group_size() {
    let (a, _) = import_dir(&fixture("systemc"));
    let mut small = Options::new(as_of());
    small.group_size = 7;
    let (b, log) = import_with(&fixture("systemc"), &small);
    assert_eq!(a, b);
    assert_eq!(log.plans, 150);
}

/// A source that fails like a dropped connection after some rows of one table.
struct Dropping {
    inner: CsvDir,
    table: &'static str,
    after: u64,
}

impl ssd::Source for Dropping {
    fn input(&self) -> String {
        self.inner.input()
    }
    fn open(&mut self, table: &ssd::spec::Table) -> Result<Option<ssd::Opened>, ssd::SsdError> {
        self.inner.open(table)
    }
    fn rows(
        &mut self,
        table: &ssd::spec::Table,
        opened: &ssd::Opened,
        row: &mut ssd::source::RowSink,
    ) -> Result<(), ssd::SsdError> {
        let (name, after) = (self.table, self.after);
        let mut n = 0;
        self.inner.rows(table, opened, &mut |line, values| {
            n += 1;
            if table.name == name && n > after {
                return Err(ssd::SsdError::Connection {
                    message: "server closed the connection unexpectedly".into(),
                });
            }
            row(line, values)
        })
    }
}

#[test]
fn a_connection_that_drops_midway_fails_and_leaves_the_output_as_it_was() {
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("plans");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("100000.json"), "previous").unwrap();
    let mut source = Dropping {
        inner: CsvDir::new(&fixture("systemc")).unwrap(),
        table: "ssd_cla_visits",
        after: 100,
    };
    let err =
        ssd::import(&mut source, &Options::new(as_of()), &out, true, &mut |_| {}).unwrap_err();
    assert!(matches!(err, ssd::SsdError::Connection { .. }), "{err}");
    assert_eq!(
        std::fs::read_to_string(out.join("100000.json")).unwrap(),
        "previous"
    );
    // Nothing else is left behind: no partial output, spill files or log.
    let names: Vec<String> = std::fs::read_dir(out_dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(names, ["plans"]);
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
}

/// The children with factor 4A at an assessment dated on or before the
/// evaluation date, computed from the CSV with serde_json (not the
/// importer), and the children with any such assessment factors row.
fn factor_4a_from_csv(dir: &Path) -> (BTreeSet<String>, BTreeSet<String>) {
    let assessments: HashMap<String, (String, Option<Date>)> = rows(dir, "ssd_cin_assessments")
        .into_iter()
        .map(|r| {
            let start = r["cina_assessment_start_date"].clone();
            let when = if start.is_empty() {
                date(&r["cina_assessment_auth_date"])
            } else {
                date(&start)
            };
            (
                r["cina_assessment_id"].clone(),
                (r["cina_person_id"].clone(), when),
            )
        })
        .collect();
    let (mut with_4a, mut assessed) = (BTreeSet::new(), BTreeSet::new());
    for r in rows(dir, "ssd_assessment_factors") {
        let Some((child, Some(when))) = assessments.get(&r["cinf_assessment_id"]) else {
            continue;
        };
        if *when > as_of() {
            continue;
        }
        let Ok(v) = serde_json::from_str::<Value>(&r["cinf_assessment_factors_json"]) else {
            continue;
        };
        assessed.insert(child.clone());
        let has = match &v {
            Value::Array(a) => a.iter().any(|c| c == "4A"),
            Value::Object(o) => o.get("4A").is_some_and(|x| x == "Yes"),
            _ => false,
        };
        if has {
            with_4a.insert(child.clone());
        }
    }
    (with_4a, assessed)
}

#[test]
fn cross_check_mental_health_needs_against_the_assessment_factors_csv() {
    for name in ["systemc", "mosaic"] {
        let dir = fixture(name);
        let (expected, assessed) = factor_4a_from_csv(&dir);
        // The fixture has children with 4A and assessed children without it.
        assert!(!expected.is_empty(), "{name}");
        assert!(assessed.difference(&expected).next().is_some(), "{name}");
        let (plans, log) = import_dir(&dir);
        let got: BTreeSet<String> = plans
            .iter()
            .filter(|(_, p)| p["child"]["mental_health_needs"] == Value::Bool(true))
            .map(|(id, _)| id.clone())
            .collect();
        assert_eq!(got, expected, "{name}");
        for (id, p) in &plans {
            let covered = p["coverage"]["records"]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v == "child.mental_health_needs");
            // Never `false` from an absent 4A, and covered only where true
            // (as the CIN census import).
            assert_ne!(
                p["child"]["mental_health_needs"],
                Value::Bool(false),
                "{id}"
            );
            assert_eq!(covered, expected.contains(id), "{name} {id}");
        }
        for table in ["ssd_cin_assessments", "ssd_assessment_factors"] {
            let t = log.table(table).unwrap();
            assert!(t.present && t.read > 0, "{name} {table}");
            assert_eq!(
                t.read,
                t.used + t.rejected + t.not_carried,
                "{name} {table}"
            );
        }
    }
}

#[test]
fn malformed_assessment_factors_are_a_warning_by_row_and_column_never_the_value() {
    let (plans, log) = import_dir(&fixture("bad"));
    let malformed: Vec<_> = log
        .issues_at("ssd_assessment_factors", Handling::Warning)
        .filter(|i| i.reason.contains("`FX1`"))
        .collect();
    assert_eq!(malformed.len(), 1);
    let i = malformed[0];
    assert!(i.reason.contains("`cinf_assessment_factors_json`"));
    assert!(i.line.is_some());
    assert_eq!(i.child.as_deref(), Some("100000"));
    assert!(i.value.is_none());
    assert!(!i.reason.contains("4A"), "{}", i.reason);
    // Its 4A is not read: the child's field is left out (unknown).
    assert!(plans["100000"]["child"]
        .get("mental_health_needs")
        .is_none());
    // An assessment after the evaluation date is not carried, nor its 4A.
    assert!(log
        .issues_at("ssd_cin_assessments", Handling::NotCarried)
        .any(|i| i.reason.contains("`AX2`") && i.reason.contains("after the evaluation date")));
    assert!(plans["100001"]["child"]
        .get("mental_health_needs")
        .is_none());
}

#[test]
fn assessment_factors_in_object_form_and_without_their_assessments() {
    let tmp = copy("systemc");
    let path = tmp.path().join("ssd_assessment_factors.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record([
        "cinf_table_id",
        "cinf_assessment_id",
        "cinf_assessment_factors_json",
    ])
    .unwrap();
    let first = rows(&fixture("systemc"), "ssd_cin_assessments")
        .into_iter()
        .find(|r| date(&r["cina_assessment_start_date"]).is_some_and(|d| d <= as_of()))
        .unwrap();
    let aid = first["cina_assessment_id"].clone();
    let child = first["cina_person_id"].clone();
    w.write_record(["T1", aid.as_str(), r#"{"4A": "Yes", "1B": "No"}"#])
        .unwrap();
    w.flush().unwrap();
    drop(w);
    let (plans, _) = import_dir(tmp.path());
    assert_eq!(
        plans[&child]["child"]["mental_health_needs"],
        Value::Bool(true)
    );
    // "No" for 4A is not a recorded "no concerns": the field is left out.
    std::fs::write(
        &path,
        format!("cinf_table_id,cinf_assessment_id,cinf_assessment_factors_json\nT1,{aid},\"{{\"\"4A\"\": \"\"No\"\"}}\"\n"),
    )
    .unwrap();
    let (plans, _) = import_dir(tmp.path());
    assert!(plans[&child]["child"].get("mental_health_needs").is_none());
    // Without the assessments table the factors cannot be linked: not read.
    std::fs::remove_file(tmp.path().join("ssd_cin_assessments.csv")).unwrap();
    let (plans, log) = import_dir(tmp.path());
    assert!(log
        .issues_at("ssd_assessment_factors", Handling::Rejected)
        .any(|i| i.reason.contains("`ssd_cin_assessments`")));
    assert!(plans
        .values()
        .all(|p| p["child"].get("mental_health_needs").is_none()));
}

/// The permanence options of a `lacp_cla_care_plan_json` value, read here
/// with serde_json (not the importer): keys of an object whose value is
/// neither empty nor a no, or the codes of a list; `None` when malformed.
fn permanence_from_csv(text: &str) -> Option<BTreeSet<String>> {
    if text.trim().is_empty() {
        return Some(BTreeSet::new());
    }
    match serde_json::from_str::<Value>(text).ok()? {
        Value::Object(m) => Some(
            m.into_iter()
                .filter(|(_, v)| {
                    let t = v.as_str().unwrap_or("").trim().to_ascii_lowercase();
                    !t.is_empty() && t != "n" && t != "no"
                })
                .map(|(k, _)| k)
                .collect(),
        ),
        Value::Array(a) => Some(
            a.iter()
                .map(|v| v.as_str().map(str::to_ascii_uppercase))
                .collect::<Option<_>>()?,
        ),
        _ => None,
    }
}

#[test]
fn cross_check_the_permanence_plan_against_the_care_plan_csv() {
    // Liquidlogic (the standard object of every option), Mosaic (only the
    // options ticked, and the row id named `lacp_cla_care_plan_id`) and
    // Eclipse (a list of codes, and one malformed value).
    let d = as_of();
    let mut seen = BTreeMap::new();
    for name in ["systemc", "mosaic", "bad"] {
        let dir = fixture(name);
        let (plans, log) = import_dir(&dir);
        // The care plan in force on the evaluation date, per child.
        let mut current: BTreeMap<String, Option<BTreeSet<String>>> = BTreeMap::new();
        for r in rows(&dir, "ssd_cla_care_plan") {
            let start = date(&r["lacp_cla_care_plan_start_date"]).unwrap();
            let open = date(&r["lacp_cla_care_plan_end_date"]).is_none_or(|e| e > d);
            if start <= d && open {
                current.insert(
                    r["lacp_person_id"].clone(),
                    permanence_from_csv(&r["lacp_cla_care_plan_json"]),
                );
            }
        }
        for (id, p) in &plans {
            let got = p["statutory"]["care_plan"].get("permanence_plan").map(|v| {
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_str().unwrap().to_string())
                    .collect::<BTreeSet<String>>()
            });
            let covered = p["coverage"]["records"]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v == "statutory.care_plan.permanence_plan");
            let want = current.get(id).cloned().flatten();
            assert_eq!(got, want, "{name} {id}");
            assert_eq!(covered, want.is_some(), "{name} {id}");
            if let Some(w) = want {
                *seen
                    .entry(if w.is_empty() {
                        "none agreed"
                    } else {
                        "options"
                    })
                    .or_insert(0) += 1;
            }
        }
        if name == "bad" {
            // Child 100002's plan in force holds no JSON: a warning naming
            // the row and the column, never the value; the field left out.
            let warned: Vec<&str> = log
                .issues_at("ssd_cla_care_plan", Handling::Warning)
                .map(|i| i.reason.as_str())
                .collect();
            assert!(
                warned
                    .iter()
                    .any(|r| r.contains("`CPX1`") && r.contains("`lacp_cla_care_plan_json`")),
                "{warned:?}"
            );
            assert!(warned.iter().all(|r| !r.contains("ADOPTION")), "{warned:?}");
            assert!(plans["100002"]["statutory"]["care_plan"]
                .get("permanence_plan")
                .is_none());
        }
    }
    // Both a recorded plan and a recorded "no plan agreed yet" occur.
    assert!(seen.get("options").copied().unwrap_or(0) > 10, "{seen:?}");
    assert!(
        seen.get("none agreed").copied().unwrap_or(0) > 0,
        "{seen:?}"
    );
}
