//! The CLI and the WASM bindings give the same results and errors for the
//! same batch input, whether it is one plan, a JSON array of plans or
//! NDJSON: both split it by the host layer's one rule, and each plan's
//! report and error text are the same.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use serde_json::Value;

mod common;

const AS_OF: &str = "2026-11-26";
const EX01: &str = "examples/plans/ex-01-out-of-area-residential-adhd-medication.json";
const EX07: &str = "examples/plans/ex-07-sparse-data.json";

fn plan(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(common::root().join(path)).unwrap()).unwrap()
}

/// The CLI's NDJSON lines for `stdin`: (source, report or error text).
fn cli(stdin: &[u8]) -> Vec<(String, Result<Value, String>)> {
    let out = common::careprompt()
        .args(["check", "--format", "ndjson", "--as-of", AS_OF, "-"])
        .write_stdin(stdin.to_vec())
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let source = v["source"].as_str().unwrap().to_string();
            let result = match v.get("report") {
                Some(r) => Ok(r.clone()),
                None => Err(v["error"].as_str().unwrap().to_string()),
            };
            (source, result)
        })
        .collect()
}

/// The WASM bindings' batch for `stdin`, as the CLI would name each plan.
fn wasm(stdin: &[u8]) -> Vec<(String, Result<Value, String>)> {
    let mut compiled = careprompt_wasm::compile_builtin();
    let rules = compiled.take_rules().unwrap();
    let batch = rules.check_many_bytes(stdin, AS_OF, "auto");
    assert!(batch.is_ok(), "{}", batch.text());
    let entries: Vec<Value> = serde_json::from_str(batch.text()).unwrap();
    let layout = careprompt::host::detect_layout(stdin);
    entries
        .into_iter()
        .map(|e| {
            let source = match (layout, e.get("line")) {
                (_, Some(line)) => format!("<stdin>:{line}"),
                (careprompt::host::Layout::Array, None) => format!("<stdin>[{}]", e["index"]),
                _ => "<stdin>".to_string(),
            };
            let result = if e["ok"] == true {
                Ok(e["report"].clone())
            } else {
                let err = &e["error"];
                Err(careprompt::host::located_text(
                    err["line"].as_u64().unwrap() as usize,
                    err["column"].as_u64().unwrap() as usize,
                    err["message"].as_str().unwrap(),
                    err["help"].as_str(),
                ))
            };
            (source, result)
        })
        .collect()
}

#[test]
fn cli_and_wasm_agree_on_single_plans_arrays_and_ndjson() {
    let (a, b) = (plan(EX01), plan(EX07));
    let pretty = serde_json::to_string_pretty(&a).unwrap();
    let array = format!("[{a}, {{\"child\": 3}}, {b}]");
    let ndjson = format!("{a}\n\n{{\"child\": 3}}\n{{bad\n{b}\n");
    let bad_single = "{\n  \"child\": {\"date_of_birth\": \"2026-02-30\"}\n}\n".to_string();
    for (name, input, expected) in [
        ("one pretty-printed plan", pretty, 1),
        ("a JSON array", array, 3),
        ("NDJSON", ndjson, 4),
        ("one bad plan", bad_single, 1),
    ] {
        let native = cli(input.as_bytes());
        let bindings = wasm(input.as_bytes());
        assert_eq!(native.len(), expected, "{name}: {native:?}");
        assert_eq!(native, bindings, "{name}");
    }
}

#[test]
fn cli_and_wasm_reports_are_the_same_bytes() {
    let text = std::fs::read(common::root().join(EX01)).unwrap();
    let out = common::careprompt()
        .args(["check", "--format", "json", "--as-of", AS_OF, EX01])
        .output()
        .unwrap();
    let mut compiled = careprompt_wasm::compile_builtin();
    let rules = compiled.take_rules().unwrap();
    let r = rules.check_bytes(&text, AS_OF);
    assert_eq!(
        format!("{}\n", r.text()),
        String::from_utf8(out.stdout).unwrap()
    );
}
