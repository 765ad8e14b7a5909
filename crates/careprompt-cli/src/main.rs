//! `careprompt`: check case plans against learning-point rules; test, lint
//! and format rules; print the case-plan schema.

#![forbid(unsafe_code)]

mod cohort;
mod import;
mod inputs;
mod output;
mod pack_cmd;
mod rules;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use careprompt::{CheckOptions, Date, Report, RuleSet, Severity};
use clap::{Parser, Subcommand, ValueEnum};
use rayon::prelude::*;

use output::{Style, Totals};
use rules::RulesError;

/// Exit code: success.
const OK: u8 = 0;
/// Exit code: a prompt at or above `--fail-on` fired, or tests failed.
const FINDINGS: u8 = 1;
/// Exit code: usage, rules or input errors.
const ERROR: u8 = 2;

#[derive(Parser)]
#[command(
    name = "careprompt",
    version,
    about = "Check children's case plans against learning-point rules, and prompt good practice.",
    long_about = "careprompt checks a child's case plan (JSON) against rules that encode learning \
from multi-agency reviews, and prompts the practitioner: which learning point applies, the evidence \
in the plan, what to consider next, and what could not be checked for want of data. Prompts support \
professional judgement; they never decide.",
    after_help = "Examples:\n  careprompt check examples/plans/ex-01-out-of-area-residential-adhd-medication.json\n  careprompt test rules/jtai-childrens-mental-health\n  careprompt explain --rule CMH-EDU-01 --as-of 2026-11-26 plan.json\n\nExit codes: 0 success; 1 a prompt at or above --fail-on fired, or a rule test failed; 2 usage, rules or input errors."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Grouped by theme, colour on a terminal.
    Human,
    /// Like human, without colour or box drawing: for screen readers and logs.
    Plain,
    /// The report as JSON (one plan: its report; several: a batch object).
    Json,
    /// One JSON object a line per plan.
    Ndjson,
    /// One row per plan and rule outcome.
    Csv,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SeverityArg {
    High,
    Medium,
    Low,
    Info,
}

