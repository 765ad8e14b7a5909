//! The generator is deterministic, reproduces the committed fixtures, and
//! its Liquidlogic descriptions import to the same plans as DfE codes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use careprompt::Date;
use careprompt_import::ssd::{self, CsvDir, Options};
use careprompt_ssdgen::{generate, Config, System};

fn config(system: System, seed: u64, children: u64) -> Config {
    Config {
        children,
        years: 6,
        seed,
        as_of: Date::parse("2026-03-31").unwrap(),
        system,
        inject_errors: false,
    }
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_the_committed_fixture() {
    let tmp = tempfile::tempdir().unwrap();
    generate(
        &config(System::SystemC, 42, 150),
        &tmp.path().join("a"),
        None,
    )
    .unwrap();
    generate(
        &config(System::SystemC, 42, 150),
        &tmp.path().join("b"),
        None,
    )
    .unwrap();
    assert_eq!(files(&tmp.path().join("a")), files(&tmp.path().join("b")));
    let fixture =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/ssd/systemc");
    let committed: Vec<(String, Vec<u8>)> = files(&fixture)
        .into_iter()
        .filter(|(n, _)| n.ends_with(".csv"))
        .collect();
    assert_eq!(files(&tmp.path().join("a")), committed);
    generate(
        &config(System::SystemC, 43, 150),
        &tmp.path().join("c"),
        None,
    )
    .unwrap();
    assert_ne!(files(&tmp.path().join("a")), files(&tmp.path().join("c")));
}

fn import(dir: &Path, out: &Path) -> String {
    let mut source = CsvDir::new(dir).unwrap();
    let opts = Options::new(Date::parse("2026-03-31").unwrap());
    ssd::import(&mut source, &opts, out, false, &mut |_| {}).unwrap();
    std::fs::read_to_string(out).unwrap()
}

#[test]
fn descriptions_and_codes_import_to_the_same_plans() {
    let tmp = tempfile::tempdir().unwrap();
    let (llc, ecl) = (tmp.path().join("systemc"), tmp.path().join("eclipse"));
    generate(&config(System::SystemC, 5, 300), &llc, None).unwrap();
    generate(&config(System::Eclipse, 5, 300), &ecl, None).unwrap();
    let legal = std::fs::read_to_string(llc.join("ssd_legal_status.csv")).unwrap();
    assert!(legal.contains("Full care order") || legal.contains("Interim care order"));
    let a = import(&llc, &tmp.path().join("a.ndjson"));
    let b = import(&ecl, &tmp.path().join("b.ndjson"));
    assert_eq!(a.lines().count(), 300);
    assert_eq!(a, b);
}

#[test]
fn the_sql_holds_every_table_and_row() {
    let tmp = tempfile::tempdir().unwrap();
    let sql = tmp.path().join("ssd.sql");
    let counts = generate(
        &config(System::Mosaic, 9, 40),
        &tmp.path().join("csv"),
        Some((&sql, "ssd_development")),
    )
    .unwrap();
    let text = std::fs::read_to_string(&sql).unwrap();
    for (table, rows) in counts {
        assert!(
            text.contains(&format!("CREATE TABLE ssd_development.{table} (")),
            "{table}"
        );
        let copy = format!("COPY ssd_development.{table} (");
        let at = text.find(&copy).unwrap();
        let body = &text[at..];
        let start = body.find('\n').unwrap() + 1;
        let end = body.find("\n\\.\n").map(|e| e + 1).unwrap_or(start);
        let lines = if end > start {
            body[start..end].lines().count()
        } else {
            0
        };
        assert_eq!(lines as u64, rows, "{table}");
    }
    // Mosaic has no person column on placements.
    assert!(!text.contains("clap_person_id"));
}
