"""Byte-for-byte parity with the CLI's `--format json` on every example
plan and every plan the rule pack's tests build (at their as-of dates)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Tuple

import pytest

import careprompt
from conftest import AS_OF, example_plans, pack_dir, run_cli


def rule_test_cases() -> List[Tuple[str, str, str]]:
    cases = []
    for f in sorted((pack_dir() / "tests").glob("*.test.toml")):
        for name, as_of, plan in careprompt.rule_test_plans(f):
            cases.append((f"{f.name}: {name}", as_of, plan))
    return cases


@pytest.fixture(scope="module")
def rules() -> careprompt.RuleSet:
    return careprompt.RuleSet.builtin()


def test_there_are_plans_to_compare() -> None:
    assert len(example_plans()) >= 8
    assert len(rule_test_cases()) >= 40


@pytest.mark.parametrize("path", example_plans(), ids=lambda p: p.name)
def test_example_plan_json_matches_the_cli(rules: careprompt.RuleSet, cli: Path, path: Path) -> None:
    out = run_cli(cli, "check", "--as-of", AS_OF, "--format", "json", str(path))
    assert out.returncode in (0, 1), out.stderr.decode()
    ours = rules.check(path.read_bytes(), AS_OF).to_json() + "\n"
    assert ours.encode() == out.stdout


def test_rule_test_plans_json_match_the_cli(rules: careprompt.RuleSet, cli: Path, tmp_path: Path) -> None:
    cases = rule_test_cases()
    mismatched = []
    for i, (name, as_of, plan) in enumerate(cases):
        f = tmp_path / f"case-{i}.json"
        f.write_text(plan, encoding="utf-8")
        out = run_cli(cli, "check", "--as-of", as_of, "--format", "json", str(f))
        assert out.returncode in (0, 1), f"{name}: {out.stderr.decode()}"
        ours = rules.check(plan.encode(), as_of).to_json() + "\n"
        if ours.encode() != out.stdout:
            mismatched.append(name)
    assert mismatched == []


def test_rules_compiled_from_the_pack_directory_match_the_builtin(rules: careprompt.RuleSet) -> None:
    from_dir = careprompt.RuleSet.compile(pack_dir())
    assert from_dir.rule_ids == rules.rule_ids
    for path in example_plans():
        mine = json.loads(from_dir.check(path.read_bytes(), AS_OF).to_json())
        theirs = json.loads(rules.check(path.read_bytes(), AS_OF).to_json())
        # The same rules give the same outcomes; only the built-in pack names
        # itself (loose rules files have no manifest, so no name or version).
        assert theirs.pop("pack")["name"] == "jtai-childrens-mental-health"
        assert mine.pop("pack")["name"] is None
        assert mine == theirs


def test_ndjson_batch_matches_the_cli_ndjson(rules: careprompt.RuleSet, cli: Path, tmp_path: Path) -> None:
    lines = [json.dumps(json.loads(p.read_bytes())) for p in example_plans()]
    nd = tmp_path / "plans.ndjson"
    nd.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = run_cli(cli, "check", "--as-of", AS_OF, "--format", "ndjson", str(nd))
    assert out.returncode in (0, 1), out.stderr.decode()
    cli_reports = [json.loads(line)["report"] for line in out.stdout.decode().splitlines() if line.strip()]
    ours = [r.report.to_dict() for r in rules.check_many(nd, AS_OF, threads=2) if r.report is not None]
    assert ours == cli_reports
