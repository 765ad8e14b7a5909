//! Every analysis request on the built-in pack, as the language server and
//! the browser workbench make them. Target: each under 10 ms.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use careprompt::analysis::{At, Position, Range, Workspace};
use criterion::{criterion_group, criterion_main, Criterion};

fn at(ws: &Workspace, file: &str, needle: &str, delta: usize) -> At {
    let text = ws.text(file).expect("the file is in the pack");
    let offset = text.find(needle).expect("the text is in the file") + delta;
    let before = &text[..offset];
    At {
        file: file.to_string(),
        position: Position {
            line: before.matches('\n').count() as u32,
            character: before
                .rsplit('\n')
                .next()
                .map(|l| l.encode_utf16().count())
                .unwrap_or(0) as u32,
        },
    }
}

fn find(ws: &Workspace, suffix: &str) -> String {
    ws.file_names()
        .into_iter()
        .find(|n| n.ends_with(suffix))
        .expect("the built-in pack has the file")
        .to_string()
}

fn bench(c: &mut Criterion) {
    let mut ws = Workspace::builtin();
    let edu = find(&ws, "education.cpr");
    let defs = find(&ws, "definitions.cpr");
    let tests = find(&ws, "tests/education.test.toml");
    let text = ws.text(&edu).expect("present").to_string();
    // Three syntax errors (titles without their opening quote) and a
    // misspelt field.
    let broken = text.replacen("title \"", "title ", 3).replacen(
        "virtual_school.involved",
        "virtual_shool.involved",
        1,
    );
    let mut g = c.benchmark_group("analysis");
    g.bench_function("reference: RuleSet::compile of the pack alone", |b| {
        b.iter(careprompt::RuleSet::builtin)
    });
    g.bench_function("open: the whole pack (parse, compile, lint)", |b| {
        b.iter(Workspace::builtin)
    });
    g.bench_function("change: one file edited (re-analyse the pack)", |b| {
        b.iter(|| ws.set_file(&edu, &text))
    });
    g.bench_function("change: one file with three syntax errors", |b| {
        b.iter(|| {
            ws.set_file(&edu, &broken);
        })
    });
    g.bench_function(
        "diagnostics: three syntax errors and a misspelt field",
        |b| b.iter(|| ws.diagnostics(&edu)),
    );
    let whole = Range {
        start: Position::default(),
        end: Position {
            line: 10_000,
            character: 0,
        },
    };
    g.bench_function("code actions: whole file with a misspelt field", |b| {
        b.iter(|| ws.code_actions(&edu, whole))
    });
    ws.set_file(&edu, &text);
    g.bench_function("diagnostics: rules file without problems", |b| {
        b.iter(|| ws.diagnostics(&edu))
    });
    g.bench_function("diagnostics: test file (checked, not run)", |b| {
        b.iter(|| ws.diagnostics(&tests))
    });
    let hover_const = at(&ws, &edu, "education_plan_change_window", 3);
    g.bench_function("hover: constant", |b| b.iter(|| ws.hover(&hover_const)));
    let hover_field = at(&ws, &edu, "virtual_school.involved", 16);
    g.bench_function("hover: field", |b| b.iter(|| ws.hover(&hover_field)));
    let def = at(&ws, &edu, "looked_after_with_mental_health_needs", 3);
    g.bench_function("definition: definition", |b| b.iter(|| ws.definition(&def)));
    g.bench_function("references: definition", |b| {
        b.iter(|| ws.references(&def, true))
    });
    let rule = at(&ws, &edu, "CMH-EDU-01", 3);
    g.bench_function("references: rule id (rules and tests)", |b| {
        b.iter(|| ws.references(&rule, true))
    });
    g.bench_function("symbols", |b| b.iter(|| ws.symbols(&edu)));
    g.bench_function("format", |b| b.iter(|| ws.format(&defs)));
    g.bench_function("code actions: whole file", |b| {
        b.iter(|| ws.code_actions(&edu, whole))
    });
    let typing = text.replacen(
        "and education.virtual_school.involved = false",
        "and education.",
        1,
    );
    ws.set_file(&edu, &typing);
    let dot = at(&ws, &edu, "and education.", 14);
    g.bench_function("completion: after `education.`", |b| {
        b.iter(|| ws.completion(&dot))
    });
    let when = at(&ws, &edu, "and education.", 4);
    g.bench_function(
        "completion: in a condition (fields, names, keywords)",
        |b| b.iter(|| ws.completion(&when)),
    );
    ws.set_file(&edu, &text);
    g.bench_function("rule tests: the whole pack with coverage", |b| {
        b.iter(|| ws.run_tests())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
