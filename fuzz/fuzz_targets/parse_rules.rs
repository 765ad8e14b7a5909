//! Parses arbitrary text as a rules file: it must give a syntax tree or a
//! diagnostic, never panic, overflow the stack or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match careprompt::parse_source("fuzz.cpr", text) {
        Ok(file) => drop(file),
        Err(e) => {
            // Rendering the diagnostics must not panic either.
            for d in &e.diagnostics {
                let _ = d.render();
            }
            let _ = e.to_json();
        }
    }
});
