//! Drives the language server as an editor does (initialize, didOpen,
//! didChange, completion, hover, definition, references, document symbols,
//! formatting, code actions, shutdown) over in-memory channels, on a small
//! pack written to a temporary directory, and snapshot-tests the answers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::Duration;

use careprompt_lsp::{run, Packs};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{json, Value};

const CONSTANTS: &str = r#"# Figures used by the test pack.

# Reviews are held at least every six months (Care Planning, Placement
# and Case Review (England) Regulations 2010, regulation 33).
const review_interval = 6 months

define looked_after = child.looked_after = true
"#;

/// The rules file as first opened: three syntax errors.
const BROKEN: &str = r#"import "constants.cpr"

define broken_one = child.looked_after and

rule T-01 {
  title "Missing its closing quote
  theme "T"
}

rule T-02 {
  title "Virtual School involvement"
  theme "Education"
  kind practice
  severity high
  when looked_after and education.virtual_shool.involved = false
  prompt "Consider involving the Virtual School."
}

const broken_three =
"#;

/// The same file after the editor fixed the syntax errors (one misspelt
/// field remains, for the code action).
const FIXED: &str = r#"import "constants.cpr"

rule T-01 {
  title "Review overdue"
  theme "Reviews"
  kind practice
  severity medium
  when looked_after and child.date_of_birth more than review_interval ago
  prompt "Consider whether a review is due."
}

rule T-02 {
  title "Virtual School involvement"
  theme "Education"
  kind practice
  severity high
  when looked_after and education.virtual_shool.involved = false
  prompt "Consider involving the Virtual School."
}
"#;

const TESTS: &str = r#"as_of = 2026-11-26

[[case]]
name = "not looked after"
plan_json = '{"child": {"looked_after": false}}'
[case.expect]
"T-01" = "clear"
"#;

struct Client {
    conn: Connection,
    next: i32,
    root: String,
    pending: Vec<Notification>,
    server: Option<std::thread::JoinHandle<Result<(), careprompt_lsp::ServerError>>>,
    _dir: tempfile::TempDir,
}

impl Client {
    fn start() -> Client {
        Client::start_with(&[
            ("constants.cpr", CONSTANTS),
            ("rules.cpr", BROKEN),
            ("tests/rules.test.toml", TESTS),
        ])
    }

    /// A server on a pack directory holding `files` (paths inside it).
    fn start_with(files: &[(&str, &str)]) -> Client {
        let dir = tempfile::tempdir().unwrap();
        let pack = dir.path().join("pack");
        for (name, text) in files {
            let path = pack.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let root = format!("file://{}", dir.path().display());
        let (server, conn) = Connection::memory();
        let handle = std::thread::spawn(move || run(&server, Packs::from_disk()));
        let mut c = Client {
            conn,
            next: 0,
            root,
            pending: Vec::new(),
            server: Some(handle),
            _dir: dir,
        };
        let init = c.request(
            "initialize",
            json!({"processId": null, "rootUri": c.root.clone(), "capabilities": {}}),
        );
        assert_eq!(init["capabilities"]["textDocumentSync"], 1, "{init}");
        c.notify("initialized", json!({}));
        c
    }

    fn uri(&self, file: &str) -> String {
        format!("{}/pack/{file}", self.root)
    }

    fn send(&self, msg: Message) {
        self.conn.sender.send(msg).unwrap();
    }

    fn recv(&mut self) -> Message {
        self.conn
            .receiver
            .recv_timeout(Duration::from_secs(20))
            .expect("the server answers")
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = RequestId::from(self.next);
        self.send(Message::Request(Request::new(
            id.clone(),
            method.into(),
            params,
        )));
        loop {
            match self.recv() {
                Message::Response(r) if r.id == id => {
                    return r
                        .response_result
                        .unwrap_or_else(|e| panic!("{method} failed: {e:?}"))
                }
                Message::Notification(n) => self.pending.push(n),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    fn notify(&self, method: &str, params: Value) {
        self.send(Message::Notification(Notification::new(
            method.into(),
            params,
        )));
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Value {
        loop {
            let n = match self
                .pending
                .iter()
                .position(|n| n.method == "textDocument/publishDiagnostics")
            {
                Some(i) => self.pending.remove(i),
                None => match self.recv() {
                    Message::Notification(n) => n,
                    other => panic!("unexpected {other:?}"),
                },
            };
            if n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri {
                return n.params["diagnostics"].clone();
            }
        }
    }

    /// A position in `text` at `needle`, moved on by `delta` characters.
    fn at(&self, file: &str, text: &str, needle: &str, delta: usize) -> Value {
        let offset = text.find(needle).unwrap() + delta;
        let before = &text[..offset];
        let line = before.matches('\n').count();
        let character = before.rsplit('\n').next().unwrap().encode_utf16().count();
        json!({"textDocument": {"uri": self.uri(file)}, "position": {"line": line, "character": character}})
    }

    /// An answer with the temporary directory's URI replaced, for snapshots.
    fn redact(&self, v: &Value) -> Value {
        let path = self.root.trim_start_matches("file://");
        let text = v
            .to_string()
            .replace(&self.root, "file:///tmp")
            .replace(path, "/tmp");
        serde_json::from_str(&text).unwrap()
    }

    fn stop(mut self) {
        let result = self.request("shutdown", Value::Null);
        assert_eq!(result, Value::Null);
        self.notify("exit", Value::Null);
        let ended = self.server.take().unwrap().join().unwrap();
        assert!(ended.is_ok(), "{ended:?}");
    }
}

#[test]
fn an_editor_session() {
    let mut c = Client::start();
    let rules = c.uri("rules.cpr");

    // Opening a file with three syntax errors shows all three at once,
    // and the item that parsed is still checked.
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": rules, "languageId": "careprompt", "version": 1, "text": BROKEN}}),
    );
    let diags = c.diagnostics(&rules);
    let syntax: Vec<&Value> = diags
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "syntax")
        .collect();
    assert_eq!(syntax.len(), 3, "{diags:#}");
    assert!(diags
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["code"] == "unknown-field"));
    insta::assert_json_snapshot!("diagnostics_three_syntax_errors", c.redact(&diags));

    // The editor fixes them.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": rules, "version": 2}, "contentChanges": [{"text": FIXED}]}),
    );
    let diags = c.diagnostics(&rules);
    assert!(diags
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["code"] != "syntax"));
    insta::assert_json_snapshot!("diagnostics_after_change", c.redact(&diags));

