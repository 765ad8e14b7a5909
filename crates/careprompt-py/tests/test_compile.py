"""RuleSet.compile: paths, sources, constants, and CompileError."""

from __future__ import annotations

from pathlib import Path

import pytest

import careprompt
from conftest import AS_OF, pack_dir

RULE = """
rule LOCAL-01 {
  title "Child is looked after"
  theme "local"
  kind practice
  severity info
  learning "local test" section "1"
  when child.looked_after = true
  prompt "The child is looked after."
  next "Check the plan."
}
"""


def test_compile_from_sources_dict() -> None:
    rules = careprompt.RuleSet.compile({"local.cpr": RULE})
    assert rules.rule_ids == ["LOCAL-01"]
    report = rules.check(b'{"child": {"looked_after": true}}', AS_OF)
    assert report.outcomes[0].outcome == "fires"
    assert rules.check(b'{"child": {"looked_after": false}}', AS_OF).outcomes[0].outcome == "clear"
    assert rules.check(b'{"child": {}}', AS_OF).outcomes[0].outcome == "unknown"


def test_compile_from_a_file_a_list_and_a_directory(tmp_path: Path) -> None:
    f = tmp_path / "local.cpr"
    f.write_text(RULE, encoding="utf-8")
    assert careprompt.RuleSet.compile(f).rule_ids == ["LOCAL-01"]
    assert careprompt.RuleSet.compile(str(f)).rule_ids == ["LOCAL-01"]
    assert careprompt.RuleSet.compile([f]).rule_ids == ["LOCAL-01"]
    assert careprompt.RuleSet.compile(tmp_path).rule_ids == ["LOCAL-01"]
    pack = careprompt.RuleSet.compile(pack_dir())
    assert len(pack) == len(careprompt.RuleSet.builtin())


def test_compile_error_lists_every_problem_with_position_and_help() -> None:
    bad = RULE.replace("child.looked_after", "child.looked_afterr").replace("LOCAL-01", "LOCAL-02")
    broken = "rule X {\n  title \"x\"\n"
    with pytest.raises(careprompt.CompileError) as err:
        careprompt.RuleSet.compile({"a.cpr": bad, "b.cpr": broken})
    problems = err.value.problems
    assert len(problems) >= 1
    files = {p.file for p in problems}
    assert files <= {"a.cpr", "b.cpr"}
    for p in problems:
        assert p.line >= 1 and p.column >= 1
        assert p.message and p.severity in ("error", "warning")
        assert f"{p.file}:{p.line}:{p.column}" in str(p)
    with pytest.raises(careprompt.CompileError) as unknown:
        careprompt.RuleSet.compile({"a.cpr": bad})
    (p,) = [p for p in unknown.value.problems if p.severity == "error"]
    assert p.file == "a.cpr" and p.line == 8
    assert p.help is not None and "looked_after" in p.help
    assert isinstance(unknown.value, ValueError)


def test_constants_override_the_packs_figures() -> None:
    consts = (pack_dir() / "constants.cpr").read_text(encoding="utf-8")
    assert "const sdq_concern_threshold = 17" in consts
    plan = {"health": {"sdq_scores": [{"total": 12, "date": "2026-10-01"}], "camhs": {"involved": False}}}
    default = careprompt.RuleSet.compile(pack_dir())
    low = careprompt.RuleSet.compile(pack_dir(), constants={"sdq_concern_threshold": 10})
    by_text = careprompt.RuleSet.compile(pack_dir(), constants={"sdq_concern_threshold": "10"})
    assert default.check(plan, AS_OF).outcome("CMH-MED-04").outcome == "clear"  # type: ignore[union-attr]
    assert low.check(plan, AS_OF).outcome("CMH-MED-04").outcome == "fires"  # type: ignore[union-attr]
    assert by_text.check(plan, AS_OF).to_json() == low.check(plan, AS_OF).to_json()
    with pytest.raises(careprompt.CompileError):
        careprompt.RuleSet.compile(pack_dir(), constants={"no_such_constant": 1})


def test_a_missing_path_is_an_os_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="no such rules file"):
        careprompt.RuleSet.compile(tmp_path / "nope.cpr")
    with pytest.raises(OSError, match="no `.cpr` rules files"):
        careprompt.RuleSet.compile(tmp_path)


def test_bad_rules_argument_types() -> None:
    with pytest.raises(TypeError):
        careprompt.RuleSet.compile(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="constant"):
        careprompt.RuleSet.compile({"local.cpr": RULE}, constants={"x": object()})  # type: ignore[dict-item]
