//! `careprompt test`: rule tests, their results and coverage.

use std::path::PathBuf;

use crate::args::Format;
use crate::console::{emit, eprint_error, load_rules};
use crate::exit::Exit;
use crate::rules;

pub fn run(
    paths: &[PathBuf],
    rule_paths: &[PathBuf],
    show_coverage: bool,
    min_coverage: Option<f64>,
    format: Format,
) -> Exit {
    // A local pack is tested with its own tests and the base pack's under it.
    let pack_path = match (rule_paths, paths) {
        ([one], _) | ([], [one]) if crate::packs::is_pack(one) => Some(one),
        _ => None,
    };
    if let Some(p) = pack_path {
        return test_pack(p, show_coverage, format);
    }
    // Rules: --rules, else the `.cpr` files of directories given, else the built-in pack.
    let mut rule_dirs: Vec<PathBuf> = rule_paths.to_vec();
    if rule_dirs.is_empty() {
        for p in paths {
            if p.is_dir()
                && !rules::files_under(p, &|n| rules::name_has_extension(n, &["cpr"]), true)
                    .is_empty()
            {
                rule_dirs.push(p.clone());
            }
        }
    }
    let rules = match load_rules(&rule_dirs, &[]) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            files.extend(rules::files_under(
                p,
                &|n| rules::name_has_extension(n, &["test.toml"]),
                false,
            ));
        } else if p.exists() {
            files.push(p.clone());
        } else {
            eprint_error(&format!("{}: no such test file or directory", p.display()));
            return Exit::Error;
        }
    }
    if files.is_empty() {
        eprint_error("no `*.test.toml` files found");
        return Exit::Error;
    }
    let mut texts = Vec::new();
    for f in &files {
        match rules::read_text_limited(f, careprompt::MAX_RULES_BYTES) {
            Ok(t) => texts.push((f.to_string_lossy().replace('\\', "/"), t)),
            Err(e) => {
                eprint_error(&format!("{}: {e}", f.display()));
                return Exit::Error;
            }
        }
    }
    let run = careprompt::testing::run_tests(&rules, &texts, &rules::FsLoader);
    if format == Format::Json {
        emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&run).unwrap_or_default()
        ));
    } else {
        emit(&render_tests(&run, show_coverage));
    }
    if !run.ok() {
        return Exit::Findings;
    }
    if let Some(min) = min_coverage {
        if run.coverage.rule_percent + 1e-9 < min {
            crate::eprintln_quiet!(
                "error: {:.1}% of rules are exercised by tests; --min-coverage asks for {min}%",
                run.coverage.rule_percent
            );
            return Exit::Findings;
        }
    }
    Exit::Ok
}

/// Runs a local pack's tests, then the base pack's tests under the pack.
fn test_pack(path: &std::path::Path, show_coverage: bool, format: Format) -> Exit {
    let pack = match crate::packs::read_reported(path, &careprompt::PackOptions::default()) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let run = pack.run_tests();
    if format == Format::Json {
        emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&run).unwrap_or_default()
        ));
    } else {
        emit(&render_tests(&run.pack, show_coverage));
        emit(&crate::packs::render_tests(&run));
    }
    if run.ok() {
        Exit::Ok
    } else {
        Exit::Findings
    }
}

fn render_tests(run: &careprompt::testing::TestRun, show_coverage: bool) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for f in &run.files {
        let _ = writeln!(out, "{}", f.file);
        if let Some(d) = &f.error {
            let _ = write!(out, "{}", d.render());
        }
        for c in &f.cases {
            if c.passed {
                let _ = writeln!(out, "  ok    {}", c.name);
                continue;
            }
            let _ = writeln!(out, "  FAIL  {}", c.name);
            if let Some(e) = &c.error {
                let _ = writeln!(out, "        {e}");
            }
            for fail in &c.failures {
                let _ = writeln!(
                    out,
                    "        {}: expected {}, got {}",
                    fail.rule, fail.expected, fail.actual
                );
                for e in &fail.evidence {
                    let _ = writeln!(
                        out,
                        "          evidence: {} = {}",
                        e.path,
                        serde_json::to_string(&e.value).unwrap_or_default()
                    );
                }
                if !fail.missing.is_empty() {
                    let _ = writeln!(out, "          missing: {}", fail.missing.join(", "));
                }
            }
        }
    }
    let cov = &run.coverage;
    let _ = writeln!(
        out,
        "\ncoverage: {}/{} rules exercised ({:.1}%), {}/{} conditions seen both true and false",
        cov.rules_exercised,
        cov.rules_total,
        cov.rule_percent,
        cov.conditions_covered,
        cov.conditions_total
    );
    if show_coverage {
        for r in &cov.unexercised_rules {
            let _ = writeln!(out, "  rule not exercised: {r}");
        }
        for c in &cov.uncovered_conditions {
            let _ = writeln!(out, "  {}: {} ({})", c.rule, c.condition, c.seen);
        }
    }
    let _ = writeln!(out, "{} passed, {} failed", run.passed, run.failed);
    out
}