    // Completion after `education.`.
    let typing = FIXED.replace("education.virtual_shool.involved = false", "education.");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": rules, "version": 3}, "contentChanges": [{"text": typing}]}),
    );
    let _ = c.diagnostics(&rules);
    let items = c.request(
        "textDocument/completion",
        c.at("rules.cpr", &typing, "education.", 10),
    );
    let schema = careprompt::Schema::builtin().unwrap();
    let Some(careprompt::schema::Field {
        ty: careprompt::schema::FieldType::Object(edu),
        ..
    }) = schema.root.fields.get("education")
    else {
        panic!("the schema has an education group")
    };
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        edu.fields.keys().map(String::as_str).collect::<Vec<_>>()
    );
    for item in items.as_array().unwrap() {
        let f = &edu.fields[item["label"].as_str().unwrap()];
        let doc = item["documentation"]["value"].as_str().unwrap();
        assert!(doc.starts_with(f.description.as_deref().unwrap()), "{doc}");
    }
    insta::assert_json_snapshot!("completion_education", items);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": rules, "version": 4}, "contentChanges": [{"text": FIXED}]}),
    );
    let _ = c.diagnostics(&rules);

    // Hover on a constant: its value and the comment that gives its source.
    let hover = c.request(
        "textDocument/hover",
        c.at("rules.cpr", FIXED, "review_interval ago", 3),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("const review_interval = 6 months"), "{text}");
    assert!(text.contains("regulation 33"), "{text}");
    insta::assert_json_snapshot!("hover_constant", c.redact(&hover));
    let hover = c.request(
        "textDocument/hover",
        c.at("rules.cpr", FIXED, "date_of_birth", 2),
    );
    insta::assert_json_snapshot!("hover_field", hover);

    // Go to definition and find references.
    let def = c.request(
        "textDocument/definition",
        c.at("rules.cpr", FIXED, "looked_after and child", 2),
    );
    insta::assert_json_snapshot!("definition_of_definition", c.redact(&def));
    let mut refs_params = c.at("rules.cpr", FIXED, "rule T-01", 6);
    refs_params["context"] = json!({"includeDeclaration": true});
    let refs = c.request("textDocument/references", refs_params);
    assert_eq!(
        refs.as_array().unwrap().len(),
        2,
        "the rule and its test: {refs:#}"
    );
    insta::assert_json_snapshot!("references_of_rule", c.redact(&refs));

    // The outline.
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": rules}}),
    );
    insta::assert_json_snapshot!("document_symbols", symbols);

    // The "did you mean" fix.
    let line = FIXED
        .lines()
        .position(|l| l.contains("virtual_shool"))
        .unwrap();
    let actions = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": rules},
            "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 80}},
            "context": {"diagnostics": []}
        }),
    );
    assert_eq!(actions.as_array().unwrap().len(), 1, "{actions:#}");
    insta::assert_json_snapshot!("code_action_did_you_mean", c.redact(&actions));

    // Formatting an untidy file.
    let untidy = FIXED.replace("  severity medium\n", "    severity    medium\n");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": rules, "version": 5}, "contentChanges": [{"text": untidy}]}),
    );
    let _ = c.diagnostics(&rules);
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": rules}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(
        edits[0]["newText"],
        careprompt::format_source("rules.cpr", FIXED).unwrap()
    );
    insta::assert_json_snapshot!("formatting", edits);

    c.stop();
}

