//! `careprompt-ssdgen`: write a synthetic SSD.
//!
//! ```text
//! careprompt-ssdgen --out DIR [--sql FILE] [--schema NAME] [--children N]
//!     [--years Y] [--seed S] [--as-of YYYY-MM-DD] [--system systemc|mosaic|eclipse]
//!     [--inject-errors]
//! ```

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use careprompt::Date;
use careprompt_ssdgen::{generate, Config, System};

fn usage() -> ExitCode {
    eprintln!("usage: careprompt-ssdgen --out DIR [--sql FILE] [--schema NAME] [--children N] [--years Y] [--seed S] [--as-of YYYY-MM-DD] [--system systemc|mosaic|eclipse] [--inject-errors]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut out: Option<PathBuf> = None;
    let mut sql: Option<PathBuf> = None;
    let mut schema = "ssd_development".to_string();
    let mut config = Config {
        children: 1000,
        years: 6,
        seed: 1,
        as_of: Date::from_ymd(2026, 3, 31).unwrap_or(Date::from_days(0)),
        system: System::SystemC,
        inject_errors: false,
    };
    while let Some(a) = args.next() {
        let mut value = |name: &str| {
            let v = args.next();
            if v.is_none() {
                eprintln!("error: {name} needs a value");
            }
            v
        };
        match a.as_str() {
            "--out" => out = value("--out").map(PathBuf::from),
            "--sql" => sql = value("--sql").map(PathBuf::from),
            "--schema" => match value("--schema") {
                Some(s) if s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => schema = s,
                _ => return usage(),
            },
            "--children" => match value("--children").and_then(|v| v.parse().ok()) {
                Some(n) => config.children = n,
                None => return usage(),
            },
            "--years" => match value("--years").and_then(|v| v.parse().ok()) {
                Some(n) => config.years = n,
                None => return usage(),
            },
            "--seed" => match value("--seed").and_then(|v| v.parse().ok()) {
                Some(n) => config.seed = n,
                None => return usage(),
            },
            "--as-of" => match value("--as-of").and_then(|v| Date::parse(&v).ok()) {
                Some(d) => config.as_of = d,
                None => return usage(),
            },
            "--system" => match value("--system").and_then(|v| System::from_name(&v)) {
                Some(s) => config.system = s,
                None => return usage(),
            },
            "--inject-errors" => config.inject_errors = true,
            _ => return usage(),
        }
    }
    let Some(out) = out else {
        return usage();
    };
    match generate(&config, &out, sql.as_deref().map(|p| (p, schema.as_str()))) {
        Ok(counts) => {
            for (t, n) in counts {
                println!("{t}: {n} rows");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