impl SeverityArg {
    fn severity(self) -> Severity {
        match self {
            SeverityArg::High => Severity::High,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::Low => Severity::Low,
            SeverityArg::Info => Severity::Info,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Check plans against rules (the built-in children's mental health pack by default).
    #[command(
        after_help = "Examples:\n  careprompt check plan.json\n  careprompt check --as-of 2026-11-26 --format json plan.json\n  careprompt check --format csv cohort/ > outcomes.csv\n  cat plans.ndjson | careprompt check --format ndjson -\n\nPLAN is a JSON file, a directory of them, an NDJSON file (.ndjson or .jsonl: one plan a line), or - for standard input."
    )]
    Check {
        /// Rules file or directory of `.cpr` files (repeatable). Default: the built-in pack.
        #[arg(long = "rules", value_name = "PATH")]
        rules: Vec<PathBuf>,
        /// Evaluation date (YYYY-MM-DD). Default: today.
        #[arg(long = "as-of", value_name = "DATE")]
        as_of: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Exit 1 when a prompt of this severity or higher fires (strengths never count).
        #[arg(long = "fail-on", value_enum, value_name = "SEVERITY")]
        fail_on: Option<SeverityArg>,
        /// Override a constant of the rules: NAME=VALUE (repeatable), e.g. `sdq_concern_threshold=15`.
        #[arg(long = "const", value_name = "NAME=VALUE")]
        consts: Vec<String>,
        /// Also write a cohort report: one static HTML page (charts, what the rules could decide, every child's prompts).
        #[arg(long = "html-report", value_name = "FILE")]
        html_report: Option<PathBuf>,
        /// Also write a cohort CSV: one row per plan with its prompt counts.
        #[arg(long = "csv-report", value_name = "FILE")]
        csv_report: Option<PathBuf>,
        /// A vendor's whole case-plan schema, used in place of the built-in one (a pack's extension fields are merged into it).
        #[arg(long = "schema", value_name = "FILE")]
        schema: Option<PathBuf>,
        /// Plans to check.
        #[arg(value_name = "PLAN", required = true)]
        plans: Vec<String>,
    },
    /// Run rule tests (`*.test.toml`) and report passes, failures and coverage.
    #[command(
        after_help = "Examples:\n  careprompt test rules/jtai-childrens-mental-health\n  careprompt test --coverage --min-coverage 100 rules/jtai-childrens-mental-health\n\nA directory holding `.cpr` files is tested against those rules; otherwise the built-in pack (or --rules) is used."
    )]
    Test {
        /// Test files, or directories to search for `*.test.toml`.
        #[arg(value_name = "PATH", default_value = "rules")]
        paths: Vec<PathBuf>,
        /// Rules to test (default: the `.cpr` files of a directory given, else the built-in pack).
        #[arg(long = "rules", value_name = "PATH")]
        rules: Vec<PathBuf>,
        /// List rules and conditions no test exercises.
        #[arg(long)]
        coverage: bool,
        /// Fail unless at least N percent of rules are exercised.
        #[arg(long = "min-coverage", value_name = "N")]
        min_coverage: Option<f64>,
        /// Output format (human or json).
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Compile rules and warn about likely mistakes.
    #[command(after_help = "Example:\n  careprompt lint rules/jtai-childrens-mental-health")]
    Lint {
        /// Rules files or directories (default: the built-in pack).
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Output format (human or json).
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Print rules files in canonical form.
    #[command(
        after_help = "Examples:\n  careprompt fmt rules/my-pack/education.cpr\n  careprompt fmt --check rules/\n  careprompt fmt --write rules/"
    )]
    Fmt {
        /// Exit 1 and show a diff when a file is not formatted.
        #[arg(long, conflicts_with = "write")]
        check: bool,
        /// Rewrite files in place.
        #[arg(long)]
        write: bool,
        /// Rules files or directories.
        #[arg(value_name = "PATH", required = true)]
        paths: Vec<PathBuf>,
    },
    /// Show how one rule was decided on one plan, condition by condition.
    #[command(
        after_help = "Example:\n  careprompt explain --rule CMH-EDU-01 --as-of 2026-11-26 examples/plans/ex-01-out-of-area-residential-adhd-medication.json"
    )]
    Explain {
        /// The rule's id.
        #[arg(long)]
        rule: String,
        /// Rules file or directory (default: the built-in pack).
        #[arg(long = "rules", value_name = "PATH")]
        rules: Vec<PathBuf>,
        /// Evaluation date (YYYY-MM-DD). Default: today.
        #[arg(long = "as-of", value_name = "DATE")]
        as_of: Option<String>,
        /// Output format (human or json).
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// The plan (a JSON file, or - for standard input).
        #[arg(value_name = "PLAN")]
        plan: String,
    },
    /// Import SSDA903 or CIN census returns into case plans.
    #[command(
        subcommand,
        after_help = "Examples:\n  careprompt import ssda903 returns/2024-25/ --out plans/ --la-code E09000001\n  careprompt import cin census.xml --ssda903 returns/2024-25/ --out plans.ndjson\n\nRows that cannot be used are listed with file, line and reason; the import log (JSON) is written beside OUT. See docs/import.md."
    )]
    Import(import::ImportKind),
    /// Print the case-plan JSON Schema (with a pack's extension fields merged in, given --rules PACK).
    #[command(
        after_help = "Examples:\n  careprompt schema > case-plan.schema.json\n  careprompt schema --rules rules/examples/fictional-borough-local-pack > merged.schema.json\n  careprompt schema --rules my-pack --schema vendor.schema.json"
    )]
    Schema {
        /// A local pack (directory with pack.toml, or a bundle): print the merged schema.
        #[arg(long = "rules", value_name = "PACK")]
        rules: Option<PathBuf>,
        /// A vendor's whole case-plan schema, used in place of the built-in one.
        #[arg(long = "schema", value_name = "FILE")]
        schema: Option<PathBuf>,
    },
    /// Show what a local pack is made of, or bundle it as one file.
    #[command(
        after_help = "Examples:\n  careprompt pack rules/examples/fictional-borough-local-pack\n  careprompt pack --bundle fictional-borough.bundle.json rules/examples/fictional-borough-local-pack\n  careprompt check --rules fictional-borough.bundle.json plan.json\n\nSee docs/packs.md."
    )]
    Pack {
        /// The pack: a directory holding pack.toml, the manifest, or a bundle.
        #[arg(value_name = "PACK")]
        pack: PathBuf,
        /// Write the pack as one bundle file (JSON with every file and their hash).
        #[arg(long = "bundle", value_name = "OUT")]
        bundle: Option<PathBuf>,
        /// A vendor's whole case-plan schema, used in place of the built-in one.
        #[arg(long = "schema", value_name = "FILE")]
        schema: Option<PathBuf>,
        /// Output format (human or json).
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check {
            rules,
            as_of,
            format,
            fail_on,
            consts,
            html_report,
            csv_report,
            schema,
            plans,
        } => {
            let reports = cohort::Outputs {
                html: html_report,
                csv: csv_report,
            };
            check(
                RulesChoice {
                    paths: &rules,
                    schema: schema.as_deref(),
                },
                as_of.as_deref(),
                format,
                fail_on,
                &consts,
                &plans,
                &reports,
            )
        }
        Command::Test {
            paths,
            rules,
            coverage,
            min_coverage,
            format,
        } => test(&paths, &rules, coverage, min_coverage, format),
        Command::Lint { paths, format } => lint(&paths, format),
        Command::Fmt {
            check,
            write,
            paths,
        } => fmt(&paths, check, write),
        Command::Explain {
            rule,
            rules,
            as_of,
            format,
            plan,
        } => explain(&rule, &rules, as_of.as_deref(), format, &plan),
        Command::Import(kind) => import::run(kind),
        Command::Schema { rules, schema } => schema_cmd(rules.as_deref(), schema.as_deref()),
        Command::Pack {
            pack,
            bundle,
            schema,
            format,
        } => pack_cmd_run(&pack, bundle.as_deref(), schema.as_deref(), format),
    };
    ExitCode::from(code)
}

