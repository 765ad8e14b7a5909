"""Rules read from disk: the library's one walker and its bounded reads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import careprompt
from test_compile import RULE

RULES_LIMIT = 1024 * 1024  # careprompt::MAX_RULES_BYTES
PLAN_LIMIT = 8 * 1024 * 1024  # careprompt::MAX_PLAN_BYTES


def test_an_import_over_the_limit_is_a_compile_error_naming_file_and_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.cpr"
    with open(big, "wb") as f:
        f.truncate(RULES_LIMIT * 64)  # sparse: 64 MiB on paper, nothing on disk
    main = tmp_path / "main.cpr"
    main.write_text('import "big.cpr"\n' + RULE, encoding="utf-8")
    with pytest.raises(careprompt.CompileError) as err:
        careprompt.RuleSet.compile(main)
    (problem,) = err.value.problems
    assert problem.file == str(main)
    assert problem.line == 1
    assert "cannot import `big.cpr`" in problem.message
    assert f"larger than {RULES_LIMIT} bytes" in problem.message


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_an_import_of_an_endless_file_stops_at_the_limit(tmp_path: Path) -> None:
    # Read whole, /dev/zero would never end.
    (tmp_path / "zero.cpr").symlink_to("/dev/zero")
    main = tmp_path / "main.cpr"
    main.write_text('import "zero.cpr"\n' + RULE, encoding="utf-8")
    with pytest.raises(careprompt.CompileError) as err:
        careprompt.RuleSet.compile(main)
    assert f"larger than {RULES_LIMIT} bytes" in err.value.problems[0].message


def test_a_rules_file_over_the_limit_is_an_os_error(tmp_path: Path) -> None:
    big = tmp_path / "big.cpr"
    with open(big, "wb") as f:
        f.truncate(RULES_LIMIT + 1)
    with pytest.raises(OSError, match=f"big.cpr: the file is larger than {RULES_LIMIT} bytes"):
        careprompt.RuleSet.compile(big)


def test_an_imported_file_that_is_not_rules_is_not_shown(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("name: Jo Bloggs\n", encoding="utf-8")
    main = tmp_path / "main.cpr"
    main.write_text('import "notes.txt"\n' + RULE, encoding="utf-8")
    with pytest.raises(careprompt.CompileError) as err:
        careprompt.RuleSet.compile(main)
    assert "is not a rules file" in str(err.value)
    assert "Bloggs" not in str(err.value)


def test_a_directory_walk_matches_any_case_and_visits_each_file_once(tmp_path: Path) -> None:
    (tmp_path / "C.CPR").write_text(RULE, encoding="utf-8")
    (tmp_path / "self").symlink_to(".")
    (tmp_path / "again.cpr").symlink_to("C.CPR")
    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
    with pytest.warns(UserWarning, match="skipped, a broken or looping symbolic link"):
        rules = careprompt.RuleSet.compile(tmp_path)
    # Read twice, LOCAL-01 would be a duplicate rule and not compile.
    assert rules.rule_ids == ["LOCAL-01"]


def test_a_local_pack_inside_a_directory_is_not_walked_into(tmp_path: Path) -> None:
    (tmp_path / "a.cpr").write_text(RULE, encoding="utf-8")
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "pack.toml").write_text("", encoding="utf-8")
    (inner / "b.cpr").write_text(RULE.replace("LOCAL-01", "LOCAL-02"), encoding="utf-8")
    assert careprompt.RuleSet.compile(tmp_path).rule_ids == ["LOCAL-01"]


def test_a_rule_test_base_over_the_plan_limit_is_refused(tmp_path: Path) -> None:
    base = tmp_path / "base.json"
    with open(base, "wb") as f:
        f.truncate(PLAN_LIMIT + 1)
    t = tmp_path / "x.test.toml"
    t.write_text(
        'as_of = 2026-11-26\nbase = "base.json"\n\n[[case]]\nname = "x"\n[case.expect]\n"CMH-EDU-01" = "clear"\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=f"larger than {PLAN_LIMIT} bytes"):
        careprompt.rule_test_plans(t)