#[test]
fn rule_tests_run_from_the_editor_with_coverage_per_rule() {
    let mut c = Client::start();
    let rules = c.uri("rules.cpr");
    let fixed = FIXED.replace("virtual_shool", "virtual_school");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": rules, "languageId": "careprompt", "version": 1, "text": fixed}}),
    );
    let diags = c.diagnostics(&rules);
    assert!(
        diags.as_array().unwrap().iter().all(|d| d["severity"] != 1),
        "{diags:#}"
    );
    let answer = c.request(
        "workspace/executeCommand",
        json!({"command": "careprompt.runTests", "arguments": [rules]}),
    );
    assert_eq!(answer["run"]["passed"], 1, "{answer:#}");
    assert_eq!(answer["run"]["failed"], 0);
    let per_rule: Vec<(&str, bool)> = answer["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r["exercised"].as_bool().unwrap()))
        .collect();
    assert_eq!(per_rule, [("T-01", true), ("T-02", false)]);

    // A misspelt rule id shows in the test file as it is typed, with its fix.
    let tests = c.uri("tests/rules.test.toml");
    let misspelt = TESTS.replace("\"T-01\" = \"clear\"", "\"T-0l\" = \"clear\"");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": tests, "languageId": "careprompt-test", "version": 1, "text": misspelt}}),
    );
    let diags = c.diagnostics(&tests);
    assert_eq!(diags.as_array().unwrap().len(), 1, "{diags:#}");
    assert_eq!(diags[0]["code"], "unknown-rule");
    insta::assert_json_snapshot!("test_file_unknown_rule", diags);

    // A failing case: the run names it, at its name in the test file.
    let failing = TESTS.replace("\"T-01\" = \"clear\"", "\"T-01\" = \"fires\"");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": tests, "version": 2}, "contentChanges": [{"text": failing}]}),
    );
    let diags = c.diagnostics(&tests);
    assert_eq!(diags, json!([]));
    let answer = c.request(
        "workspace/executeCommand",
        json!({"command": "careprompt.runTests", "arguments": [rules]}),
    );
    assert_eq!(answer["run"]["failed"], 1, "{answer:#}");
    insta::assert_json_snapshot!("run_tests_failure", c.redact(&answer["failures"]));
    c.stop();
}

/// The repository's example local pack (rules/examples), as on disk.
const EXAMPLE_PACK: [(&str, &str); 4] = [
    (
        "pack.toml",
        include_str!("../../../rules/examples/fictional-borough-local-pack/pack.toml"),
    ),
    (
        "local.cpr",
        include_str!("../../../rules/examples/fictional-borough-local-pack/local.cpr"),
    ),
    (
        "tests/local.test.toml",
        include_str!("../../../rules/examples/fictional-borough-local-pack/tests/local.test.toml"),
    ),
    (
        "tests/fixtures/young-carer-base.json",
        include_str!(
            "../../../rules/examples/fictional-borough-local-pack/tests/fixtures/young-carer-base.json"
        ),
    ),
];

#[test]
fn a_local_pack_opens_without_errors_and_its_tests_pass() {
    let mut c = Client::start_with(&EXAMPLE_PACK);
    // Only the rules file is opened: the server reads `pack.toml` from
    // disk, so the base pack's definitions and the pack's field are known.
    let local = c.uri("local.cpr");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": local, "languageId": "careprompt", "version": 1, "text": EXAMPLE_PACK[1].1}}),
    );
    let diags = c.diagnostics(&local);
    assert_eq!(diags, json!([]), "{diags:#}");
    let answer = c.request(
        "workspace/executeCommand",
        json!({"command": "careprompt.runTests", "arguments": [local]}),
    );
    assert_eq!(answer["run"]["passed"], 5, "{answer:#}");
    assert_eq!(answer["run"]["failed"], 0);

    // Opening the manifest shows its one note (the disabled rule, a
    // warning); a misspelt `extends` is an error at its line.
    let manifest = c.uri("pack.toml");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": manifest, "languageId": "toml", "version": 1, "text": EXAMPLE_PACK[0].1}}),
    );
    let diags = c.diagnostics(&manifest);
    let codes: Vec<(&str, i64)> = diags
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["severity"].as_i64().unwrap()))
        .collect();
    assert_eq!(codes, [("disabled-rule", 2)], "{diags:#}");
    let broken = EXAMPLE_PACK[0].1.replace(
        "extends = \"jtai-childrens-mental-health\"",
        "extends = \"jtai-childrens-mental-healt\"",
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": manifest, "version": 2}, "contentChanges": [{"text": broken}]}),
    );
    let diags = c.diagnostics(&manifest);
    assert_eq!(diags[0]["code"], "unknown-pack", "{diags:#}");
    assert_eq!(diags[0]["severity"], 1);
    assert_eq!(diags[0]["range"]["start"]["line"], 7);
    c.stop();
}
