//! The importer-side findings of the adversarial review (issue 14) and the
//! declared coverage (issue 13): one test per class of hostile or damaged
//! input, each failing on the importer before the fix.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use careprompt::Date;
use careprompt_import::{cin, ssda903, write_plans, Handling, Import, ImportError};
use serde_json::Value;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// Three children looked after in the year ending 31 March 2026, each
/// with one review.
fn small_return(dir: &Path, reviews: &str) {
    write(
        dir,
        "header.csv",
        "CHILD,DOB\nR1,01/01/2012\nR2,01/01/2012\nR3,01/01/2012\n",
    );
    write(
        dir,
        "episodes.csv",
        "CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n\
         R1,01/05/2025,S,C2,U4,,\n\
         R2,01/05/2025,S,C2,U4,,\n\
         R3,01/05/2025,S,C2,U4,,\n",
    );
    write(dir, "reviews.csv", reviews);
}

fn import(dir: &Path, as_of: Option<&str>) -> Result<Import, ImportError> {
    let options = ssda903::Options {
        as_of: as_of.map(date),
        year_end: Some(date("2026-03-31")),
        ..Default::default()
    };
    ssda903::import_dir(dir, &options)
}

fn json(imp: &Import, child: &str) -> Value {
    serde_json::from_str(&imp.plans[child].to_json()).unwrap()
}

#[test]
fn a_stray_quote_rejects_the_table_with_file_and_line_and_loses_no_child() {
    let dir = tempfile::tempdir().unwrap();
    small_return(
        dir.path(),
        "CHILD,REVIEW,REVIEW_CODE\n\
         R1,\"01/01/2026,PN1\n\
         R2,01/02/2026,PN7\n\
         R3,01/02/2026,PN7\n",
    );
    let imp = import(dir.path(), None).unwrap();
    let t = imp.log.table("reviews").unwrap();
    // Four lines, one record (the quote swallowed the rest), all rejected.
    assert_eq!((t.lines, t.read, t.rejected, t.used), (Some(4), 1, 1, 0));
    let issue = imp
        .log
        .issues_at("reviews", Handling::Rejected)
        .next()
        .unwrap();
    assert_eq!(issue.line, Some(2));
    assert!(issue.file.ends_with("reviews.csv"));
    assert!(issue.reason.contains("never closed"), "{}", issue.reason);
    assert!(issue.reason.contains("the table is not used"));
    // No child's reviews become "none": the table says nothing.
    for child in ["R1", "R2", "R3"] {
        let plan = json(&imp, child);
        assert!(plan.get("voice").is_none(), "{child}: {plan}");
        let covered = &plan["coverage"]["records"];
        assert!(!covered.to_string().contains("voice.reviews"), "{plan}");
    }
}

/// Found by the `import_ssda903` fuzz target: a quote opened in the header
/// line swallows every record, so the table has no record at all; it is
/// still rejected by file and line, and no child's reviews become "none".
#[test]
fn a_quote_opened_in_the_header_rejects_the_table_with_no_records() {
    let dir = tempfile::tempdir().unwrap();
    small_return(
        dir.path(),
        "CHILD,REVIEW,\"REVIEW_CODE\n\
         R1,01/01/2026,PN1\n\
         R2,01/02/2026,PN7\n",
    );
    let imp = import(dir.path(), None).unwrap();
    let t = imp.log.table("reviews").unwrap();
    assert_eq!((t.lines, t.read, t.used), (Some(3), 0, 0));
    let issue = imp
        .log
        .issues_at("reviews", Handling::Rejected)
        .next()
        .expect("the damaged table is reported");
    assert_eq!(issue.line, Some(1));
    assert!(
        issue.reason.contains("the table is not used"),
        "{}",
        issue.reason
    );
    for child in ["R1", "R2"] {
        let plan = json(&imp, child);
        assert!(plan.get("voice").is_none(), "{child}: {plan}");
        assert!(
            !plan["coverage"]["records"]
                .to_string()
                .contains("voice.reviews"),
            "{plan}"
        );
    }
}

