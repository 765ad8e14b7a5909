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


def test_ssd_plans_match_the_cli(cli: Path, tmp_path: Path) -> None:
    ssd = FIXTURES / "ssd" / "systemc"
    out = tmp_path / "py.ndjson"
    log = careprompt.import_ssd(ssd, out, as_of="2026-03-31")
    assert isinstance(log, dict) and log["tables"]
    cli_out = tmp_path / "cli.ndjson"
    done = run_cli(cli, "import", "ssd", str(ssd), "--as-of", "2026-03-31", "--out", str(cli_out))
    assert done.returncode == 0, done.stderr.decode()
    assert out.read_bytes() == cli_out.read_bytes()
    # The plans carry the permanence plan where a care plan is in force.
    plans = [json.loads(line) for line in out.read_text().splitlines()]
    assert any("permanence_plan" in p.get("statutory", {}).get("care_plan", {}) for p in plans)
    # The output is not replaced without force, and stays as it was.
    before = out.read_bytes()
    with pytest.raises(careprompt.ImporterError, match="already exists"):
        careprompt.import_ssd(ssd, out, as_of="2026-03-31")
    assert out.read_bytes() == before
    careprompt.import_ssd(ssd, out, as_of="2026-03-31", force=True)
    with pytest.raises(careprompt.ImporterError, match="not a directory"):
        careprompt.import_ssd(tmp_path / "nowhere", tmp_path / "x.ndjson", as_of="2026-03-31")
