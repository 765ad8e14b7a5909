//! Hand-made small returns: each mapping of docs/import.md and each kind of
//! odd row.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;

use careprompt::{CheckOptions, Date, OutcomeKind, RuleSet};
use careprompt_import::plan::Plan;
use careprompt_import::{cin, log_path, ssda903, write_plans, Handling, Import, ImportError};

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// A 2025/26 return (year ending 31 March 2026).
fn return_2025_26(dir: &Path) {
    // Byte order mark and CRLF line ends, as some exports write them.
    write(
        dir,
        "header.csv",
        "\u{feff}CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\r\n\
         A1,1,15/06/2012,WBRI,,,\r\n\
         A2,2,01/01/2010,WBRI,,,\r\n\
         A3,1,31/02/2011,WBRI,,,\r\n\
         A3,1,31/02/2011,WBRI,,,\r\n\
         A4,1,01/01/2011,WBRI,,,\r\n\
         A4,2,01/01/2011,WBRI,,,\r\n\
         ,1,01/01/2011,WBRI,,,\r\n\
         A5,1,01/01/2009,WBRI,,,\r\n\
         A6,1,01/01/2009,WBRI,,,\r\n\
         A7,1,01/01/2009,WBRI,,,\r\n\
         A8,1,01/01/2009,WBRI,,,\r\n\
         A9,1,01/01/2009,WBRI,,,\r\n",
    );
    write(
        dir,
        "episodes.csv",
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN,PL_LA,PL_LOCATION,PL_DISTANCE\n\
         A1,01/05/2025,S,C1,N1,U6,PR1,01/07/2025,X1,,,,,E09000001,IN,2.5\n\
         A1,01/07/2025,L,C2,N1,U6,PR1,01/09/2025,X1,CREQB,,,,E09000001,IN,2.5\n\
         A1,01/09/2025,P,C2,N1,K2,PR4,,,,,,,E08000025,OUT,999.9\n\
         A1,01/05/2025,S,C1,N1,U6,PR1,01/07/2025,X1,,,,,E09000001,IN,2.5\n\
         A2,01/06/2025,S,V2,N1,U4,PR1,01/08/2025,X1,,,,,E09000001,,\n\
         A2,01/08/2025,P,V2,N1,T1,PR1,15/08/2025,X1,,,,,,,\n\
         A2,15/08/2025,P,V2,N1,U4,PR1,10/01/2026,E11,,,,,E06000001,,far\n\
         A5,01/05/2025,S,C1,N1,U4,PR1,01/09/2025,X1,CARPL,,,,,,\n\
         A5,01/08/2025,P,C1,N1,U4,PR1,,,,,,,,,\n\
         A6,01/04/2025,S,C2,N1,H5,PR1,01/06/2025,X1,PLACE,,,,,,\n\
         A6,01/06/2025,P,C2,N1,Z1,PR1,01/08/2025,X1,CARPL,,,,,,\n\
         A6,01/08/2025,P,C2,N1,K3,PR1,01/10/2025,X1,CHILD,,,,,,\n\
         A6,01/10/2025,P,XX,N1,Q9,PR1,,,,,,,,,\n\
         A6,15/04/2026,P,C2,N1,U4,PR1,,,,,,,,,\n\
         A7,32/01/2025,S,C2,N1,U4,PR1,01/02/2025,X1,,,,,,,\n\
         A7,01/02/2025,P,C2,N1,U4,PR1,,,,,,,,,\n\
         A9,01/03/2025,S,C2,N1,U4,PR1,01/02/2025,E11,,,,,,,\n\
         Z9,01/03/2025,S,C2,N1,U4,PR1,,,,,,,,,\n",
    );
    write(
        dir,
        "reviews.csv",
        "CHILD,DOB,REVIEW,REVIEW_CODE\n\
         A1,15/06/2012,01/02/2026,PN7\n\
         A1,15/06/2012,01/10/2025,PN1\n\
         A1,15/06/2012,01/05/2026,PN1\n\
         A2,01/01/2010,01/09/2025,PX\n\
         A2,01/01/2009,01/12/2025,PN2\n\
         A5,01/01/2009,99/99/2025,PN1\n\
         A5,01/01/2009,01/10/2025,PN1\n",
    );
    write(
        dir,
        "oc2.csv",
        "CHILD,DOB,SDQ_SCORE,SDQ_REASON\n\
         A1,15/06/2012,20,\n\
         A2,01/01/2010,,SDQ1\n\
         A6,01/01/2009,41,\n",
    );
    write(
        dir,
        "missing.csv",
        "CHILD,DOB,MISSING,MIS_START,MIS_END\n\
         A1,15/06/2012,M,01/01/2026,03/01/2026\n\
         A1,15/06/2012,A,10/02/2026,\n\
         A2,01/01/2010,X,01/01/2026,02/01/2026\n\
         A7,01/01/2009,M,05/03/2026,01/03/2026\n",
    );
    write(
        dir,
        "sw_episodes.csv",
        "CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\n\
         A1,15/06/2012,SW1,01/04/2025,01/10/2025,\n\
         A1,15/06/2012,SW2,01/10/2025,01/12/2025,ORGRST\n\
         A1,15/06/2012,SW3,01/12/2025,,CHCHAN\n\
         A2,01/01/2010,SW4,01/05/2025,,BADCODE\n",
    );
    write(
        dir,
        "uasc.csv",
        "CHILD,SEX,DOB,DUC\nA1,1,15/06/2012,01/01/2030\nA2,2,01/01/2010,notadate\n",
    );
    write(dir, "notes.csv", "anything\n");
}

