// The careprompt extension: starts `careprompt lsp` (a local executable,
// over stdio) for rules files and rule test files. Everything the editor
// shows comes from that server; nothing here reads plans or makes network
// requests.

import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

/** The server command: the configured executable, run as `careprompt lsp`. */
export function serverOptions(path: string): ServerOptions {
  const run = { command: path, args: ["lsp"], transport: TransportKind.stdio };
  return { run, debug: run };
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const path = vscode.workspace
    .getConfiguration("careprompt")
    .get<string>("server.path", "careprompt");
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "careprompt" },
      { scheme: "file", language: "careprompt-test" },
      { scheme: "untitled", language: "careprompt" },
    ],
  };
  client = new LanguageClient("careprompt", "careprompt rules", serverOptions(path), clientOptions);
  const output = vscode.window.createOutputChannel("careprompt rule tests");
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand("careprompt.runTestsHere", async () => {
      const doc = vscode.window.activeTextEditor?.document;
      if (!doc || !client) {
        return;
      }
      const answer: any = await client.sendRequest("workspace/executeCommand", {
        command: "careprompt.runTests",
        arguments: [doc.uri.toString()],
      });
      output.clear();
      if (answer?.error) {
        output.appendLine(answer.error);
      } else if (answer?.run) {
        output.appendLine(`${answer.run.passed} passed, ${answer.run.failed} failed`);
        for (const f of answer.failures ?? []) {
          output.appendLine(`${f.location.file}:${f.location.range.start.line + 1}: ${f.name}: ${f.message}`);
        }
        for (const rule of answer.rules ?? []) {
          const gaps = rule.uncovered_conditions.length;
          const state = rule.exercised ? (gaps ? `${gaps} conditions not covered` : "covered") : "no test";
          output.appendLine(`${rule.id}: ${state}`);
        }
      }
      output.show(true);
    }),
  );
  await client.start();
}

export async function deactivate(): Promise<void> {
  if (client) {
    await client.stop();
    client = undefined;
  }
}