/// A table of blank lines only (found by the fuzz target: an empty
/// section between two separators) has no header and no records: every
/// line is counted as blank, nothing is read, and the children's lists from
/// it are not claimed as complete.
#[test]
fn a_table_of_blank_lines_only_counts_every_line_as_blank() {
    let dir = tempfile::tempdir().unwrap();
    small_return(dir.path(), "\n\n\n");
    let imp = import(dir.path(), None).unwrap();
    let t = imp.log.table("reviews").unwrap();
    assert_eq!(
        (t.lines, t.blank_lines, t.read, t.used),
        (Some(3), Some(3), 0, 0)
    );
    for child in ["R1", "R2"] {
        let plan = json(&imp, child);
        assert!(plan.get("voice").is_none(), "{child}: {plan}");
    }
}

/// The counts say which tables were rejected whole as damaged (the fuzz
/// oracle reads this flag, not the log's wording): a quote left open, in a
/// record or in the header, sets it; a table lacking a column it needs is
/// rejected too but is not damaged, and a sound table is neither. The log
/// JSON carries the flag only when it is set.
#[test]
fn table_counts_flag_a_damaged_table_and_only_a_damaged_one() {
    for (reviews, damaged) in [
        (
            "CHILD,REVIEW,REVIEW_CODE\nR1,\"01/01/2026,PN1\nR2,01/02/2026,PN7\n",
            true,
        ),
        ("CHILD,REVIEW,\"REVIEW_CODE\nR1,01/01/2026,PN1\n", true),
        ("CHILD,REVIEW_CODE\nR1,PN1\n", false),
        ("CHILD,REVIEW,REVIEW_CODE\nR1,01/01/2026,PN1\n", false),
    ] {
        let dir = tempfile::tempdir().unwrap();
        small_return(dir.path(), reviews);
        let imp = import(dir.path(), None).unwrap();
        let t = imp.log.table("reviews").unwrap();
        assert_eq!(t.damaged, damaged, "{reviews:?}");
        if damaged {
            assert_eq!(t.rejected, t.read, "{reviews:?}");
        }
        for other in ["header", "episodes"] {
            assert!(!imp.log.table(other).unwrap().damaged);
        }
        let log: Value = serde_json::from_str(&imp.log.to_json()).unwrap();
        let flagged: Vec<&str> = log["tables"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t.get("damaged").is_some())
            .map(|t| t["table"].as_str().unwrap())
            .collect();
        assert_eq!(flagged, if damaged { vec!["reviews"] } else { vec![] });
    }
}

#[test]
fn a_record_over_two_lines_rejects_the_table() {
    let dir = tempfile::tempdir().unwrap();
    small_return(
        dir.path(),
        "CHILD,REVIEW,REVIEW_CODE\n\
         R1,\"01/01/2026\nR2\",PN1\n\
         R3,01/02/2026,PN7\n",
    );
    let imp = import(dir.path(), None).unwrap();
    let t = imp.log.table("reviews").unwrap();
    assert_eq!((t.lines, t.read, t.rejected), (Some(4), 2, 2));
    let issue = imp
        .log
        .issues_at("reviews", Handling::Rejected)
        .next()
        .unwrap();
    assert_eq!(issue.line, Some(2));
    assert!(
        issue.reason.contains("runs on to line 3"),
        "{}",
        issue.reason
    );
    assert!(json(&imp, "R3").get("voice").is_none());
}

#[test]
fn an_unbalanced_quote_on_the_last_line_rejects_the_table() {
    let dir = tempfile::tempdir().unwrap();
    small_return(
        dir.path(),
        "CHILD,REVIEW,REVIEW_CODE\nR1,01/01/2026,PN1\nR2,01/02/2026,\"PN7",
    );
    let imp = import(dir.path(), None).unwrap();
    let issue = imp
        .log
        .issues_at("reviews", Handling::Rejected)
        .next()
        .unwrap();
    assert_eq!(issue.line, Some(3));
    assert!(json(&imp, "R1").get("voice").is_none());
}

