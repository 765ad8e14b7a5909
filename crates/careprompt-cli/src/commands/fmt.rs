//! `careprompt fmt`: print, check or rewrite rules files in canonical form.

use std::path::PathBuf;

use crate::console::{emit, eprint_error};
use crate::exit::Exit;
use crate::{output, rules};

pub fn run(paths: &[PathBuf], check: bool, write: bool) -> Exit {
    let files = match rules::rule_files(paths) {
        Ok(f) => f,
        Err(m) => {
            eprint_error(&m);
            return Exit::Error;
        }
    };
    let mut unformatted = 0;
    let mut failed = false;
    for f in files {
        let name = f.to_string_lossy().to_string();
        let text = match rules::read_text_limited(&f, careprompt::MAX_RULES_BYTES) {
            Ok(t) => t,
            Err(e) => {
                eprint_error(&format!("{name}: {e}"));
                failed = true;
                continue;
            }
        };
        match careprompt::format_source(&name, &text) {
            Err(e) => {
                crate::eprint_quiet!("{}", crate::console::escaped(&e.to_string()));
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
                        if let Err(e) = rules::write_atomic(&f, &formatted) {
                            eprint_error(&format!(
                                "{name}: could not write the formatted file: {}; the file is unchanged\n  = help: free space on the disk (or make the folder writable) and run `careprompt fmt --write` again",
                                rules::short_io(&e)
                            ));
                            failed = true;
                        } else {
                            crate::eprintln_quiet!("formatted {name}");
                        }
                    }
                } else {
                    emit(&formatted);
                }
            }
        }
    }
    if failed {
        return Exit::Error;
    }
    if unformatted > 0 {
        crate::eprintln_quiet!(
            "{unformatted} file(s) are not in canonical form; run `careprompt fmt --write`"
        );
        return Exit::Findings;
    }
    Exit::Ok
}