fn import_2025_26(as_of: Option<&str>) -> (tempfile::TempDir, Import) {
    let dir = tempfile::tempdir().unwrap();
    return_2025_26(dir.path());
    let options = ssda903::Options {
        as_of: as_of.map(date),
        la_code: Some("E09000001".into()),
        // Stated: the stray 15/04/2026 episode would otherwise move the year on.
        year_end: Some(date("2026-03-31")),
        ..Default::default()
    };
    let imp = ssda903::import_dir(dir.path(), &options).unwrap();
    (dir, imp)
}

/// What the log says about one row: the reason (printed) and the value it
/// is about (log file only).
#[derive(Debug)]
struct Said<'a> {
    reason: &'a str,
    value: Option<&'a str>,
}

impl Said<'_> {
    /// Whether the issue says `expected`, written as the old one-line
    /// message: "COL `value` rest" means the reason holds "COL rest" (no
    /// value) and the value is `value`.
    fn contains(&self, expected: &str) -> bool {
        says(self.reason, self.value, expected)
    }
}

impl PartialEq<&str> for Said<'_> {
    fn eq(&self, other: &&str) -> bool {
        match other.split_once(" `") {
            Some((col, rest)) => {
                let (v, rest) = rest.split_once('`').unwrap_or_default();
                self.reason == format!("{col}{rest}") && self.value == Some(v)
            }
            None => self.reason == *other,
        }
    }
}

fn says(reason: &str, value: Option<&str>, expected: &str) -> bool {
    assert!(
        !reason.contains('`') || reason.contains("a stray `"),
        "a value in a reason: {reason}"
    );
    match expected.split_once(" `") {
        Some((col, rest)) => {
            let (v, rest) = rest.split_once('`').unwrap();
            reason.contains(&format!("{col}{rest}")) && value == Some(v)
        }
        None => reason.contains(expected),
    }
}

fn issue<'a>(imp: &'a Import, table: &str, level: Handling, line: u64) -> Said<'a> {
    imp.log
        .issues
        .iter()
        .find(|i| i.table == table && i.level == level && i.line == Some(line))
        .map(|i| Said {
            reason: i.reason.as_str(),
            value: i.value.as_deref(),
        })
        .unwrap_or_else(|| {
            panic!(
                "no {level:?} issue for {table} line {line}: {:#?}",
                imp.log.issues
            )
        })
}

fn json(plan: &Plan) -> serde_json::Value {
    serde_json::from_str(&plan.to_json()).unwrap()
}