#[test]
fn a_damaged_header_table_stops_the_import_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    small_return(dir.path(), "CHILD,REVIEW,REVIEW_CODE\n");
    write(
        dir.path(),
        "header.csv",
        "CHILD,DOB\nR1,01/01/2012\nR2,\"01/01/2012\nR3,01/01/2012\n",
    );
    match import(dir.path(), None) {
        Err(ImportError::Damaged { path, line, reason }) => {
            assert!(path.ends_with("header.csv"));
            assert_eq!(line, 3);
            assert!(reason.contains("children are not known"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_line_of_every_table_is_accounted_for() {
    let imp = ssda903::import_dir(
        &fixtures().join("ssda903"),
        &ssda903::Options {
            as_of: Some(date("2018-03-31")),
            ..Default::default()
        },
    )
    .unwrap();
    for t in imp.log.tables.iter().filter(|t| t.present) {
        let lines = t.lines.unwrap();
        let blank = t.blank_lines.unwrap();
        // The header line, one line per record, and the blank lines.
        assert_eq!(lines, 1 + t.read + blank, "{}", t.table);
        assert_eq!(t.read, t.used + t.rejected + t.not_carried, "{}", t.table);
    }
    let summary = imp.log.render_summary(3);
    assert!(summary.contains("lines  records"), "{summary}");
}

#[test]
fn blank_lines_are_counted_not_lost() {
    let dir = tempfile::tempdir().unwrap();
    small_return(
        dir.path(),
        "CHILD,REVIEW,REVIEW_CODE\r\n\r\nR1,01/01/2026,PN1\r\n,,\r\nR2,01/02/2026,PN7\r\n",
    );
    let imp = import(dir.path(), None).unwrap();
    let t = imp.log.table("reviews").unwrap();
    assert_eq!((t.lines, t.blank_lines, t.read), (Some(5), Some(2), 2));
    assert_eq!(t.used, 2);
}

#[test]
fn a_table_lacking_a_column_gives_no_child_an_empty_list() {
    let dir = tempfile::tempdir().unwrap();
    small_return(
        dir.path(),
        "CHILD,REVIEW_DATE,REVIEW_CODE\nR1,01/01/2026,PN1\n",
    );
    let imp = import(dir.path(), None).unwrap();
    for child in ["R1", "R2", "R3"] {
        assert!(json(&imp, child).get("voice").is_none(), "{child}");
    }
}

#[test]
fn an_episode_ended_after_the_year_end_but_before_the_as_of_date_has_ended() {
    let dir = tempfile::tempdir().unwrap();
    small_return(dir.path(), "CHILD,REVIEW,REVIEW_CODE\n");
    write(
        dir.path(),
        "episodes.csv",
        "CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n\
         R1,01/05/2025,S,C2,U4,15/04/2026,E11\n\
         R2,01/05/2025,S,C2,U4,15/06/2026,E11\n\
         R3,01/05/2025,S,C2,U4,,\n",
    );
    let imp = import(dir.path(), Some("2026-05-01")).unwrap();
    let r1 = json(&imp, "R1");
    assert_eq!(r1["placements"][0]["end_date"], "2026-04-15", "{r1}");
    assert_eq!(r1["child"]["looked_after"], false);
    assert!(r1["child"].get("legal_status").is_none());
    let warned = imp.log.issues_at("episodes", Handling::Warning);
    let lines: Vec<(Option<u64>, &str)> = warned.map(|i| (i.line, i.reason.as_str())).collect();
    assert!(
        lines
            .iter()
            .any(|(l, r)| *l == Some(2) && r.contains("recorded as ended")),
        "{lines:?}"
    );
    // Ending after the as-of date: open at it, and said so.
    let r2 = json(&imp, "R2");
    assert!(r2["placements"][0].get("end_date").is_none());
    assert_eq!(r2["child"]["looked_after"], true);
    assert!(lines
        .iter()
        .any(|(l, r)| *l == Some(3) && r.contains("taken as open at the as-of date")));
}

#[test]
fn a_missing_episode_ending_after_the_as_of_date_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    small_return(dir.path(), "CHILD,REVIEW,REVIEW_CODE\n");
    write(
        dir.path(),
        "missing.csv",
        "CHILD,MISSING,MIS_START,MIS_END\nR1,M,01/01/2026,20/01/2026\n",
    );
    let imp = import(dir.path(), Some("2026-01-10")).unwrap();
    let w: Vec<&str> = imp
        .log
        .issues_at("missing", Handling::Warning)
        .map(|i| i.reason.as_str())
        .collect();
    assert!(
        w.iter()
            .any(|r| r.contains("MIS_END is after the as-of date")),
        "{w:?}"
    );
    assert!(json(&imp, "R1")["crisis"]["missing_episodes"][0]
        .get("end_date")
        .is_none());
}

/// Text that must never reach the terminal.
const SECRETS: [&str; 4] = [
    "Jane Smith",
    "12 Acacia Avenue",
    "self-harm disclosed",
    "told by neighbour",
];

fn assert_no_secret(text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "`{s}` printed:\n{text}");
    }
}

#[test]
fn ssda903_messages_name_the_column_never_the_value() {
    let dir = tempfile::tempdir().unwrap();
    small_return(
        dir.path(),
        "CHILD,REVIEW,REVIEW_CODE\nR1,01/01/2026,self-harm disclosed\n",
    );
    write(
        dir.path(),
        "header.csv",
        "CHILD,DOB\nR1,Jane Smith 12 Acacia Avenue\nR2,01/01/2012\nR3,01/01/2012\n",
    );
    write(
        dir.path(),
        "episodes.csv",
        "CHILD,DECOM,RNE,LS,PLACE,DEC,REC,PL_LA,PL_LOCATION\n\
         R1,01/05/2025,S,C2,self-harm disclosed,,,Jane Smith,told by neighbour\n\
         R2,01/05/2025,S,C2,U4,,\n\
         R3,01/05/2025,S,C2,U4,,\n",
    );
    let imp = import(dir.path(), None).unwrap();
    assert_no_secret(&imp.log.render_summary(100));
    for i in &imp.log.issues {
        assert_no_secret(&i.reason);
    }
    // The values are in the log file, for the person fixing the return.
    let log = imp.log.to_json();
    assert!(log.contains("Jane Smith 12 Acacia Avenue"));
    assert!(log.contains("self-harm disclosed"));
    let dob = imp
        .log
        .issues_at("header", Handling::Warning)
        .next()
        .unwrap();
    assert_eq!(dob.line, Some(2));
    assert!(
        dob.reason.starts_with("DOB is not a date"),
        "{}",
        dob.reason
    );
}

#[test]
fn cin_messages_name_the_element_never_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("census.xml");
    std::fs::write(
        &file,
        "<Message><Children><Child>\n\
         <ChildIdentifiers><LAchildID>C1</LAchildID>\n\
         <PersonBirthDate>Jane Smith</PersonBirthDate></ChildIdentifiers>\n\
         <ChildCharacteristics><Disabilities><Disability>self-harm disclosed</Disability></Disabilities></ChildCharacteristics>\n\
         <CINdetails><CINreferralDate>12 Acacia Avenue</CINreferralDate>\n\
         <ReferralSource>told by neighbour</ReferralSource></CINdetails>\n\
         </Child></Children></Message>\n",
    )
    .unwrap();
    let imp = cin::import_file(&file, &cin::Options::default()).unwrap();
    assert_no_secret(&imp.log.render_summary(100));
    for i in &imp.log.issues {
        assert_no_secret(&i.reason);
    }
    let log = imp.log.to_json();
    for s in SECRETS {
        assert!(log.contains(s), "{s} not in the log file");
    }
}

