//! The WASM package's `compileBundle`, run natively: the same bundle gives
//! the library's report byte for byte, and a tampered bundle is refused.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::path::Path;

use careprompt::{Pack, PackOptions};

fn example_bundle() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../rules/examples/fictional-borough-local-pack");
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(&dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                files.insert(rel, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    Pack::from_files("example/", files, &PackOptions::default())
        .unwrap()
        .to_bundle()
}

#[test]
fn compile_bundle_gives_the_library_report_byte_for_byte() {
    let bundle = example_bundle();
    let mut compiled = careprompt_wasm::compile_bundle("fb.bundle.json", &bundle);
    assert!(compiled.ok(), "{}", compiled.diagnostics());
    let rules = compiled.take_rules().unwrap();
    let plan = r#"{"plan_id": "P1", "child": {"looked_after": true, "mental_health_needs": true, "young_carer": true}}"#;
    let out = rules.check_text(plan, "2026-11-26");
    assert!(out.is_ok(), "{}", out.text());
    let lib = careprompt::load_bundle("fb.bundle.json", &bundle).unwrap();
    let options = careprompt::CheckOptions::new(careprompt::Date::parse("2026-11-26").unwrap());
    assert_eq!(
        out.text(),
        lib.check_json(plan.as_bytes(), &options).unwrap().to_json()
    );
    assert!(out
        .text()
        .contains("\"name\": \"fictional-borough-local-pack\""));
}

#[test]
fn compile_bundle_refuses_a_tampered_bundle() {
    let bundle = example_bundle().replace("= 15", "= 25");
    let compiled = careprompt_wasm::compile_bundle("fb.bundle.json", &bundle);
    assert!(!compiled.ok());
    assert!(
        compiled.diagnostics().contains("bundle-hash"),
        "{}",
        compiled.diagnostics()
    );
}