#[test]
fn header_rows() {
    let (_d, imp) = import_2025_26(None);
    // The byte order mark does not hide the CHILD column; CRLF line ends
    // still give the right line numbers.
    assert!(imp.plans.contains_key("A1"));
    assert_eq!(
        imp.plans["A1"].child.date_of_birth.as_deref(),
        Some("2012-06-15")
    );
    assert_eq!(
        imp.plans["A1"].child.home_local_authority.as_deref(),
        Some("E09000001")
    );
    assert!(issue(&imp, "header", Handling::Warning, 4).contains("DOB `31/02/2011` is not a date"));
    assert_eq!(imp.plans["A3"].child.date_of_birth, None);
    assert_eq!(
        issue(&imp, "header", Handling::Rejected, 5),
        "duplicate of line 4"
    );
    assert!(issue(&imp, "header", Handling::Rejected, 7)
        .contains("a second header row for this child, different from line 6"));
    assert_eq!(
        issue(&imp, "header", Handling::Rejected, 8),
        "CHILD is blank"
    );
    let h = imp.log.table("header").unwrap();
    assert_eq!(
        (h.read, h.used, h.rejected, h.not_carried, h.warnings),
        (12, 9, 3, 0, 1)
    );
    assert_eq!(imp.plans.len(), 9);
    assert_eq!(imp.log.collection_year_end.as_deref(), Some("2026-03-31"));
    assert_eq!(
        imp.log.as_of.as_deref(),
        Some("2026-03-31"),
        "as-of defaults to the year end"
    );
    assert!(
        imp.log
            .issues
            .iter()
            .any(|i| i.level == Handling::Note
                && i.reason.contains("notes.csv: not an SSDA903 table"))
    );
}

#[test]
fn episodes_become_placements() {
    let (_d, imp) = import_2025_26(None);
    let a1 = json(&imp.plans["A1"]);
    // A change of legal status only (RNE L) continues the placement; the
    // reason it ended is on the episode that ended it.
    assert_eq!(
        a1["placements"],
        serde_json::json!([
            {"id": "p1", "place_code": "U6", "placement_type": "foster_care", "start_date": "2025-05-01",
             "end_date": "2025-09-01", "local_authority": "E09000001", "out_of_area": false, "distance_miles": 2.5,
             "reason_ended": "CREQB", "ended_by_carer_due_to_behaviour": true},
            {"id": "p2", "place_code": "K2", "placement_type": "residential", "start_date": "2025-09-01",
             "local_authority": "E08000025", "out_of_area": true}
        ])
    );
    assert_eq!(a1["child"]["looked_after"], true);
    assert_eq!(a1["child"]["legal_status"], "C2", "LS of the open episode");
    // The exact repeat of line 2 is rejected; the placements stand.
    assert_eq!(
        issue(&imp, "episodes", Handling::Rejected, 5),
        "duplicate of line 2"
    );

    let a2 = json(&imp.plans["A2"]);
    assert_eq!(
        a2["placements"],
        serde_json::json!([
            {"id": "p1", "place_code": "U4", "placement_type": "foster_care", "start_date": "2025-06-01",
             "end_date": "2025-08-01", "local_authority": "E09000001", "out_of_area": false, "short_term": false},
            {"id": "p2", "place_code": "T1", "placement_type": "hospital_inpatient", "start_date": "2025-08-01",
             "end_date": "2025-08-15", "short_term": true},
            {"id": "p3", "place_code": "U4", "placement_type": "foster_care", "start_date": "2025-08-15",
             "end_date": "2026-01-10", "local_authority": "E06000001", "out_of_area": true, "short_term": false,
             "ended_by_carer_due_to_behaviour": false}
        ])
    );
    assert_eq!(
        a2["child"]["looked_after"], false,
        "the last episode ended the period of care (E11)"
    );
    assert!(
        a2["child"].get("legal_status").is_none(),
        "no current legal status once care has ended"
    );
    assert!(issue(&imp, "episodes", Handling::Warning, 8).contains("PL_DISTANCE `far`"));
}