fn pack_options(schema: Option<&std::path::Path>) -> Result<careprompt::PackOptions, u8> {
    let schema = match schema {
        None => None,
        Some(p) => match std::fs::read_to_string(p) {
            Ok(t) => Some((p.to_string_lossy().replace('\\', "/"), t)),
            Err(e) => {
                eprint_error(&format!("{}: {}", p.display(), rules::short_io(&e)));
                return Err(ERROR);
            }
        },
    };
    Ok(careprompt::PackOptions {
        overrides: Vec::new(),
        schema,
    })
}

fn read_pack(
    path: &std::path::Path,
    options: &careprompt::PackOptions,
) -> Result<careprompt::Pack, u8> {
    pack_cmd::read(path, options).map_err(|e| {
        report_rules_error(e);
        ERROR
    })
}

fn schema_cmd(pack: Option<&std::path::Path>, schema: Option<&std::path::Path>) -> u8 {
    let options = match pack_options(schema) {
        Ok(o) => o,
        Err(code) => return code,
    };
    match (pack, &options.schema) {
        (Some(p), _) => match read_pack(p, &options) {
            Ok(pack) => emit(&format!("{}\n", pack.schema_json.trim_end())),
            Err(code) => return code,
        },
        (None, Some((_, text))) => emit(&format!("{}\n", text.trim_end())),
        (None, None) => emit(&format!("{}\n", careprompt::case_plan_schema().trim_end())),
    }
    OK
}

fn pack_cmd_run(
    path: &std::path::Path,
    bundle: Option<&std::path::Path>,
    schema: Option<&std::path::Path>,
    format: Format,
) -> u8 {
    let options = match pack_options(schema) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let pack = match read_pack(path, &options) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if let Some(out) = bundle {
        if let Err(m) = pack_cmd::write_bundle(&pack, out) {
            eprint_error(&m);
            return ERROR;
        }
        eprintln!(
            "wrote {} ({} {}, {})",
            out.display(),
            pack.name,
            pack.version,
            pack.info().hash
        );
        return OK;
    }
    if format == Format::Json {
        emit(&pack_cmd::describe_json(&pack));
    } else {
        emit(&pack_cmd::describe(&pack));
    }
    OK
}

fn report_rules_error(e: RulesError) {
    match e {
        RulesError::Io(m) => eprint_error(&m),
        RulesError::Compile(e) => {
            for d in &e.diagnostics {
                print_diagnostic(d);
            }
            let n = e.diagnostics.len();
            eprintln!("error: the rules have {n} problem(s); no plan was checked");
        }
    }
}

