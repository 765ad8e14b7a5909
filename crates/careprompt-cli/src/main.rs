//! `careprompt`: check case plans against learning-point rules; test, lint
//! and format rules; print the case-plan schema.

#![forbid(unsafe_code)]

/// mimalloc, not the system allocator: checking allocates and frees small
/// pieces all the time, and on two threads the system allocator's locks and
/// frees of another thread's memory cost a third more per plan (see
/// docs/performance.md, "Many plans on two cores").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod args;
mod batch;
mod cohort;
mod commands;
mod console;
mod csv;
mod exit;
mod import_ssd;
mod inputs;
mod output;
mod packs;
mod rules;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use args::{AsOfArgs, Format, FormatArgs, RulesArgs, SeverityArg};
use commands::import;

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

#[derive(Subcommand)]
enum Command {
    /// Check plans against rules (the built-in children's mental health pack by default).
    #[command(
        after_help = "Examples:\n  careprompt check plan.json\n  careprompt check --as-of 2026-11-26 --format json plan.json\n  careprompt check --format csv cohort/ > outcomes.csv\n  cat plans.ndjson | careprompt check --format ndjson -\n\nPLAN is a JSON file, a directory of them, an NDJSON file (.ndjson or .jsonl: one plan a line), or - for standard input."
    )]
    Check {
        #[command(flatten)]
        rules: RulesArgs,
        #[command(flatten)]
        as_of: AsOfArgs,
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
        /// What the plans' source records, for plans without their own `coverage`:
        /// a JSON file `{"source": "...", "records": ["education.pep", ...]}` (docs/absence.md).
        #[arg(long = "source-coverage", value_name = "FILE")]
        source_coverage: Option<PathBuf>,
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
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Compile rules and warn about likely mistakes.
    #[command(after_help = "Example:\n  careprompt lint rules/jtai-childrens-mental-health")]
    Lint {
        /// Rules files or directories (default: the built-in pack).
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        format: FormatArgs,
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
        #[command(flatten)]
        rules: RulesArgs,
        #[command(flatten)]
        as_of: AsOfArgs,
        #[command(flatten)]
        format: FormatArgs,
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
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Run the language server for editors (LSP over standard input and output).
    #[command(
        after_help = "Example (editors start it themselves; see docs/editors.md):\n  careprompt lsp"
    )]
    Lsp,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let exit = match cli.command {
        Command::Check {
            rules,
            as_of,
            format,
            fail_on,
            consts,
            html_report,
            csv_report,
            schema,
            source_coverage,
            plans,
        } => {
            let reports = cohort::Outputs {
                html: html_report,
                csv: csv_report,
            };
            commands::check::run(
                commands::check::RulesChoice {
                    paths: &rules.rules,
                    schema: schema.as_deref(),
                },
                as_of.as_of.as_deref(),
                format,
                fail_on,
                &consts,
                &plans,
                &reports,
                source_coverage.as_deref(),
            )
        }
        Command::Test {
            paths,
            rules,
            coverage,
            min_coverage,
            format,
        } => commands::test::run(&paths, &rules, coverage, min_coverage, format.format),
        Command::Lint { paths, format } => commands::lint::run(&paths, format.format),
        Command::Fmt {
            check,
            write,
            paths,
        } => commands::fmt::run(&paths, check, write),
        Command::Explain {
            rule,
            rules,
            as_of,
            format,
            plan,
        } => commands::explain::run(
            &rule,
            &rules.rules,
            as_of.as_of.as_deref(),
            format.format,
            &plan,
        ),
        Command::Import(kind) => exit::Exit::from_code(import::run(kind)),
        Command::Schema { rules, schema } => {
            commands::schema::run(rules.as_deref(), schema.as_deref())
        }
        Command::Pack {
            pack,
            bundle,
            schema,
            format,
        } => commands::pack::run(&pack, bundle.as_deref(), schema.as_deref(), format.format),
        Command::Lsp => commands::lsp::run(),
    };
    console::finish(exit).into()
}
