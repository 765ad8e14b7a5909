//! `careprompt import`: SSDA903 and CIN census returns into case plans.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use careprompt::Date;
use careprompt_import::{cin, ssda903, write_plans, Import, ImportError};
use clap::{Args, Subcommand};

/// The kinds of return that can be imported.
#[derive(Subcommand)]
pub enum ImportKind {
    /// Import an SSDA903 return (the DfE's CSV tables in one directory): one plan per child.
    #[command(
        after_help = "Example:\n  careprompt import ssda903 returns/2024-25/ --out plans/ --la-code E09000001\n\nDIR holds header.csv, episodes.csv, reviews.csv, oc2.csv, missing.csv and, when present, uasc.csv, oc3.csv, ad1.csv, placed_for_adoption.csv, previous_permanence.csv and sw_episodes.csv. Rows that cannot be used are listed with file, line and reason; the import log (JSON) is written beside OUT."
    )]
    Ssda903(Ssda903Args),
    /// Import a CIN census XML file, merged with an SSDA903 return by child id when --ssda903 is given.
    #[command(
        after_help = "Example:\n  careprompt import cin census.xml --ssda903 returns/2024-25/ --out plans/"
    )]
    Cin(CinArgs),
    /// Import the Standard Safeguarding Dataset (CSV extracts in DIR, or --odbc CONNECTION): one plan per child. See docs/ssd.md.
    Ssd(crate::import_ssd::SsdArgs),
}

/// Arguments of `import ssda903`.
#[derive(Args)]
pub struct Ssda903Args {
    /// The directory holding the SSDA903 CSV tables.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    #[command(flatten)]
    common: Common,
}

/// Arguments of `import cin`.
#[derive(Args)]
pub struct CinArgs {
    /// The CIN census XML file.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// An SSDA903 return (directory of CSV tables) to merge with, by child id.
    #[arg(long, value_name = "DIR")]
    ssda903: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
}

/// Options every import takes.
#[derive(Args)]
struct Common {
    /// Where to write the plans: a directory (one `<child>.json` each), or a file ending in .ndjson.
    #[arg(long, value_name = "OUT")]
    out: PathBuf,
    /// The responsible local authority's code, in the form PL_LA uses (sets home_local_authority and out_of_area).
    #[arg(long = "la-code", value_name = "CODE")]
    la_code: Option<String>,
    /// The date the plans describe (YYYY-MM-DD). Default: the end of the SSDA903 collection year.
    #[arg(long = "as-of", value_name = "DATE")]
    as_of: Option<String>,
    /// The end of the SSDA903 collection year (YYYY-MM-DD, a 31 March). Default: worked out from the episodes.
    #[arg(long = "year-end", value_name = "DATE")]
    year_end: Option<String>,
    /// Replace an earlier import: a directory of plans (as a whole, so no stale plan stays), an .ndjson file, and the import log.
    #[arg(long)]
    force: bool,
}

fn ssda_options(common: &Common) -> Result<ssda903::Options, String> {
    let as_of = match &common.as_of {
        None => None,
        Some(s) => Some(Date::parse(s).map_err(|e| format!("--as-of `{s}`: {e}"))?),
    };
    let year_end = match &common.year_end {
        None => None,
        Some(s) => Some(Date::parse(s).map_err(|e| format!("--year-end `{s}`: {e}"))?),
    };
    Ok(ssda903::Options {
        as_of,
        la_code: common.la_code.clone(),
        year_end,
        max_input_bytes: None,
    })
}

/// Writes an error to standard error; a failure to do so is ignored (there
/// is nowhere left to say it), never a panic.
fn say_error(message: &str) {
    let _ = writeln!(std::io::stderr(), "error: {message}");
}

/// Writes the plans first (atomically), then the summary: a closed or full
/// standard output never stops or spoils the import.
fn finish(mut import: Import, out: &Path, force: bool) -> u8 {
    let written = write_plans(&mut import, out, force);
    let mut text = import.log.render_summary(10);
    if let Ok(log) = &written {
        text.push_str(&format!(
            "\nwrote {} plan(s) to {}; import log: {} (it holds personal data: the values of the rows it reports)\n",
            import.plans.len(),
            out.display(),
            log.display()
        ));
    }
    let mut stdout = std::io::stdout().lock();
    let shown = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    let code = match &written {
        Ok(_) => 0,
        Err(e) => {
            say_error(&e.to_string());
            2
        }
    };
    match shown {
        // A closed pipe (`| head -1`): the reader wanted no more.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => code,
        Err(e) => {
            let done = if written.is_ok() {
                "the plans and the import log were written"
            } else {
                "nothing was written"
            };
            say_error(&format!(
                "cannot write the summary to standard output: {e} ({done})"
            ));
            2
        }
        Ok(()) => code,
    }
}

fn fail(e: &ImportError) -> u8 {
    say_error(&e.to_string());
    2
}

/// Runs `careprompt import`; returns the exit code.
pub fn run(kind: ImportKind) -> u8 {
    match kind {
        ImportKind::Ssd(a) => crate::import_ssd::run(a),
        ImportKind::Ssda903(a) => {
            let options = match ssda_options(&a.common) {
                Ok(o) => o,
                Err(m) => {
                    say_error(&m);
                    return 2;
                }
            };
            match ssda903::import_dir(&a.dir, &options) {
                Ok(import) => finish(import, &a.common.out, a.common.force),
                Err(e) => fail(&e),
            }
        }
        ImportKind::Cin(a) => {
            let options = match ssda_options(&a.common) {
                Ok(o) => o,
                Err(m) => {
                    say_error(&m);
                    return 2;
                }
            };
            let cin_options = cin::Options {
                la_code: a.common.la_code.clone(),
                max_input_bytes: None,
                as_of: options.as_of,
            };
            let census = match cin::import_file(&a.file, &cin_options) {
                Ok(i) => i,
                Err(e) => return fail(&e),
            };
            let import = match &a.ssda903 {
                None => census,
                Some(dir) => match ssda903::import_dir(dir, &options) {
                    Ok(base) => cin::merge(base, census),
                    Err(e) => return fail(&e),
                },
            };
            finish(import, &a.common.out, a.common.force)
        }
    }
}