#[test]
fn odd_episode_rows() {
    let (_d, imp) = import_2025_26(None);
    // Overlap: the earlier episode is rejected, the child's placements,
    // looked_after and legal_status are left out (unknown), not guessed.
    assert!(issue(&imp, "episodes", Handling::Rejected, 9).contains("the episodes overlap"));
    assert!(issue(&imp, "episodes", Handling::NotCarried, 10).contains("left out for this child"));
    let a5 = json(&imp.plans["A5"]);
    assert!(a5.get("placements").is_none());
    assert!(a5["child"].get("looked_after").is_none());

    // Retired and unknown codes: the placement is kept, its code left out.
    assert!(issue(&imp, "episodes", Handling::Warning, 11)
        .contains("PLACE H5 is retired in the collection year ending 31/03/2026"));
    assert!(issue(&imp, "episodes", Handling::Warning, 12).contains("PLACE Z1 is retired"));
    assert!(issue(&imp, "episodes", Handling::Warning, 13)
        .contains("PLACE K3 is valid but the case-plan schema's place_code list lacks it"));
    let a6 = json(&imp.plans["A6"]);
    let pl = a6["placements"].as_array().unwrap();
    assert_eq!(pl.len(), 4);
    assert!(pl[0].get("place_code").is_none() && pl[0].get("placement_type").is_none());
    assert_eq!(pl[0]["reason_ended"], "PLACE");
    assert_eq!(pl[2]["placement_type"], "supported_accommodation");
    assert!(pl[2].get("place_code").is_none());
    assert!(pl[3].get("place_code").is_none());
    let reasons: Vec<(&str, Option<&str>)> = imp
        .log
        .issues
        .iter()
        .filter(|i| i.table == "episodes" && i.line == Some(14))
        .map(|i| (i.reason.as_str(), i.value.as_deref()))
        .collect();
    assert!(
        reasons
            .iter()
            .any(|(r, v)| says(r, *v, "LS `XX` is not a legal status code")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|(r, v)| says(r, *v, "PLACE `Q9` is not a placement type code")),
        "{reasons:?}"
    );
    assert_eq!(a6["child"]["looked_after"], true);
    assert!(
        a6["child"].get("legal_status").is_none(),
        "LS XX is not a code"
    );
    // After the end of the collection year.
    assert!(issue(&imp, "episodes", Handling::Rejected, 15)
        .contains("DECOM `15/04/2026` is after the end of the collection year"));

    // A bad date leaves a hole: the rest of the child's history is set aside.
    assert_eq!(
        issue(&imp, "episodes", Handling::Rejected, 16),
        "DECOM `32/01/2025` is not a date (DD/MM/YYYY)"
    );
    assert!(issue(&imp, "episodes", Handling::NotCarried, 17).contains("left out for this child"));
    assert!(json(&imp.plans["A7"]).get("placements").is_none());
    assert_eq!(
        issue(&imp, "episodes", Handling::Rejected, 18),
        "DEC `DEC 01/02/2025, DECOM 01/03/2025` is before DECOM"
    );
    assert_eq!(
        issue(&imp, "episodes", Handling::Rejected, 19),
        "no header row for this child"
    );
    assert!(!imp.plans.contains_key("Z9"));

    // A child in the header with no episodes: nothing about care is known.
    let a8 = json(&imp.plans["A8"]);
    assert!(a8.get("placements").is_none() && a8["child"].get("looked_after").is_none());
    assert!(a8.get("crisis").is_none() && a8.get("voice").is_none());

    let e = imp.log.table("episodes").unwrap();
    assert_eq!((e.read, e.used, e.rejected, e.not_carried), (18, 10, 6, 2));
}