/// Writes to standard output; a closed pipe (`careprompt ... | head`) ends
/// the program quietly instead of panicking.
fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(i32::from(OK));
        }
    }
}

/// Prints a diagnostic to standard error, in colour on a terminal (unless
/// `NO_COLOR` is set).
fn print_diagnostic(d: &careprompt::Diagnostic) {
    use codespan_reporting::term::{self, termcolor};
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    if colour {
        let (file, report) = d.to_codespan();
        let stream = termcolor::StandardStream::stderr(termcolor::ColorChoice::Auto);
        let mut lock = stream.lock();
        if term::emit_to_write_style(&mut lock, &term::Config::default(), &file, &report).is_ok() {
            return;
        }
    }
    eprint!("{}", d.render());
}

fn eprint_error(message: &str) {
    eprintln!("error: {message}");
}

fn today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Date::from_days(i32::try_from(secs / 86_400).unwrap_or(0))
}

fn as_of_date(arg: Option<&str>) -> Result<Date, String> {
    match arg {
        None => Ok(today()),
        Some(s) => Date::parse(s).map_err(|e| format!("--as-of `{s}`: {e}")),
    }
}

fn parse_consts(consts: &[String]) -> Result<Vec<(String, String)>, String> {
    consts
        .iter()
        .map(|c| {
            c.split_once('=')
                .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| {
                    format!("--const `{c}`: write NAME=VALUE, such as sdq_concern_threshold=15")
                })
        })
        .collect()
}

fn load_rules(paths: &[PathBuf], overrides: &[(String, String)]) -> Result<RuleSet, u8> {
    match rules::load(paths, overrides) {
        Ok(r) => Ok(r),
        Err(RulesError::Io(m)) => {
            eprint_error(&m);
            Err(ERROR)
        }
        Err(RulesError::Compile(e)) => {
            for d in &e.diagnostics {
                print_diagnostic(d);
            }
            let n = e.diagnostics.len();
            eprintln!("error: the rules have {n} problem(s); no plan was checked");
            Err(ERROR)
        }
    }
}

enum PlanResult {
    /// A report, the facts the cohort report needs, and for the batch
    /// formats (NDJSON, CSV) its output, rendered on the worker thread so
    /// that writing stays a copy and checking scales with the cores.
    Report(Box<Report>, Option<cohort::PlanFacts>, Option<String>),
    Error(String),
}

/// The rules a check uses: `--rules` paths (a pack, a bundle, rules files,
/// or none for the built-in pack) and a vendor's `--schema`.
struct RulesChoice<'a> {
    paths: &'a [PathBuf],
    schema: Option<&'a std::path::Path>,
}

