//! The formatter keeps meaning and is idempotent: for any text that parses,
//! formatting it gives text that parses to the same syntax tree, and
//! formatting that again changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(first) = careprompt::parse_source("fuzz.cpr", text) else {
        return;
    };
    let formatted = match careprompt::format_source("fuzz.cpr", text) {
        Ok(f) => f,
        Err(e) => panic!("parsed but did not format: {e}"),
    };
    let second = match careprompt::parse_source("formatted.cpr", &formatted) {
        Ok(f) => f,
        Err(e) => panic!("formatted text does not parse: {e}\n--- formatted ---\n{formatted}"),
    };
    assert_eq!(
        first, second,
        "formatting changed the meaning\n--- formatted ---\n{formatted}"
    );
    let again = match careprompt::format_source("formatted.cpr", &formatted) {
        Ok(f) => f,
        Err(e) => panic!("formatted text does not format: {e}"),
    };
    assert_eq!(formatted, again, "formatting is not idempotent");
});