#[test]
fn reviews_sdq_missing_and_social_workers() {
    let (_d, imp) = import_2025_26(None);
    let a1 = json(&imp.plans["A1"]);
    assert_eq!(
        a1["voice"]["reviews"],
        serde_json::json!([{"date": "2025-10-01", "participation": "PN1"}, {"date": "2026-02-01", "participation": "PN7"}])
    );
    assert!(issue(&imp, "reviews", Handling::Rejected, 4)
        .contains("after the end of the collection year"));
    assert!(
        issue(&imp, "reviews", Handling::Warning, 5).contains("REVIEW_CODE `PX` is not PN0-PN7")
    );
    assert!(issue(&imp, "reviews", Handling::Warning, 6)
        .contains("DOB `01/01/2009 (header: 01/01/2010)` differs from the header's"));
    let a2 = json(&imp.plans["A2"]);
    assert_eq!(
        a2["voice"]["reviews"][0],
        serde_json::json!({"date": "2025-09-01"})
    );
    // A bad review date: the child's reviews are left out, not sent short.
    assert!(
        issue(&imp, "reviews", Handling::Rejected, 7).contains("REVIEW `99/99/2025` is not a date")
    );
    assert!(issue(&imp, "reviews", Handling::NotCarried, 8)
        .contains("voice.reviews is left out for this child"));
    assert!(json(&imp.plans["A5"])["voice"].get("reviews").is_none());
    // Looked after in the year with no review rows: none held.
    assert_eq!(
        json(&imp.plans["A6"])["voice"]["reviews"],
        serde_json::json!([])
    );

    // SDQ: the return has no date, so the end of the collection year.
    assert_eq!(
        a1["health"]["sdq_scores"],
        serde_json::json!([{"date": "2026-03-31", "total": 20}])
    );
    assert_eq!(
        a2["health"]["sdq_scores"],
        serde_json::json!([]),
        "in OC2, no score recorded"
    );
    assert!(issue(&imp, "oc2", Handling::Rejected, 4)
        .contains("SDQ_SCORE `41` is not a whole number from 0 to 40"));
    assert!(json(&imp.plans["A6"]).get("health").is_none());
    assert!(
        json(&imp.plans["A5"]).get("health").is_none(),
        "not in OC2: unknown"
    );

    // Missing (M) and away (A) episodes.
    assert_eq!(
        a1["crisis"]["missing_episodes"],
        serde_json::json!([
            {"start_date": "2026-01-01", "end_date": "2026-01-03", "episode_type": "missing"},
            {"start_date": "2026-02-10", "episode_type": "away"}
        ])
    );
    assert!(
        issue(&imp, "missing", Handling::Rejected, 4).contains("MISSING `X` is neither M nor A")
    );
    assert!(json(&imp.plans["A2"])["crisis"]
        .get("missing_episodes")
        .is_none());
    assert!(issue(&imp, "missing", Handling::Rejected, 5)
        .contains("MIS_END `MIS_END 01/03/2026, MIS_START 05/03/2026` is before MIS_START"));
    assert_eq!(
        json(&imp.plans["A6"])["crisis"]["missing_episodes"],
        serde_json::json!([])
    );

    // Social worker changes.
    assert_eq!(
        a1["people"]["worker_changes"],
        serde_json::json!([
            {"date": "2025-10-01", "role": "social worker", "reason": "organisational"},
            {"date": "2025-12-01", "role": "social worker", "reason": "child_requested"}
        ])
    );
    assert_eq!(
        a2["people"]["worker_changes"],
        serde_json::json!([{"date": "2025-05-01", "role": "social worker"}])
    );
    assert!(issue(&imp, "sw_episodes", Handling::Warning, 5).contains("SW_REASON `BADCODE`"));

    // Tables with no place in the schema are checked, not carried.
    let u = imp.log.table("uasc").unwrap();
    assert_eq!((u.read, u.used, u.rejected, u.not_carried), (2, 0, 1, 1));
    assert!(issue(&imp, "uasc", Handling::Rejected, 3).contains("DUC `notadate`"));
    let absent: Vec<&str> = imp
        .log
        .tables
        .iter()
        .filter(|t| !t.present)
        .map(|t| t.table.as_str())
        .collect();
    assert_eq!(
        absent,
        ["oc3", "ad1", "placed_for_adoption", "previous_permanence"]
    );
    // No education.pep placeholder: the returns do not say, so the plan
    // says nothing (issue 13: absent is not known).
    assert_eq!(a1["education"], serde_json::Value::Null);
}

#[test]
fn an_earlier_as_of_date_sets_later_rows_aside() {
    let (_d, imp) = import_2025_26(Some("2026-01-15"));
    assert_eq!(imp.log.collection_year_end.as_deref(), Some("2026-03-31"));
    let a1 = json(&imp.plans["A1"]);
    assert!(issue(&imp, "reviews", Handling::NotCarried, 2).contains("after the as-of date"));
    assert_eq!(a1["voice"]["reviews"].as_array().unwrap().len(), 1);
    assert!(
        a1.get("health").is_none(),
        "the SDQ, dated at the year end, is after the as-of date"
    );
    // A2's last placement ended 10/01/2026, before the as-of date.
    assert_eq!(json(&imp.plans["A2"])["child"]["looked_after"], false);
    assert!(issue(&imp, "missing", Handling::NotCarried, 3).contains("after the as-of date"));
    assert_eq!(
        a1["crisis"]["missing_episodes"].as_array().unwrap().len(),
        1
    );
}