fn check(
    choice: RulesChoice<'_>,
    as_of: Option<&str>,
    format: Format,
    fail_on: Option<SeverityArg>,
    consts: &[String],
    plans: &[String],
    reports: &cohort::Outputs,
) -> u8 {
    let as_of = match as_of_date(as_of) {
        Ok(d) => d,
        Err(m) => {
            eprint_error(&m);
            return ERROR;
        }
    };
    let overrides = match parse_consts(consts) {
        Ok(o) => o,
        Err(m) => {
            eprint_error(&m);
            return ERROR;
        }
    };
    let vendor = match pack_options(choice.schema) {
        Ok(o) => o.schema,
        Err(code) => return code,
    };
    let rules = match rules::load_with_schema(choice.paths, &overrides, vendor) {
        Ok(r) => r,
        Err(e) => {
            report_rules_error(e);
            return ERROR;
        }
    };
    let options = CheckOptions::new(as_of);
    let mut cohort = reports.wanted().then(|| cohort::Cohort::new(&rules, as_of));
    let want_facts = cohort.is_some();
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
    let single = plans.len() == 1
        && plans.first().is_some_and(|p| {
            p != "-"
                && !std::path::Path::new(p).is_dir()
                && !p.ends_with(".ndjson")
                && !p.ends_with(".jsonl")
        });
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut totals = Totals::default();
    let mut json_reports: Vec<serde_json::Value> = Vec::new();
    let mut json_errors: Vec<serde_json::Value> = Vec::new();
    if format == Format::Csv {
        let _ = writeln!(out, "{}", output::CSV_HEADER);
    }
    if matches!(format, Format::Human | Format::Plain) {
        let _ = writeln!(
            out,
            "careprompt {} — as of {as_of}, {} rule(s)\n",
            careprompt::VERSION,
            rules.rules().len()
        );
    }
    // Plans are read lazily and checked a chunk at a time on all cores, so
    // memory stays flat; results are written in input order.
    let mut inputs = inputs::Plans::new(plans);
    const CHUNK: usize = 1024;
    // Checks a chunk on the thread pool; each result carries its rendered
    // output for the batch formats.
    let process = |chunk: Vec<inputs::PlanInput>| -> Vec<(String, PlanResult)> {
        chunk
            .into_par_iter()
            .map(|input| {
                let result = match input.bytes {
                    Err(e) => PlanResult::Error(e),
                    Ok(bytes) => match rules.check_json(&bytes, &options) {
                        Ok(r) => {
                            let rendered = match format {
                                Format::Ndjson => Some(output::ndjson_report(&input.source, &r)),
                                Format::Csv => Some(output::csv(&input.source, &r)),
                                _ => None,
                            };
                            PlanResult::Report(
                                Box::new(r),
                                want_facts.then(|| cohort::PlanFacts::read(&bytes, as_of)),
                                rendered,
                            )
                        }
                        Err(e) => {
                            let mut m = if e.line > 0 {
                                format!("{}:{}: {}", e.line, e.column, e.message)
                            } else {
                                e.message.clone()
                            };
                            if let Some(h) = &e.help {
                                m.push_str(&format!(" (help: {h})"));
                            }
                            PlanResult::Error(m)
                        }
                    },
                };
                (input.source, result)
            })
            .collect()
    };
    // Writes a chunk's results, in input order.
    let mut emit = |results: Vec<(String, PlanResult)>| {
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
                    let located = if m.starts_with(|c: char| c.is_ascii_digit()) {
                        format!("{source}:{m}")
                    } else {
                        format!("{source}: {m}")
                    };
                    if let Some(bar) = &progress {
                        bar.suspend(|| eprintln!("error: {located}"));
                    } else {
                        eprintln!("error: {located}");
                    }
                    match format {
                        Format::Json => {
                            json_errors.push(serde_json::json!({"source": source, "error": m}))
                        }
                        Format::Ndjson => {
                            let _ = out.write_all(output::ndjson_error(&source, &m).as_bytes());
                        }
                        Format::Csv => {
                            let _ = writeln!(
                                out,
                                "{},,,,,,,,,{},{}",
                                output::csv_field(&source),
                                output::csv_field(&m),
                                output::csv_pack(rules.pack_info())
                            );
                        }
                        _ => {}
                    }
                }
                PlanResult::Report(report, facts, rendered) => {
                    totals.add(&report);
                    if let Some(c) = cohort.as_mut() {
                        c.add(&source, &report, facts.unwrap_or_default());
                    }
                    match format {
                        Format::Human | Format::Plain => {
                            let _ = writeln!(out, "{}", output::human(&source, &report, style));
                        }
                        Format::Json => {
                            if single {
                                let _ = writeln!(out, "{}", report.to_json());
                            } else {
                                json_reports
                                    .push(serde_json::json!({"source": source, "report": report}));
                            }
                        }
                        Format::Ndjson | Format::Csv => {
                            let _ = out.write_all(rendered.unwrap_or_default().as_bytes());
                        }
                    }
                    used.push(report);
                }
            }
        }
        rayon::spawn(move || drop(used));
    };
    // A pipeline: while the pool checks one chunk, this thread writes the
    // results of the one before and reads the one after, so that reading
    // and writing do not leave the cores idle.
    let mut chunk: Vec<inputs::PlanInput> = inputs.by_ref().take(CHUNK).collect();
    let mut pending: Option<Vec<(String, PlanResult)>> = None;
    while !chunk.is_empty() || pending.is_some() {
        let work = std::mem::take(&mut chunk);
        let (done, next) = std::thread::scope(|s| {
            let worker = (!work.is_empty()).then(|| s.spawn(|| process(work)));
            if let Some(previous) = pending.take() {
                emit(previous);
            }
            let next: Vec<inputs::PlanInput> = inputs.by_ref().take(CHUNK).collect();
            let done = worker.map(|w| match w.join() {
                Ok(results) => results,
                Err(panic) => std::panic::resume_unwind(panic),
            });
            (done, next)
        });
        pending = done;
        chunk = next;
    }
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    if format == Format::Json && !single {
        let batch = serde_json::json!({
            "report_version": careprompt::REPORT_VERSION,
            "engine": format!("careprompt {}", careprompt::VERSION),
            "as_of": as_of.to_string(),
            "reports": json_reports,
            "errors": json_errors,
            "summary": totals.json(),
        });
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&batch).unwrap_or_default()
        );
    }
    if matches!(format, Format::Human | Format::Plain) {
        if totals.plans + totals.errors > 1 {
            let _ = write!(out, "{}", totals.render());
        }
    } else if totals.plans + totals.errors > 1 {
        eprint!("{}", totals.render());
    }
    let _ = out.flush();
    if let Some(c) = &cohort {
        if let Err(m) = c.write(reports.html.as_deref(), reports.csv.as_deref()) {
            eprint_error(&m);
            return ERROR;
        }
    }
    if totals.plans + totals.errors == 0 {
        eprint_error("no plans found in the paths given");
        return ERROR;
    }
    if totals.errors > 0 {
        return ERROR;
    }
    match (fail_on, totals.worst) {
        (Some(limit), Some(worst)) if worst <= limit.severity() => FINDINGS,
        _ => OK,
    }
}

