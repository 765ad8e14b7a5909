//! `careprompt import ssd`: the Standard Safeguarding Dataset, from a
//! directory of CSV extracts or straight from the database through ODBC.

use std::io::IsTerminal as _;
use std::path::PathBuf;

use careprompt::Date;
use careprompt_import::ssd::{self, Options, Progress, Source};
use clap::Args;

/// Arguments of `import ssd`.
#[derive(Args)]
pub struct SsdArgs {
    /// The directory holding the SSD CSV extracts (`ssd_person.csv`, `ssd_cla_episodes.csv`, ...).
    #[arg(
        value_name = "DIR",
        required_unless_present = "odbc",
        conflicts_with = "odbc"
    )]
    dir: Option<PathBuf>,
    /// Read the tables from a database through ODBC: a connection string, or `env:VAR` to take it from the environment variable VAR (keeps the password off the command line).
    #[arg(long, value_name = "CONNECTION")]
    odbc: Option<String>,
    /// The database schema holding the `ssd_*` tables (with --odbc).
    #[arg(long, value_name = "NAME", default_value = "ssd_development")]
    schema: String,
    /// Where to write the plans: a directory (one `<child>.json` each), or a file ending in .ndjson.
    #[arg(long, value_name = "OUT")]
    out: PathBuf,
    /// The date the plans describe (YYYY-MM-DD); rows dated after it are not carried.
    #[arg(long = "as-of", value_name = "DATE")]
    as_of: String,
    /// Write into a non-empty OUT directory, or replace an existing .ndjson file.
    #[arg(long)]
    force: bool,
}

fn connect(connection: &str, schema: &str) -> Result<Box<dyn Source>, String> {
    let connection = match connection.strip_prefix("env:") {
        Some(var) => std::env::var(var).map_err(|_| {
            format!("--odbc `env:{var}`: the environment variable `{var}` is not set")
        })?,
        None => connection.to_string(),
    };
    #[cfg(feature = "odbc")]
    {
        ssd::odbc_source::OdbcSource::connect(&connection, schema)
            .map(|s| Box::new(s) as Box<dyn Source>)
            .map_err(|e| e.to_string())
    }
    #[cfg(not(feature = "odbc"))]
    {
        let _ = (connection, schema);
        Err("--odbc: this careprompt was built without ODBC support (rebuild with `cargo build -p careprompt-cli --features odbc`; see docs/ssd.md)".into())
    }
}

/// Runs `careprompt import ssd`; returns the exit code.
pub fn run(a: SsdArgs) -> u8 {
    let as_of = match Date::parse(&a.as_of) {
        Ok(d) => d,
        Err(e) => {
            crate::eprintln_quiet!("error: --as-of `{}`: {e}", a.as_of);
            return 2;
        }
    };
    let mut source: Box<dyn Source> = match (&a.dir, &a.odbc) {
        (_, Some(c)) => match connect(c, &a.schema) {
            Ok(s) => s,
            Err(m) => {
                crate::eprintln_quiet!("error: {m}");
                return 2;
            }
        },
        (Some(dir), None) => match ssd::CsvDir::new(dir) {
            Ok(s) => Box::new(s),
            Err(e) => {
                crate::eprintln_quiet!("error: {e}");
                return 2;
            }
        },
        (None, None) => {
            crate::eprintln_quiet!(
                "error: give the directory of SSD CSV extracts, or --odbc CONNECTION"
            );
            return 2;
        }
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar
    });
    let mut on_progress = |p: &Progress| {
        if let Some(bar) = &bar {
            if p.table.is_empty() {
                bar.set_message(format!("{} of {} plans written", p.plans, p.children));
            } else {
                bar.set_message(format!("{}: {} rows read", p.table, p.rows));
            }
            bar.tick();
        }
    };
    let result = ssd::import(
        source.as_mut(),
        &Options::new(as_of),
        &a.out,
        a.force,
        &mut on_progress,
    );
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    match result {
        Ok(log) => {
            crate::console::emit(&log.render_summary(10));
            crate::console::emit(&format!(
                "\nwrote {} plan(s) to {}; import log: {}\n",
                log.plans,
                a.out.display(),
                careprompt_import::log_path(&a.out)
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            ));
            0
        }
        Err(e) => {
            crate::eprintln_quiet!("error: {e}");
            2
        }
    }
}
