"""A local pack bundle loads the same way in Python as in the CLI: the same
bytes of report, and a tampered bundle is refused with its location."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import careprompt
from conftest import AS_OF, REPO, example_plans, run_cli

LOCAL_PACK = REPO / "rules" / "examples" / "fictional-borough-local-pack"


@pytest.fixture(scope="module")
def bundle(cli: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "fictional-borough.bundle.json"
    done = run_cli(cli, "pack", "--bundle", str(out), str(LOCAL_PACK))
    assert done.returncode == 0, done.stderr.decode()
    return out


def test_a_bundle_gives_the_clis_report_byte_for_byte(cli: Path, bundle: Path) -> None:
    rules = careprompt.RuleSet.from_bundle(bundle.read_text(encoding="utf-8"), name=str(bundle))
    for path in example_plans():
        out = run_cli(cli, "check", "--rules", str(bundle), "--as-of", AS_OF, "--format", "json", str(path))
        assert out.returncode in (0, 1), out.stderr.decode()
        ours = rules.check(path.read_bytes(), AS_OF).to_json() + "\n"
        assert ours.encode() == out.stdout, path.name


def test_the_bundles_report_names_the_pack(bundle: Path) -> None:
    rules = careprompt.RuleSet.from_bundle(bundle.read_text(encoding="utf-8"))
    report = json.loads(rules.check(example_plans()[0].read_bytes(), AS_OF).to_json())
    pack = report["pack"]
    assert pack["name"] == json.loads(bundle.read_text(encoding="utf-8"))["name"]
    assert pack["hash"].startswith("sha256:")
    assert [d["rule"] for d in pack["disabled"]], "the example pack disables a rule"
    assert all(o["rule"] not in [d["rule"] for d in pack["disabled"]] for o in report["outcomes"])


def test_a_tampered_bundle_is_refused(bundle: Path) -> None:
    data = json.loads(bundle.read_text(encoding="utf-8"))
    name = sorted(data["files"])[0]
    data["files"][name] += "\n// changed\n"
    with pytest.raises(careprompt.CompileError) as e:
        careprompt.RuleSet.from_bundle(json.dumps(data, indent=2), name="tampered.json")
    problem = e.value.problems[0]
    assert problem.file == "tampered.json"
    assert problem.line >= 1


@pytest.mark.parametrize("threads", [2, 3])
def test_check_many_with_a_bundle_gives_checks_reports(bundle: Path, threads: int) -> None:
    # Each worker checks with its own copy of the bundle's rules.
    rules = careprompt.RuleSet.from_bundle(bundle.read_text(encoding="utf-8"), name=str(bundle))
    plans = [p.read_bytes() for p in example_plans()] * 7
    got = [r.report.to_json() for r in rules.check_many(plans, AS_OF, threads=threads, chunk_size=8) if r.report]
    assert got == [rules.check(p, AS_OF).to_json() for p in plans]