#[test]
fn the_rules_read_the_imported_plans() {
    let (_d, imp) = import_2025_26(None);
    let rules = RuleSet::builtin().unwrap();
    let opts = CheckOptions::new(date("2026-03-31"));
    let outcome = |child: &str, rule: &str| {
        let report = rules
            .check_json(imp.plans[child].to_json().as_bytes(), &opts)
            .unwrap();
        let warnings: Vec<String> = report.warnings.iter().map(|w| w.to_string()).collect();
        assert!(warnings.is_empty(), "{warnings:?}");
        report.outcome(rule).unwrap().outcome
    };
    assert_eq!(
        outcome("A1", "CMH-VOI-03"),
        OutcomeKind::Fires,
        "PN7 review on 01/02/2026"
    );
    assert_eq!(
        outcome("A1", "CMH-MED-04"),
        OutcomeKind::Unknown,
        "SDQ 20, CAMHS not carried"
    );
    // The PEP is not carried: the plan says nothing about education (no
    // `"pep": {}` stand-in), and its coverage does not claim it.
    let a1 = json(&imp.plans["A1"]);
    assert!(a1.get("education").is_none(), "{a1}");
    let covered = a1["coverage"]["records"].as_array().unwrap();
    assert!(!covered
        .iter()
        .any(|p| p.as_str().unwrap().starts_with("education")));
    assert_eq!(
        outcome("A8", "CMH-VOI-03"),
        OutcomeKind::Unknown,
        "no reviews known"
    );
    for child in imp.plans.keys() {
        let report = rules
            .check_json(imp.plans[child].to_json().as_bytes(), &opts)
            .unwrap();
        let warnings: Vec<String> = report
            .warnings
            .iter()
            .map(|w| w.to_string())
            .filter(|w| !w.contains("`coverage`"))
            .collect();
        assert!(warnings.is_empty(), "{child}: {warnings:?}");
    }
}

#[test]
fn a_2017_18_return_knows_h5_but_not_k3() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "header.csv", "CHILD,DOB\nB1,01/01/2002\n");
    write(
        dir.path(),
        "episodes.csv",
        "CHILD,DECOM,RNE,LS,PLACE,DEC,REC\nB1,01/05/2017,S,V2,H5,01/06/2017,X1\nB1,01/06/2017,P,V2,K3,,\n",
    );
    let imp = ssda903::import_dir(dir.path(), &ssda903::Options::default()).unwrap();
    let b1 = json(&imp.plans["B1"]);
    assert_eq!(b1["placements"][0]["place_code"], "H5");
    assert_eq!(
        b1["placements"][0]["placement_type"],
        "supported_accommodation"
    );
    assert!(b1["placements"][1].get("placement_type").is_none());
    assert!(issue(&imp, "episodes", Handling::Warning, 3)
        .contains("PLACE K3 is not yet in use in the collection year ending 31/03/2018"));
    assert_eq!(imp.log.as_of.as_deref(), Some("2018-03-31"));
    // No REASON_PLACE_CHANGE column: the reason is unknown, not absent by choice.
    assert!(b1["placements"][0].get("reason_ended").is_none());
    let absent: Vec<&str> = imp
        .log
        .issues
        .iter()
        .filter(|i| i.level == Handling::Note && i.reason.contains("is not in the directory"))
        .map(|i| i.table.as_str())
        .collect();
    assert!(absent.contains(&"reviews") && absent.contains(&"oc2") && absent.contains(&"missing"));
}

#[test]
fn a_table_without_a_needed_column_is_rejected_whole() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "header.csv", "CHILD,DOB\nB1,01/01/2002\n");
    write(
        dir.path(),
        "episodes.csv",
        "CHILD,DECOM,RNE,LS,PLACE,DEC\nB1,01/05/2017,S,V2,U4,\n",
    );
    let imp = ssda903::import_dir(dir.path(), &ssda903::Options::default()).unwrap();
    let e = imp.log.table("episodes").unwrap();
    assert_eq!((e.read, e.rejected), (1, 1));
    assert!(imp
        .log
        .issues
        .iter()
        .any(|i| i.reason.contains("lacks column(s) REC")));
    assert!(imp.plans["B1"].placements.is_none());

    let empty = tempfile::tempdir().unwrap();
    assert!(matches!(
        ssda903::import_dir(empty.path(), &ssda903::Options::default()),
        Err(ImportError::MissingHeader { .. })
    ));
    write(empty.path(), "header.csv", "CHILD,SEX\nB1,1\n");
    assert!(matches!(
        ssda903::import_dir(empty.path(), &ssda903::Options::default()),
        Err(ImportError::MissingColumn { .. })
    ));
}