#[test]
fn cin_nested_20000_deep_is_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("deep.xml");
    let xml = format!(
        "<Message>\n<Children>{}{}</Children></Message>",
        "<a>".repeat(20_000),
        "</a>".repeat(20_000)
    );
    std::fs::write(&file, xml).unwrap();
    match cin::import_file(&file, &cin::Options::default()) {
        Err(ImportError::Xml { path, message }) => {
            assert!(path.ends_with("deep.xml:2"), "{path}");
            assert!(message.contains("nested more than 256 deep"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn cin_lines_are_right_in_a_minified_and_in_a_long_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("census.xml");
    let mut xml = String::from("\u{feff}<Message>\n<Children>\n");
    for n in 0..300 {
        xml.push_str(&format!(
            "<Child>\n<ChildIdentifiers><LAchildID>C{n}</LAchildID></ChildIdentifiers>\n</Child>\n"
        ));
    }
    // The last child on the same line as the one before it.
    xml.push_str("<Child><ChildIdentifiers><LAchildID>C1</LAchildID></ChildIdentifiers></Child>");
    xml.push_str("</Children></Message>\n");
    std::fs::write(&file, &xml).unwrap();
    let imp = cin::import_file(&file, &cin::Options::default()).unwrap();
    let line = |child: &str| {
        imp.log
            .issues
            .iter()
            .find(|i| i.child.as_deref() == Some(child) && i.table == "Child")
            .and_then(|i| i.line)
    };
    assert_eq!(line("C0"), Some(3));
    assert_eq!(line("C299"), Some(3 + 3 * 299));
    let dup = imp
        .log
        .issues_at("Child", Handling::Rejected)
        .next()
        .unwrap();
    assert_eq!(dup.line, Some(3 + 3 * 300));
    assert!(dup.reason.contains("first at line 6"), "{}", dup.reason);
}

#[test]
fn reads_stop_at_the_bound() {
    let dir = tempfile::tempdir().unwrap();
    small_return(dir.path(), "CHILD,REVIEW,REVIEW_CODE\nR1,01/01/2026,PN1\n");
    let options = ssda903::Options {
        year_end: Some(date("2026-03-31")),
        max_input_bytes: Some(40),
        ..Default::default()
    };
    match ssda903::import_dir(dir.path(), &options) {
        Err(ImportError::TooLarge { path, limit }) => {
            assert!(path.ends_with(".csv"), "{path}");
            assert_eq!(limit, 40);
        }
        other => panic!("{other:?}"),
    }
    // A device that never ends: at most the bound is read.
    let cin_options = cin::Options {
        max_input_bytes: Some(1 << 20),
        ..Default::default()
    };
    assert!(matches!(
        cin::import_file(Path::new("/dev/zero"), &cin_options),
        Err(ImportError::TooLarge {
            limit: 1_048_576,
            ..
        })
    ));
    assert_eq!(careprompt_import::MAX_INPUT_BYTES, 256 * 1024 * 1024);
}

/// Every path (list indices dropped) at which `value` holds `[]` or null.
fn explicit_nones(value: &Value, path: &str, out: &mut Vec<String>) {
    match value {
        Value::Null => out.push(path.to_string()),
        Value::Array(items) if items.is_empty() => out.push(path.to_string()),
        Value::Array(items) => items.iter().for_each(|v| explicit_nones(v, path, out)),
        Value::Object(map) => {
            for (k, v) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                explicit_nones(v, &p, out);
            }
        }
        _ => {}
    }
}

fn check_coverage(imp: &Import, source: &str) -> usize {
    let mut nones = 0;
    for plan in imp.plans.values() {
        let v: Value = serde_json::from_str(&plan.to_json()).unwrap();
        assert_eq!(v["coverage"]["source"], source);
        let covered: Vec<&str> = v["coverage"]["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        assert!(!covered.iter().any(|p| p.starts_with("education")));
        assert!(v.get("education").is_none(), "{v}");
        let mut found = Vec::new();
        explicit_nones(&v, "", &mut found);
        for p in &found {
            let under = |c: &&str| p == c || p.starts_with(&format!("{c}."));
            assert!(covered.iter().any(under), "{p} is none outside {covered:?}");
        }
        nones += found.len();
    }
    nones
}

#[test]
fn ssda903_plans_declare_their_coverage_and_write_no_none_outside_it() {
    let imp = ssda903::import_dir(
        &fixtures().join("ssda903"),
        &ssda903::Options {
            as_of: Some(date("2018-03-31")),
            ..Default::default()
        },
    )
    .unwrap();
    let nones = check_coverage(&imp, "ssda903");
    assert!(
        nones > 1000,
        "the fixtures hold explicit empty lists: {nones}"
    );
    let all: std::collections::BTreeSet<String> = imp
        .plans
        .values()
        .flat_map(|p| p.coverage.clone().unwrap().records)
        .collect();
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    assert_eq!(
        all,
        [
            "child.date_of_birth",
            "child.legal_status",
            "child.looked_after",
            "crisis.missing_episodes",
            "health.sdq_scores",
            "placements",
            "voice.reviews",
        ]
    );
}

#[test]
fn cin_plans_declare_their_coverage_and_write_no_none_outside_it() {
    let imp = cin::import_file(
        &fixtures().join("cin/fake_CIN_data.xml"),
        &cin::Options::default(),
    )
    .unwrap();
    check_coverage(&imp, "cin");
    let all: std::collections::BTreeSet<String> = imp
        .plans
        .values()
        .flat_map(|p| p.coverage.clone().unwrap().records)
        .collect();
    assert!(all.contains("child.disabilities"), "{all:?}");
    assert!(all.iter().all(|p| p.starts_with("child.")), "{all:?}");
}

#[test]
fn the_import_log_is_not_replaced_without_force() {
    let dir = tempfile::tempdir().unwrap();
    small_return(dir.path(), "CHILD,REVIEW,REVIEW_CODE\n");
    let mut imp = import(dir.path(), None).unwrap();
    let out = tempfile::tempdir().unwrap();
    let log = out.path().join("plans.import-log.json");
    std::fs::write(&log, "an earlier log").unwrap();
    let err = write_plans(&mut imp, &out.path().join("plans.ndjson"), false).unwrap_err();
    assert!(err.to_string().contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "an earlier log");
    assert!(!out.path().join("plans.ndjson").exists());
    write_plans(&mut imp, &out.path().join("plans.ndjson"), true).unwrap();
    assert!(std::fs::read_to_string(&log)
        .unwrap()
        .contains("\"plans\": 3"));
}

#[test]
fn force_into_a_directory_leaves_no_stale_plan() {
    let dir = tempfile::tempdir().unwrap();
    small_return(dir.path(), "CHILD,REVIEW,REVIEW_CODE\n");
    let mut first = import(dir.path(), None).unwrap();
    let out = tempfile::tempdir().unwrap();
    let plans = out.path().join("plans");
    write_plans(&mut first, &plans, false).unwrap();
    assert!(plans.join("R3.json").exists());
    write(
        dir.path(),
        "header.csv",
        "CHILD,DOB\nR1,01/01/2012\nR2,01/01/2012\n",
    );
    let mut second = import(dir.path(), None).unwrap();
    write_plans(&mut second, &plans, true).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(&plans)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["R1.json", "R2.json"]);
    // Nothing temporary is left beside it.
    let beside: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(beside.len(), 2, "{beside:?}");
}

#[test]
fn force_does_not_replace_a_directory_holding_other_files() {
    let dir = tempfile::tempdir().unwrap();
    small_return(dir.path(), "CHILD,REVIEW,REVIEW_CODE\n");
    let mut imp = import(dir.path(), None).unwrap();
    let out = tempfile::tempdir().unwrap();
    write(out.path(), "notes.txt", "mine");
    let err = write_plans(&mut imp, out.path(), true).unwrap_err();
    assert!(err.to_string().contains("`notes.txt`"), "{err}");
    assert_eq!(
        std::fs::read_to_string(out.path().join("notes.txt")).unwrap(),
        "mine"
    );
}

/// A small tmpfs at a fresh directory, or None (with the reason printed)
/// when this process may not mount one.
pub fn small_tmpfs(kib: u32) -> Option<(tempfile::TempDir, Unmount)> {
    let dir = tempfile::tempdir().ok()?;
    let status = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
        .arg(dir.path())
        .stderr(std::process::Stdio::null())
        .status();
    match status {
        Ok(s) if s.success() => {
            let u = Unmount(dir.path().to_path_buf());
            Some((dir, u))
        }
        _ => {
            println!("skipped: cannot mount a tmpfs here (needs root and mount); the full-disk case is not tested");
            None
        }
    }
}

/// Unmounts the tmpfs when dropped.
pub struct Unmount(PathBuf);

impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_leaves_the_previous_output_intact() {
    let Some((disk, _unmount)) = small_tmpfs(256) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    small_return(dir.path(), "CHILD,REVIEW,REVIEW_CODE\n");
    let mut small = import(dir.path(), None).unwrap();
    let mut big = ssda903::import_dir(
        &fixtures().join("ssda903"),
        &ssda903::Options {
            as_of: Some(date("2018-03-31")),
            ..Default::default()
        },
    )
    .unwrap();
    for out in [disk.path().join("plans.ndjson"), disk.path().join("plans")] {
        let log = careprompt_import::log_path(&out).unwrap();
        let _ = std::fs::remove_file(&log);
        write_plans(&mut small, &out, false).unwrap();
        let before_log = std::fs::read_to_string(&log).unwrap();
        let listing = |p: &Path| -> Vec<(String, String)> {
            if p.is_dir() {
                let mut v: Vec<(String, String)> = std::fs::read_dir(p)
                    .unwrap()
                    .map(|e| {
                        let e = e.unwrap();
                        (
                            e.file_name().to_string_lossy().into_owned(),
                            std::fs::read_to_string(e.path()).unwrap(),
                        )
                    })
                    .collect();
                v.sort();
                v
            } else {
                vec![(String::new(), std::fs::read_to_string(p).unwrap())]
            }
        };
        let before = listing(&out);
        let err = write_plans(&mut big, &out, true).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("No space left"), "{text}");
        assert!(text.contains("is as it was"), "{text}");
        assert_eq!(listing(&out), before, "{}", out.display());
        assert_eq!(std::fs::read_to_string(&log).unwrap(), before_log);
        // No temporary file or directory is left behind.
        let left: Vec<String> = std::fs::read_dir(disk.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(left.is_empty(), "{left:?}");
        if out.is_dir() {
            std::fs::remove_dir_all(&out).unwrap();
        } else {
            std::fs::remove_file(&out).unwrap();
        }
        std::fs::remove_file(&log).unwrap();
    }
}

#[test]
fn a_fifo_named_like_a_table_is_skipped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    small_return(dir.path(), "CHILD,REVIEW,REVIEW_CODE\n");
    let fifo = dir.path().join("missing.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        println!("skipped: mkfifo is not available here");
        return;
    }
    let imp = import(dir.path(), None).unwrap();
    assert!(imp
        .log
        .issues
        .iter()
        .any(|i| i.reason.contains("missing.csv: not a regular file")));
    assert!(!imp.log.table("missing").unwrap().present);
}

#[test]
fn cin_dates_after_the_as_of_date_are_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("census.xml");
    std::fs::write(
        &file,
        "<Message><Children><Child>\n\
         <ChildIdentifiers><LAchildID>C1</LAchildID>\n\
         <PersonBirthDate>2062-01-01</PersonBirthDate></ChildIdentifiers>\n\
         <CINdetails><CINreferralDate>2062-02-01</CINreferralDate>\n\
         <ReferralSource>3E</ReferralSource></CINdetails>\n\
         </Child></Children></Message>\n",
    )
    .unwrap();
    let options = cin::Options {
        as_of: Some(date("2026-03-31")),
        ..Default::default()
    };
    let imp = cin::import_file(&file, &options).unwrap();
    let warned: Vec<&str> = imp
        .log
        .issues
        .iter()
        .filter(|i| i.level == Handling::Warning)
        .map(|i| i.reason.as_str())
        .collect();
    assert!(
        warned
            .iter()
            .any(|r| r.starts_with("PersonBirthDate is after the as-of date")),
        "{warned:?}"
    );
    assert!(
        warned
            .iter()
            .any(|r| r.starts_with("CINreferralDate is after the as-of date")),
        "{warned:?}"
    );
}

#[test]
fn a_cin_child_outside_children_is_rejected_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("census.xml");
    std::fs::write(
        &file,
        "<Message><Children>\n\
         <Child><ChildIdentifiers><LAchildID>C1</LAchildID></ChildIdentifiers></Child>\n\
         <Wrapper><Child><ChildIdentifiers><LAchildID>C2</LAchildID></ChildIdentifiers></Child></Wrapper>\n\
         </Children></Message>\n",
    )
    .unwrap();
    let imp = cin::import_file(&file, &cin::Options::default()).unwrap();
    let t = imp.log.table("Child").unwrap();
    assert_eq!((t.read, t.used, t.rejected), (2, 1, 1));
    let r = imp
        .log
        .issues_at("Child", Handling::Rejected)
        .next()
        .unwrap();
    assert_eq!(r.line, Some(3));
}
