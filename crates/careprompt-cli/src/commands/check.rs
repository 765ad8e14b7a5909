//! `careprompt check`: check plans, print their reports, write the cohort report.

use std::io::IsTerminal;
use std::path::PathBuf;

use careprompt::{CheckOptions, Report};
use rayon::prelude::*;

use crate::args::{as_of_date, parse_consts, Format, SeverityArg};
use crate::batch::{self, PlanResult};
use crate::console::{eprint_error, load_rules_with_schema, located};
use crate::exit::Exit;
use crate::output::{Style, Totals};
use crate::{cohort, inputs, output};

/// The rules a check uses: `--rules` paths (a pack, a bundle, rules files,
/// or none for the built-in pack) and a vendor's `--schema`.
pub struct RulesChoice<'a> {
    /// `--rules`.
    pub paths: &'a [PathBuf],
    /// `--schema`.
    pub schema: Option<&'a std::path::Path>,
}

#[allow(clippy::too_many_arguments)]
pub fn run(
    choice: RulesChoice<'_>,
    as_of: Option<&str>,
    format: Format,
    fail_on: Option<SeverityArg>,
    consts: &[String],
    plans: &[String],
    reports: &cohort::Outputs,
    source_coverage: Option<&std::path::Path>,
) -> Exit {
    let as_of = match as_of_date(as_of) {
        Ok(d) => d,
        Err(m) => {
            eprint_error(&m);
            return Exit::Error;
        }
    };
    let overrides = match parse_consts(consts) {
        Ok(o) => o,
        Err(m) => {
            eprint_error(&m);
            return Exit::Error;
        }
    };
    let vendor = match crate::packs::options(choice.schema) {
        Ok(o) => o.schema,
        Err(code) => return code,
    };
    let rules = match load_rules_with_schema(choice.paths, &overrides, vendor) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let mut options = CheckOptions::new(as_of);
    if let Some(path) = source_coverage {
        match read_coverage(path) {
            Ok(c) => options = options.with_coverage(c),
            Err(m) => {
                eprint_error(&m);
                return Exit::Error;
            }
        }
    }
    let mut cohort = reports.wanted().then(|| cohort::Cohort::new(&rules, as_of));
    // The cohort report's facts are read by the engine in the same pass
    // as the rules' fields: each plan is read once.
    let extra = cohort
        .is_some()
        .then(|| rules.extra_reads(&cohort::FACT_PATHS));
    let mut inputs = inputs::Plans::new(plans);
    let single = inputs.stdin_is_single()
        || (plans.len() == 1
            && plans.first().is_some_and(|p| {
                p != "-"
                    && !std::path::Path::new(p).is_dir()
                    && !inputs::is_ndjson(std::path::Path::new(p))
            }));
    // For a batch, each thread of the pool checks with a copy of the rules
    // of its own, so that threads do not count references to the same
    // rule words (`RuleSet::clone_unshared`), and counts into totals of its
    // own (`PoolThread`).
    let pool: Vec<PoolThread> = if single {
        Vec::new()
    } else {
        (0..rayon::current_num_threads())
            .map(|_| PoolThread {
                rules: rules.clone_unshared(),
                totals: std::sync::Mutex::default(),
            })
            .collect()
    };
    let this_thread = || rayon::current_thread_index().and_then(|i| pool.get(i));
    // The batch formats render each report on the thread that checked it;
    // unless the cohort report reads the reports too, the report is then
    // counted into that thread's own totals and freed there, so that its
    // memory goes back to the allocator of the thread that took it (a free
    // from another thread costs mimalloc more) and the writing thread only
    // copies text.
    let keep_reports =
        single || cohort.is_some() || matches!(format, Format::Human | Format::Plain);
    let check = |bytes: &[u8]| {
        let rules = this_thread().map_or(&rules, |t| &t.rules);
        match &extra {
            Some(extra) => rules
                .check_json_reading(bytes, &options, extra)
                .map(|(r, values)| (r, Some(cohort::PlanFacts::from_values(&values, as_of)))),
            None => rules.check_json(bytes, &options).map(|r| (r, None)),
        }
    };
    let stdout_tty = std::io::stdout().is_terminal();
    let style = Style {
        colour: format == Format::Human
            && stdout_tty
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        fancy: format == Format::Human,
    };
    let progress = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {pos} plans checked ({per_sec})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        Some(bar)
    } else {
        None
    };
    let mut out = crate::console::Out::new();
    let mut totals = Totals::default();
    // The batch object is written as the reports come (never all held in
    // memory), in the order docs/report-format.md shows.
    let json_batch = format == Format::Json && !single;
    let mut json_entries = 0usize;
    if json_batch {
        out.put(&format!(
            "{{\n  \"report_version\": {},\n  \"engine\": {},\n  \"as_of\": {},\n  \"reports\": [",
            careprompt::REPORT_VERSION,
            json_text(&format!("careprompt {}", careprompt::VERSION)),
            json_text(&as_of.to_string())
        ));
    }
    let mut json_errors: Vec<serde_json::Value> = Vec::new();
    if format == Format::Csv {
        out.line(output::CSV_HEADER);
    }
    if matches!(format, Format::Human | Format::Plain) {
        out.line(&format!(
            "careprompt {} — as of {as_of}, {} rule(s)\n",
            careprompt::VERSION,
            rules.rules().len()
        ));
    }
    // Plans are read lazily and checked a chunk at a time on all cores, so
    // memory stays flat; results are written in input order.
    // Checks a chunk on the thread pool; each result carries its rendered
    // output for the batch formats.
    let process = |chunk: Vec<inputs::PlanInput>| -> Vec<(String, PlanResult)> {
        chunk
            .into_par_iter()
            .map(|input| {
                let result = match input.bytes {
                    Err(e) => PlanResult::Error(e),
                    Ok(bytes) => match check(&bytes) {
                        Ok((r, facts)) => {
                            let rendered = match format {
                                Format::Ndjson => Some(output::ndjson_report(&input.source, &r)),
                                Format::Json if !single => Some(format!(
                                    "    {{\n      \"source\": {},\n      \"report\": {}\n    }}",
                                    json_text(&input.source),
                                    indent(r.to_json().trim_end(), 6)
                                )),
                                Format::Csv => Some(output::csv(&input.source, &r)),
                                _ => None,
                            };
                            match (rendered, this_thread()) {
                                (Some(text), Some(t)) if !keep_reports => {
                                    t.totals
                                        .lock()
                                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                                        .add(&r);
                                    PlanResult::Rendered(text)
                                }
                                (rendered, _) => PlanResult::Report(Box::new(r), facts, rendered),
                            }
                        }
                        Err(e) => PlanResult::Error(careprompt::host::plan_error_text(&e)),
                    },
                };
                (input.source, result)
            })
            .collect()
    };
    // Writes a chunk's results, in input order.
    let emit = |results: Vec<(String, PlanResult)>| {
        // Reports are freed on the thread pool, while the next chunk is read.
        let mut used: Vec<Box<Report>> = Vec::with_capacity(results.len());
        for (source, result) in results {
            if let Some(bar) = &progress {
                bar.inc(1);
            }
            match result {
                PlanResult::Error(m) => {
                    totals.errors += 1;
                    if let Some(c) = cohort.as_mut() {
                        c.add_error(&source, &m);
                    }
                    let located = crate::console::escaped(&located(&source, &m));
                    if let Some(bar) = &progress {
                        bar.suspend(|| crate::eprintln_quiet!("error: {located}"));
                    } else {
                        crate::eprintln_quiet!("error: {located}");
                    }
                    match format {
                        Format::Json => {
                            json_errors.push(serde_json::json!({"source": source, "error": m}))
                        }
                        Format::Ndjson => {
                            out.put(&output::ndjson_error(&source, &m));
                        }
                        Format::Csv => {
                            out.line(&format!(
                                "{},,,,,,,,,{},{}",
                                crate::csv::field(&source),
                                crate::csv::field(&m),
                                output::csv_pack(rules.pack_info())
                            ));
                        }
                        _ => {}
                    }
                }
                PlanResult::Rendered(text) => {
                    if format == Format::Json {
                        out.put(if json_entries == 0 { "\n" } else { ",\n" });
                        json_entries += 1;
                    }
                    out.put(&text);
                }
                PlanResult::Report(report, facts, rendered) => {
                    totals.add(&report);
                    if let Some(c) = cohort.as_mut() {
                        c.add(&source, &report, facts.unwrap_or_default());
                    }
                    match format {
                        Format::Human | Format::Plain => {
                            out.line(&output::human(&source, &report, style));
                        }
                        Format::Json => {
                            if single {
                                out.line(&report.to_json());
                            } else {
                                out.put(if json_entries == 0 { "\n" } else { ",\n" });
                                out.put(&rendered.unwrap_or_default());
                                json_entries += 1;
                            }
                        }
                        Format::Ndjson | Format::Csv => {
                            out.put(&rendered.unwrap_or_default());
                        }
                    }
                    used.push(report);
                }
            }
        }
        rayon::spawn(move || drop(used));
        // Each chunk's output goes out as it is written: a stream on
        // standard input gets its reports as its plans arrive.
        out.flush();
    };
    batch::pipeline(&mut inputs, process, emit);
    for t in pool {
        totals.merge(
            t.totals
                .into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
    }
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    if json_batch {
        out.put(if json_entries == 0 { "]" } else { "\n  ]" });
        let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
        out.put(&format!(
            ",\n  \"errors\": {},\n  \"summary\": {}\n}}\n",
            indent(&pretty(&serde_json::Value::Array(json_errors)), 2),
            indent(&pretty(&totals.json()), 2)
        ));
    }
    if matches!(format, Format::Human | Format::Plain) {
        if totals.plans + totals.errors > 1 {
            out.put(&totals.render());
        }
    } else if totals.plans + totals.errors > 1 {
        crate::eprint_quiet!("{}", totals.render());
    }
    out.flush();
    if let Some(c) = &cohort {
        if let Err(m) = c.write(reports.html.as_deref(), reports.csv.as_deref()) {
            eprint_error(&m);
            return Exit::Error;
        }
    }
    if totals.plans + totals.errors == 0 {
        eprint_error("no plans found in the paths given");
        return Exit::Error;
    }
    if totals.errors > 0 {
        return Exit::Error;
    }
    match (fail_on, totals.worst) {
        (Some(limit), Some(worst)) if worst <= limit.severity() => Exit::Findings,
        _ => Exit::Ok,
    }
}

/// What one thread of the pool keeps through a batch.
struct PoolThread {
    /// Its own copy of the rules.
    rules: careprompt::RuleSet,
    /// The reports it counted and freed itself.
    totals: std::sync::Mutex<Totals>,
}

/// Reads a `--source-coverage` file.
fn read_coverage(path: &std::path::Path) -> Result<careprompt::Coverage, String> {
    let text = crate::rules::read_text_limited(path, careprompt::MAX_PLAN_BYTES)
        .map_err(|e| format!("--source-coverage `{}`: {e}", path.display()))?;
    careprompt::Coverage::from_json(&text).map_err(|e| {
        format!(
            "--source-coverage `{}`: {e}\n  = help: write {{\"source\": \"ssda903\", \"records\": [\"placements\", \"education.pep\"]}}",
            path.display()
        )
    })
}

/// `text` as a JSON string.
fn json_text(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// `text` with every line after the first indented by `n` spaces, to nest
/// a pretty-printed value.
fn indent(text: &str, n: usize) -> String {
    text.replace('\n', &format!("\n{}", " ".repeat(n)))
}