const CIN_XML: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<Message>
  <Header><CollectionDetails><Collection>CIN</Collection><Year>2026</Year><ReferenceDate>2026-03-31</ReferenceDate></CollectionDetails></Header>
  <Children>
    <Child>
      <ChildIdentifiers><LAchildID>A1</LAchildID><PersonBirthDate>2012-06-16</PersonBirthDate></ChildIdentifiers>
      <ChildCharacteristics><Disabilities><Disability>AUT</Disability><Disability>LD</Disability></Disabilities></ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2025-11-02</CINreferralDate>
        <ReferralSource>3E</ReferralSource>
        <Assessments>
          <FactorsIdentifiedAtAssessment>
            <AssessmentFactors>4A</AssessmentFactors>
            <AssessmentFactors>15A</AssessmentFactors>
            <AssessmentFactors>4B</AssessmentFactors>
          </FactorsIdentifiedAtAssessment>
        </Assessments>
        <ChildProtectionPlans><CPPstartDate>2025-12-01</CPPstartDate></ChildProtectionPlans>
      </CINdetails>
    </Child>
    <Child>
      <ChildIdentifiers><PersonBirthDate>2012-01-01</PersonBirthDate></ChildIdentifiers>
    </Child>
    <Child>
      <ChildIdentifiers><LAchildID>A1</LAchildID></ChildIdentifiers>
    </Child>
    <Child>
      <ChildIdentifiers><LAchildID>C4</LAchildID><PersonBirthDate>01/01/2012</PersonBirthDate></ChildIdentifiers>
      <ChildCharacteristics><Disabilities><Disability>ZZZ</Disability><Disability>VIS</Disability></Disabilities></ChildCharacteristics>
      <CINdetails><CINreferralDate>2025-10-01</CINreferralDate><ReferralSource>9Z</ReferralSource></CINdetails>
    </Child>
    <Child>
      <ChildIdentifiers><LAchildID>C5</LAchildID><PersonBirthDate>2014-02-03</PersonBirthDate></ChildIdentifiers>
      <ChildCharacteristics><Disabilities><Disability>NONE</Disability></Disabilities></ChildCharacteristics>
    </Child>
  </Children>
</Message>
"#;

#[test]
fn cin_census_mapping_and_odd_children() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cin.xml");
    std::fs::write(&file, CIN_XML).unwrap();
    let census = cin::import_file(&file, &cin::Options::default()).unwrap();
    let a1 = json(&census.plans["A1"]);
    assert_eq!(
        a1["child"]["mental_health_needs"], true,
        "assessment factor 4A"
    );
    assert_eq!(
        a1["child"]["disabilities"],
        serde_json::json!(["autism", "learning_disability"])
    );
    assert_eq!(a1["child"]["neurodiversity"], serde_json::json!(["autism"]));
    let codes = census
        .log
        .cin_codes
        .iter()
        .find(|c| c.child == "A1")
        .unwrap();
    assert_eq!(codes.assessment_factors, ["15A", "4A", "4B"]);
    assert!(
        codes.referrals[0].from_ae,
        "ReferralSource 3E: Health services – A&E"
    );
    assert_eq!(codes.referrals[0].date.as_deref(), Some("2025-11-02"));
    assert_eq!(
        codes.child_protection_plans[0].start.as_deref(),
        Some("2025-12-01")
    );

    let rejected: Vec<(u64, &str)> = census
        .log
        .issues
        .iter()
        .filter(|i| i.level == Handling::Rejected)
        .map(|i| (i.line.unwrap(), i.reason.as_str()))
        .collect();
    assert!(
        rejected.contains(&(21, "LAchildID is missing or blank")),
        "{rejected:?}"
    );
    assert!(rejected.contains(&(
        24,
        "a second <Child> with this LAchildID (first at line 5): the first is used"
    )));
    let about = |line: u64, what: &str| {
        census
            .log
            .issues
            .iter()
            .any(|i| i.line == Some(line) && says(&i.reason, i.value.as_deref(), what))
    };
    assert!(about(29, "Disability `ZZZ` is not a disability code"));
    assert!(about(
        30,
        "ReferralSource `9Z` is not a referral source code"
    ));
    let c4 = json(&census.plans["C4"]);
    assert!(
        c4["child"].get("disabilities").is_none(),
        "an unknown code leaves the list unknown"
    );
    assert!(c4["child"].get("date_of_birth").is_none());
    assert!(
        c4["child"].get("mental_health_needs").is_none(),
        "no 4A is not 'no needs'"
    );
    assert_eq!(
        json(&census.plans["C5"])["child"]["disabilities"],
        serde_json::json!([])
    );
    let child = census.log.table("Child").unwrap();
    assert_eq!(
        (child.read, child.used, child.rejected, child.warnings),
        (5, 3, 2, 1)
    );

    // Merged with the SSDA903 return by child id.
    let (_d, base) = import_2025_26(None);
    let merged = cin::merge(base, census);
    assert_eq!(merged.plans.len(), 9 + 2);
    let a1 = json(&merged.plans["A1"]);
    assert_eq!(a1["child"]["mental_health_needs"], true);
    assert_eq!(a1["child"]["date_of_birth"], "2012-06-15", "SSDA903's kept");
    assert!(a1.get("placements").is_some());
    assert!(merged.log.issues.iter().any(|i| i.table == "merge"
        && i.level == Handling::Warning
        && i.child.as_deref() == Some("A1")));
    assert!(merged
        .log
        .issues
        .iter()
        .any(|i| i.table == "merge" && i.reason.starts_with("1 child(ren) in both returns merged by id; 2 only in the CIN census; 8 only in SSDA903")));
    // With mental health needs known, CMH-STA-03 and CMH-EDU-01 can read them.
    let rules = RuleSet::builtin().unwrap();
    let report = rules
        .check_json(
            merged.plans["A1"].to_json().as_bytes(),
            &CheckOptions::new(date("2026-03-31")),
        )
        .unwrap();
    assert!(report
        .outcome("CMH-EDU-01")
        .unwrap()
        .missing
        .iter()
        .all(|m| m != "child.mental_health_needs"));

    let bad = dir.path().join("bad.xml");
    std::fs::write(&bad, "<Message><Children>").unwrap();
    assert!(matches!(
        cin::import_file(&bad, &cin::Options::default()),
        Err(ImportError::Xml { .. })
    ));
    std::fs::write(&bad, "<Other/>").unwrap();
    assert!(matches!(
        cin::import_file(&bad, &cin::Options::default()),
        Err(ImportError::Xml { .. })
    ));
}

