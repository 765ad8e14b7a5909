// Compiled with `tsc --strict --noEmit` by scripts/test.sh: the package's
// types must accept ordinary use and narrow results on `ok`.
import {
  init, version, builtin, compile, compileBuiltin, formatRules, builtinSources, builtinTests,
  casePlanSchema, casePlanSchemaText, isReady,
  type Report, type Diagnostic, type PlanError, type Outcome, type Rules, type Source, type BatchEntry, type TestRun,
} from '@careprompt/careprompt';

await init();
await init(new Uint8Array([0, 97, 115, 109]));
const ready: boolean = isReady();
const v: string = version();

const rules: Rules = builtin();
const plan = '{"plan_id": "P", "child": {"looked_after": true}}';

const fromText = rules.check(plan, { asOf: '2026-11-26' });
const fromBytes = rules.check(new TextEncoder().encode(plan), '2026-11-26');
const fromObject = rules.check({ plan_id: 'P', child: { looked_after: true } }, { asOf: '2026-11-26' });
for (const result of [fromText, fromBytes, fromObject]) {
  if (result.ok) {
    const report: Report = result.report;
    const kinds: ('fires' | 'clear' | 'unknown')[] = result.outcomes;
    void kinds;
    const fired: Outcome[] = report.outcomes.filter((o) => o.outcome === 'fires');
    const themes: string[] = fired.map((o) => o.theme);
    const steps: string[] = fired.flatMap((o) => o.next_steps ?? []);
    const missing: string[] = report.outcomes.flatMap((o) => o.missing ?? []);
    const text: string = result.json;
    void [themes, steps, missing, text, report.summary.fires + report.summary.clear + report.summary.unknown];
  } else {
    const error: PlanError = result.error;
    const where: string = `${error.line}:${error.column} ${error.kind} ${error.message} ${error.help ?? ''}`;
    void where;
  }
}

const batch = rules.checkMany('[]', { asOf: '2026-11-26', format: 'array' });
if (batch.ok) {
  const entries: BatchEntry[] = batch.results;
  for (const e of entries) {
    const n: number = e.ok ? e.report.summary.fires : e.error.line;
    void n;
  }
}
rules.checkMany([plan, { plan_id: 'Q' }], '2026-11-26');

const compiled = compile([{ name: 'a.cpr', text: 'rule X {}' }]);
if (compiled.ok) {
  const mine: Rules = compiled.rules;
  mine.free();
} else {
  const diags: Diagnostic[] = compiled.diagnostics;
  const first = diags[0];
  if (first) {
    const at: string = `${first.file}:${first.line}:${first.column}-${first.end_line}:${first.end_column}`;
    const help: string | undefined = first.help;
    void [at, help, first.severity === 'error'];
  }
}
compile('rule X {}');
compile({ name: 'one.cpr', text: '' });
void compileBuiltin().ok;

const formatted = formatRules('rule X {}', 'x.cpr');
const out: string = formatted.ok ? formatted.text : formatted.diagnostics.map((d) => d.message).join('\n');

const sources: Source[] = builtinSources();
const { tests, fixtures } = builtinTests();
const run = rules.runTests(tests, fixtures);
if (run.report) {
  const t: TestRun = run.report;
  void [t.passed, t.failed, t.coverage.rule_percent, t.files[0]?.cases[0]?.failures?.[0]?.expected];
}
const schema: Record<string, unknown> = casePlanSchema();
const schemaText: string = casePlanSchemaText();
void [ready, v, out, sources, schema, schemaText];
rules.free();

// Misuse the types must reject.
// @ts-expect-error the evaluation date is required
rules.check(plan);
// @ts-expect-error options need asOf
rules.check(plan, {});
// @ts-expect-error a report is only there when ok is true
void fromText.report;
// @ts-expect-error compile needs sources
compile();