fn test(
    paths: &[PathBuf],
    rule_paths: &[PathBuf],
    show_coverage: bool,
    min_coverage: Option<f64>,
    format: Format,
) -> u8 {
    // A local pack is tested with its own tests and the base pack's under it.
    let pack_path = match (rule_paths, paths) {
        ([one], _) | ([], [one]) if pack_cmd::is_pack(one) => Some(one),
        _ => None,
    };
    if let Some(p) = pack_path {
        return test_pack(p, show_coverage, format);
    }
    // Rules: --rules, else the `.cpr` files of directories given, else the built-in pack.
    let mut rule_dirs: Vec<PathBuf> = rule_paths.to_vec();
    if rule_dirs.is_empty() {
        for p in paths {
            if p.is_dir() && !rules::files_under(p, &|n| n.ends_with(".cpr"), true).is_empty() {
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
            files.extend(rules::files_under(p, &|n| n.ends_with(".test.toml"), false));
        } else if p.exists() {
            files.push(p.clone());
        } else {
            eprint_error(&format!("{}: no such test file or directory", p.display()));
            return ERROR;
        }
    }
    if files.is_empty() {
        eprint_error("no `*.test.toml` files found");
        return ERROR;
    }
    let mut texts = Vec::new();
    for f in &files {
        match std::fs::read_to_string(f) {
            Ok(t) => texts.push((f.to_string_lossy().replace('\\', "/"), t)),
            Err(e) => {
                eprint_error(&format!("{}: {}", f.display(), rules::short_io(&e)));
                return ERROR;
            }
        }
    }
    let read = |path: &str| {
        std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read `{path}`: {}", rules::short_io(&e)))
    };
    let run = careprompt::testing::run_tests(&rules, &texts, &read);
    if format == Format::Json {
        emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&run).unwrap_or_default()
        ));
    } else {
        emit(&render_tests(&run, show_coverage));
    }
    if !run.ok() {
        return FINDINGS;
    }
    if let Some(min) = min_coverage {
        if run.coverage.rule_percent + 1e-9 < min {
            eprintln!(
                "error: {:.1}% of rules are exercised by tests; --min-coverage asks for {min}%",
                run.coverage.rule_percent
            );
            return FINDINGS;
        }
    }
    OK
}

