//! The careprompt language server: the Language Server Protocol over
//! stdio, answered by the library's analysis layer
//! ([`careprompt::analysis`]).
//!
//! Files are grouped into packs, one per directory of `.cpr` files: a rules
//! file belongs to the pack of its directory, a rule test file to the pack
//! above its `tests` directory. When a file of a pack is first opened the
//! server reads the pack from disk (its `.cpr` files, the `.test.toml`
//! files and JSON plans under `tests/`, and any file they import), then
//! keeps the editor's text of every open file. Nothing is written, and
//! nothing but those files is read; there are no network calls.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod convert;
mod packs;

use std::str::FromStr;

use careprompt::analysis::{At, Position, Range};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types as lsp;
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use serde_json::Value;

pub use packs::{pack_of, Packs};

/// Why the server stopped other than by the client's `shutdown` and `exit`.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The client broke the protocol (or went away during initialisation).
    #[error("language server protocol error: {0}")]
    Protocol(#[from] lsp_server::ProtocolError),
    /// The connection to the client closed.
    #[error("the connection to the editor closed")]
    Disconnected,
    /// Standard input or output failed.
    #[error("reading or writing the editor's messages failed: {0}")]
    Io(#[from] std::io::Error),
    /// A message could not be written as JSON.
    #[error("a message could not be written as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// The command that runs the rule tests of the pack of a file (argument:
/// the file's URI); it answers with the tests' results and coverage per
/// rule as JSON.
pub const RUN_TESTS_COMMAND: &str = "careprompt.runTests";

/// What the server can do, for the `initialize` answer.
pub fn capabilities() -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Kind(
            lsp::TextDocumentSyncKind::FULL,
        )),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec![".".into(), "\"".into(), "[".into()]),
            ..lsp::CompletionOptions::default()
        }),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                ..lsp::CodeActionOptions::default()
            },
        )),
        execute_command_provider: Some(lsp::ExecuteCommandOptions {
            commands: vec![RUN_TESTS_COMMAND.into()],
            ..lsp::ExecuteCommandOptions::default()
        }),
        ..lsp::ServerCapabilities::default()
    }
}

/// Runs the server on standard input and output until the client says
/// `exit`.
pub fn run_stdio() -> Result<(), ServerError> {
    let (connection, io) = Connection::stdio();
    run(&connection, Packs::from_disk())?;
    drop(connection);
    io.join()?;
    Ok(())
}

