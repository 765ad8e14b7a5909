//! The one CSV writer, for every CSV the command line writes (`check
//! --format csv` and the cohort CSV).
//!
//! A field is quoted when it holds a comma, a quote or a line break, and a
//! field that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is
//! prefixed with `'`, so that a spreadsheet shows it as text and never runs
//! it as a formula (docs/report-format.md).

/// One CSV field, formula-safe and quoted when needed.
pub fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// One CSV row (with its line end) from fields already written by [`field`]
/// or known to need nothing (numbers, fixed words).
pub fn row<S: AsRef<str>>(fields: &[S]) -> String {
    let mut out = String::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(f.as_ref());
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formula_safe() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"x\""), "\"say \"\"x\"\"\"");
        for lead in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(
                field(lead).trim_start_matches('"').starts_with('\''),
                "{lead:?}"
            );
        }
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(row(&["a", "b"]), "a,b\n");
    }
}
