"""The importers: the same plans as `careprompt import`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import careprompt
from conftest import REPO, run_cli

FIXTURES = REPO / "tests" / "fixtures"


def test_ssda903_plans_match_the_cli(cli: Path, tmp_path: Path) -> None:
    imported = careprompt.import_ssda903(FIXTURES / "ssda903", as_of="2018-03-31")
    assert len(imported) > 0 and imported.children == sorted(imported.plans)
    out = tmp_path / "plans.ndjson"
    done = run_cli(cli, "import", "ssda903", str(FIXTURES / "ssda903"), "--as-of", "2018-03-31", "--out", str(out))
    assert done.returncode == 0, done.stderr.decode()
    cli_plans = {p["child"]["id"]: p for p in map(json.loads, out.read_text().splitlines()) if p}
    assert imported.plans == cli_plans
    log = imported.log
    assert isinstance(log, dict) and log
    rules = careprompt.RuleSet.builtin()
    by_bytes = {c: rules.check(b, "2018-03-31").to_json() for c, b in imported.plans_json()}
    assert by_bytes == {c: rules.check(p, "2018-03-31").to_json() for c, p in imported.plans.items()}


def test_cin_alone_and_merged(cli: Path, tmp_path: Path) -> None:
    census = FIXTURES / "cin" / "CIN_Census_2024.xml"
    alone = careprompt.import_cin(census)
    assert len(alone) > 0
    base = careprompt.import_ssda903(FIXTURES / "ssda903", as_of="2018-03-31")
    merged = careprompt.import_cin(census, merge_into=base)
    out = tmp_path / "merged.ndjson"
    done = run_cli(cli, "import", "cin", str(census), "--ssda903", str(FIXTURES / "ssda903"), "--as-of", "2018-03-31", "--out", str(out))
    assert done.returncode == 0, done.stderr.decode()
    cli_plans = {p["child"]["id"]: p for p in map(json.loads, out.read_text().splitlines()) if p}
    assert merged.plans == cli_plans


def test_import_errors(tmp_path: Path) -> None:
    with pytest.raises(careprompt.ImporterError, match="header"):
        careprompt.import_ssda903(tmp_path)
    with pytest.raises(careprompt.ImporterError):
        careprompt.import_cin(tmp_path / "missing.xml")