/// Runs the server on a connection (stdio, or in-memory channels in
/// tests) with the given packs until the client says `exit`.
pub fn run(connection: &Connection, mut packs: Packs) -> Result<(), ServerError> {
    connection.initialize(serde_json::to_value(capabilities())?)?;
    for msg in &connection.receiver {
        match msg {
            Message::Request(req) => {
                if connection.handle_shutdown(&req)? {
                    return Ok(());
                }
                let resp = request(&packs, req);
                send(connection, resp.into())?;
            }
            Message::Notification(n) => {
                for out in notification(&mut packs, n) {
                    send(connection, out.into())?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

fn send(connection: &Connection, msg: Message) -> Result<(), ServerError> {
    connection
        .sender
        .send(msg)
        .map_err(|_| ServerError::Disconnected)
}

/// The answer to one request.
pub fn request(packs: &Packs, req: Request) -> Response {
    let id = req.id.clone();
    match answer(packs, &req.method, req.params) {
        Ok(value) => Response::new_ok(id, value),
        Err((code, message)) => Response::new_err(id, code as i32, message),
    }
}

type Answer = Result<Value, (ErrorCode, String)>;

fn params<P: serde::de::DeserializeOwned>(v: Value) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(v)
        .map_err(|e| (ErrorCode::InvalidParams, format!("invalid parameters: {e}")))
}

fn json(v: impl serde::Serialize) -> Answer {
    serde_json::to_value(v).map_err(|e| (ErrorCode::InternalError, e.to_string()))
}

fn at(doc: &lsp::TextDocumentPositionParams) -> (String, At) {
    let name = convert::uri_to_name(doc.text_document.uri.as_str());
    let at = At {
        file: name.clone(),
        position: Position {
            line: doc.position.line,
            character: doc.position.character,
        },
    };
    (name, at)
}

fn answer(packs: &Packs, method: &str, p: Value) -> Answer {
    match method {
        lsp::request::Completion::METHOD => {
            let p: lsp::CompletionParams = params(p)?;
            let (name, at) = at(&p.text_document_position);
            let items = packs
                .get(&name)
                .map(|ws| ws.completion(&at))
                .unwrap_or_default();
            json(lsp::CompletionResponse::Array(
                items.into_iter().map(convert::completion).collect(),
            ))
        }
        lsp::request::HoverRequest::METHOD => {
            let p: lsp::HoverParams = params(p)?;
            let (name, at) = at(&p.text_document_position_params);
            json(
                packs
                    .get(&name)
                    .and_then(|ws| ws.hover(&at))
                    .map(convert::hover),
            )
        }
        lsp::request::GotoDefinition::METHOD => {
            let p: lsp::GotoDefinitionParams = params(p)?;
            let (name, at) = at(&p.text_document_position_params);
            let locs = packs
                .get(&name)
                .map(|ws| ws.definition(&at))
                .unwrap_or_default();
            json(lsp::GotoDefinitionResponse::Array(
                locs.iter().filter_map(convert::location).collect(),
            ))
        }
        lsp::request::References::METHOD => {
            let p: lsp::ReferenceParams = params(p)?;
            let (name, at) = at(&p.text_document_position);
            let locs = packs
                .get(&name)
                .map(|ws| ws.references(&at, p.context.include_declaration))
                .unwrap_or_default();
            json(
                locs.iter()
                    .filter_map(convert::location)
                    .collect::<Vec<_>>(),
            )
        }
        lsp::request::DocumentSymbolRequest::METHOD => {
            let p: lsp::DocumentSymbolParams = params(p)?;
            let name = convert::uri_to_name(p.text_document.uri.as_str());
            let syms = packs
                .get(&name)
                .map(|ws| ws.symbols(&name))
                .unwrap_or_default();
            json(lsp::DocumentSymbolResponse::Nested(
                syms.into_iter().map(convert::symbol).collect(),
            ))
        }
        lsp::request::Formatting::METHOD => {
            let p: lsp::DocumentFormattingParams = params(p)?;
            let name = convert::uri_to_name(p.text_document.uri.as_str());
            let edit = packs.get(&name).and_then(|ws| ws.format(&name));
            json(
                edit.map(|e| vec![convert::text_edit(&e)])
                    .unwrap_or_default(),
            )
        }
        lsp::request::CodeActionRequest::METHOD => {
            let p: lsp::CodeActionParams = params(p)?;
            let name = convert::uri_to_name(p.text_document.uri.as_str());
            let range = Range {
                start: Position {
                    line: p.range.start.line,
                    character: p.range.start.character,
                },
                end: Position {
                    line: p.range.end.line,
                    character: p.range.end.character,
                },
            };
            let actions = packs
                .get(&name)
                .map(|ws| ws.code_actions(&name, range))
                .unwrap_or_default();
            json(
                actions
                    .iter()
                    .filter_map(convert::code_action)
                    .collect::<Vec<_>>(),
            )
        }
        lsp::request::ExecuteCommand::METHOD => {
            let p: lsp::ExecuteCommandParams = params(p)?;
            if p.command != RUN_TESTS_COMMAND {
                return Err((
                    ErrorCode::InvalidParams,
                    format!("unknown command `{}`", p.command),
                ));
            }
            let Some(uri) = p.arguments.first().and_then(Value::as_str) else {
                return Err((
                    ErrorCode::InvalidParams,
                    format!("`{RUN_TESTS_COMMAND}` takes the URI of a file of the pack"),
                ));
            };
            let name = convert::uri_to_name(uri);
            match packs.get(&name) {
                Some(ws) => json(ws.run_tests()),
                None => Err((
                    ErrorCode::InvalidParams,
                    "open a file of the pack first".to_string(),
                )),
            }
        }
        other => Err((
            ErrorCode::MethodNotFound,
            format!("`{other}` is not supported"),
        )),
    }
}

/// Applies a notification; answers with the diagnostics to publish.
pub fn notification(packs: &mut Packs, n: Notification) -> Vec<Notification> {
    let changed = match n.method.as_str() {
        lsp::notification::DidOpenTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lsp::DidOpenTextDocumentParams>(n.params) else {
                return Vec::new();
            };
            let name = convert::uri_to_name(p.text_document.uri.as_str());
            packs.open(&name, &p.text_document.text);
            name
        }
        lsp::notification::DidChangeTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lsp::DidChangeTextDocumentParams>(n.params) else {
                return Vec::new();
            };
            let name = convert::uri_to_name(p.text_document.uri.as_str());
            // Full sync: the last change holds the whole text.
            let Some(change) = p.content_changes.into_iter().next_back() else {
                return Vec::new();
            };
            packs.change(&name, &change.text);
            name
        }
        lsp::notification::DidCloseTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lsp::DidCloseTextDocumentParams>(n.params) else {
                return Vec::new();
            };
            let name = convert::uri_to_name(p.text_document.uri.as_str());
            packs.close(&name);
            // Its problems are no longer shown.
            return publish(&name, Vec::new()).into_iter().collect();
        }
        _ => return Vec::new(),
    };
    // Every open file of the pack: a change in one file can fix or break
    // another (a definition renamed).
    packs
        .open_in_pack_of(&changed)
        .into_iter()
        .filter_map(|name| {
            let diags = packs
                .get(&name)
                .map(|ws| ws.diagnostics(&name))
                .unwrap_or_default();
            publish(&name, diags.iter().map(convert::diagnostic).collect())
        })
        .collect()
}

fn publish(name: &str, diagnostics: Vec<lsp::Diagnostic>) -> Option<Notification> {
    let uri = lsp::Uri::from_str(&convert::name_to_uri(name)).ok()?;
    Some(Notification::new(
        lsp::notification::PublishDiagnostics::METHOD.to_string(),
        lsp::PublishDiagnosticsParams {
            uri,
            diagnostics,
            version: None,
        },
    ))
}