#[test]
fn writing_plans_and_the_log() {
    let (_d, mut imp) = import_2025_26(None);
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("plans");
    let log = write_plans(&mut imp, &dir, false).unwrap();
    assert_eq!(log, out.path().join("plans.import-log.json"));
    assert_eq!(log_path(&dir), Some(log.clone()));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 9);
    let a1: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("A1.json")).unwrap()).unwrap();
    assert_eq!(a1["plan_id"], "A1");
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&log).unwrap()).unwrap();
    assert_eq!(written["import_log_version"], 1);
    assert_eq!(written["plans"], 9);
    assert!(written["issues"].as_array().unwrap().len() > 10);
    // A non-empty directory is not written into without --force.
    assert!(matches!(
        write_plans(&mut imp, &dir, false),
        Err(ImportError::Write { .. })
    ));
    assert!(write_plans(&mut imp, &dir, true).is_ok());

    let nd = out.path().join("cohort.ndjson");
    let log = write_plans(&mut imp, &nd, false).unwrap();
    assert_eq!(log, out.path().join("cohort.import-log.json"));
    assert_eq!(std::fs::read_to_string(&nd).unwrap().lines().count(), 9);
}

#[test]
fn a_byte_that_is_not_utf8_does_not_stop_the_import() {
    let dir = tempfile::tempdir().unwrap();
    let mut header = b"CHILD,DOB,UPN\nB1,01/01/2002,\xa3X\nB2,0\xa31/01/2002,\n".to_vec();
    header.extend_from_slice(b"B3,01/01/2003,\n");
    std::fs::write(dir.path().join("header.csv"), header).unwrap();
    write(
        dir.path(),
        "episodes.csv",
        "CHILD,DECOM,RNE,LS,PLACE,DEC,REC\nB1,01/05/2017,S,V2,U4,,\n",
    );
    let imp = ssda903::import_dir(dir.path(), &ssda903::Options::default()).unwrap();
    assert_eq!(imp.plans.len(), 3);
    assert_eq!(
        imp.plans["B1"].child.date_of_birth.as_deref(),
        Some("2002-01-01")
    );
    assert_eq!(imp.plans["B2"].child.date_of_birth, None);
    assert!(issue(&imp, "header", Handling::Warning, 3).contains("is not a date"));
}

#[test]
fn an_imported_plan_leaves_the_pep_unknown() {
    let (_d, imp) = import_2025_26(None);
    let rules = RuleSet::builtin().unwrap();
    let opts = CheckOptions::new(date("2026-03-31"));
    let report = rules
        .check_json(imp.plans["A1"].to_json().as_bytes(), &opts)
        .unwrap();
    assert_eq!(
        report.outcome("CMH-EDU-06").unwrap().outcome,
        OutcomeKind::Unknown
    );
}
