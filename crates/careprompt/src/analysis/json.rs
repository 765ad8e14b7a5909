//! The analysis as JSON in and JSON out, for bindings (WebAssembly) that
//! pass text rather than Rust values: one request object naming its
//! method, one answer object.
//!
//! A request is `{"method": "...", "params": {...}}`; the answer is
//! `{"result": ...}` or `{"error": "..."}`. The methods and their
//! parameters mirror [`Workspace`]'s: `set_file` (`file`, `text`),
//! `remove_file` (`file`), `diagnostics`, `symbols` and `format` (`file`),
//! `completion`, `hover` and `definition` (an [`At`]), `references` (an
//! [`At`] and `include_declaration`), `code_actions` (`file`, `range`),
//! `run_tests` (no parameters), `text` (`file`: the text of a file held or
//! of a base pack's read-only file, or null) and `base_files` (no
//! parameters: the names of a local pack's base pack files). Field names
//! are as the answer types serialise them.

use serde::Deserialize;
use serde_json::{json, Value};

use super::{At, Range, Workspace};

#[derive(Deserialize)]
struct Request {
    method: String,
    #[serde(default)]
    params: Value,
}

#[derive(Deserialize)]
struct FileText {
    file: String,
    text: String,
}

#[derive(Deserialize)]
struct File {
    file: String,
}

#[derive(Deserialize)]
struct References {
    #[serde(flatten)]
    at: At,
    #[serde(default)]
    include_declaration: bool,
}

#[derive(Deserialize)]
struct FileRange {
    file: String,
    range: Range,
}

fn params<T: serde::de::DeserializeOwned>(v: Value, method: &str) -> Result<T, String> {
    serde_json::from_value(v).map_err(|e| format!("invalid parameters for `{method}`: {e}"))
}

fn result(v: impl serde::Serialize) -> Result<Value, String> {
    serde_json::to_value(v).map_err(|e| e.to_string())
}

/// Answers one request given as JSON text.
pub fn handle(ws: &mut Workspace, request: &str) -> String {
    let answer = serde_json::from_str::<Request>(request)
        .map_err(|e| format!("the request is not a JSON object with a `method`: {e}"))
        .and_then(|r| dispatch(ws, &r.method, r.params));
    match answer {
        Ok(v) => json!({ "result": v }).to_string(),
        Err(e) => json!({ "error": e }).to_string(),
    }
}

fn dispatch(ws: &mut Workspace, method: &str, p: Value) -> Result<Value, String> {
    match method {
        "set_file" => {
            let p: FileText = params(p, method)?;
            ws.set_file(&p.file, &p.text);
            Ok(Value::Null)
        }
        "remove_file" => {
            let p: File = params(p, method)?;
            ws.remove_file(&p.file);
            Ok(Value::Null)
        }
        "diagnostics" => result(ws.diagnostics(&params::<File>(p, method)?.file)),
        "symbols" => result(ws.symbols(&params::<File>(p, method)?.file)),
        "format" => result(ws.format(&params::<File>(p, method)?.file)),
        "completion" => result(ws.completion(&params(p, method)?)),
        "hover" => result(ws.hover(&params(p, method)?)),
        "definition" => result(ws.definition(&params(p, method)?)),
        "references" => {
            let p: References = params(p, method)?;
            result(ws.references(&p.at, p.include_declaration))
        }
        "code_actions" => {
            let p: FileRange = params(p, method)?;
            result(ws.code_actions(&p.file, p.range))
        }
        "run_tests" => result(ws.run_tests()),
        "text" => result(ws.text(&params::<File>(p, method)?.file)),
        "base_files" => result(ws.base_file_names()),
        other => Err(format!("there is no method `{other}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_answers_are_json() {
        let mut ws = Workspace::new();
        let ok = handle(
            &mut ws,
            r#"{"method": "set_file", "params": {"file": "a.cpr", "text": "const a = 1\nconst b =\n"}}"#,
        );
        assert_eq!(ok, r#"{"result":null}"#);
        let d: Value = serde_json::from_str(&handle(
            &mut ws,
            r#"{"method": "diagnostics", "params": {"file": "a.cpr"}}"#,
        ))
        .unwrap();
        assert_eq!(d["result"][0]["diagnostic"]["code"], "syntax");
        assert_eq!(d["result"][0]["range"]["start"]["line"], 1);
        let h: Value = serde_json::from_str(&handle(
            &mut ws,
            r#"{"method": "hover", "params": {"file": "a.cpr", "position": {"line": 0, "character": 6}}}"#,
        ))
        .unwrap();
        assert!(h["result"]["markdown"]
            .as_str()
            .unwrap()
            .contains("const a = 1"));
        let e: Value = serde_json::from_str(&handle(&mut ws, r#"{"method": "nope"}"#)).unwrap();
        assert_eq!(e["error"], "there is no method `nope`");
        let e: Value = serde_json::from_str(&handle(&mut ws, "not json")).unwrap();
        assert!(e["error"]
            .as_str()
            .unwrap()
            .starts_with("the request is not"));
        let e: Value = serde_json::from_str(&handle(
            &mut ws,
            r#"{"method": "hover", "params": {"file": "a.cpr"}}"#,
        ))
        .unwrap();
        assert!(e["error"]
            .as_str()
            .unwrap()
            .starts_with("invalid parameters for `hover`"));
    }
}