fn test_pack(path: &std::path::Path, show_coverage: bool, format: Format) -> u8 {
    let pack = match read_pack(path, &careprompt::PackOptions::default()) {
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
        emit(&pack_cmd::render_tests(&run));
    }
    if run.ok() {
        OK
    } else {
        FINDINGS
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

fn lint(paths: &[PathBuf], format: Format) -> u8 {
    let rules = match load_rules(paths, &[]) {
        Ok(r) => r,
        Err(code) => return code,
    };
    // Tests next to the rules count towards "has a test".
    let mut tested = std::collections::BTreeSet::new();
    for p in paths {
        let dir = if p.is_dir() {
            p.clone()
        } else {
            p.parent().map(PathBuf::from).unwrap_or_default()
        };
        for f in rules::files_under(&dir, &|n| n.ends_with(".test.toml"), false) {
            if let Ok(t) = std::fs::read_to_string(&f) {
                for id in careprompt::lint::expected_rule_ids(&t) {
                    tested.insert(id);
                }
            }
        }
    }
    // A pack built on the built-in pack is tested by the built-in tests too.
    if paths.is_empty() || matches!(paths, [one] if pack_cmd::is_pack(one)) {
        for (name, text) in careprompt::builtin_tests() {
            if name.ends_with(".test.toml") {
                tested.extend(careprompt::lint::expected_rule_ids(text));
            }
        }
    }
    let warnings = careprompt::lint::lint(&rules, Some(&tested));
    if format == Format::Json {
        emit(&format!(
            "{}\n",
            serde_json::json!({ "diagnostics": warnings })
        ));
    } else {
        for w in &warnings {
            print_diagnostic(w);
        }
        emit(&format!(
            "{} rule(s) checked, {} warning(s)\n",
            rules.rules().len(),
            warnings.len()
        ));
    }
    OK
}

fn fmt(paths: &[PathBuf], check: bool, write: bool) -> u8 {
    let files = match rules::rule_files(paths) {
        Ok(f) => f,
        Err(m) => {
            eprint_error(&m);
            return ERROR;
        }
    };
    let mut unformatted = 0;
    let mut failed = false;
    for f in files {
        let name = f.to_string_lossy().to_string();
        let text = match std::fs::read_to_string(&f) {
            Ok(t) => t,
            Err(e) => {
                eprint_error(&format!("{name}: {}", rules::short_io(&e)));
                failed = true;
                continue;
            }
        };
        match careprompt::format_source(&name, &text) {
            Err(e) => {
                eprint!("{e}");
                failed = true;
            }
            Ok(formatted) => {
                if check {
                    if formatted != text {
                        unformatted += 1;
                        emit(&output::diff(&name, &text, &formatted));
                    }
                } else if write {
                    if formatted != text {
                        if let Err(e) = std::fs::write(&f, formatted) {
                            eprint_error(&format!("{name}: {}", rules::short_io(&e)));
                            failed = true;
                        } else {
                            eprintln!("formatted {name}");
                        }
                    }
                } else {
                    emit(&formatted);
                }
            }
        }
    }
    if failed {
        return ERROR;
    }
    if unformatted > 0 {
        eprintln!("{unformatted} file(s) are not in canonical form; run `careprompt fmt --write`");
        return FINDINGS;
    }
    OK
}

fn explain(
    rule: &str,
    rule_paths: &[PathBuf],
    as_of: Option<&str>,
    format: Format,
    plan: &str,
) -> u8 {
    let as_of = match as_of_date(as_of) {
        Ok(d) => d,
        Err(m) => {
            eprint_error(&m);
            return ERROR;
        }
    };
    let rules = match load_rules(rule_paths, &[]) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let bytes = if plan == "-" {
        let mut b = Vec::new();
        if let Err(e) = std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut b) {
            eprint_error(&format!("<stdin>: {}", rules::short_io(&e)));
            return ERROR;
        }
        b
    } else {
        match std::fs::read(plan) {
            Ok(b) => b,
            Err(e) => {
                eprint_error(&format!("{plan}: {}", rules::short_io(&e)));
                return ERROR;
            }
        }
    };
    match rules.explain(rule, &bytes, &CheckOptions::new(as_of)) {
        Ok(x) => {
            if format == Format::Json {
                emit(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&x).unwrap_or_default()
                ));
            } else {
                emit(&x.render());
            }
            OK
        }
        Err(careprompt::explain::ExplainError::Plan(e)) => {
            eprint_error(&format!("{plan}:{}:{}: {}", e.line, e.column, e.message));
            ERROR
        }
        Err(e) => {
            eprint_error(&e.to_string());
            ERROR
        }
    }
}
