"""RuleSet.check: plans as bytes, str and dicts; reports and outcomes."""

from __future__ import annotations

import datetime
import json

import pytest

import careprompt
from conftest import AS_OF, REPO, example_plans

EX01 = REPO / "examples" / "plans" / "ex-01-out-of-area-residential-adhd-medication.json"
EX07 = REPO / "examples" / "plans" / "ex-07-sparse-data.json"


@pytest.fixture(scope="module")
def rules() -> careprompt.RuleSet:
    return careprompt.RuleSet.builtin()


def test_builtin_pack_has_its_rules(rules: careprompt.RuleSet) -> None:
    assert len(rules) == len(rules.rule_ids) > 0
    assert all(i.startswith("CMH-") for i in rules.rule_ids)


def test_bytes_str_and_dict_give_the_same_report(rules: careprompt.RuleSet) -> None:
    for path in example_plans():
        data = path.read_bytes()
        from_bytes = rules.check(data, AS_OF).to_json()
        assert rules.check(data.decode(), AS_OF).to_json() == from_bytes
        assert rules.check(json.loads(data), AS_OF).to_json() == from_bytes
        assert rules.check(bytearray(data), AS_OF).to_json() == from_bytes


def test_as_of_is_a_date_or_text_and_is_used(rules: careprompt.RuleSet) -> None:
    data = EX01.read_bytes()
    a = rules.check(data, datetime.date(2026, 11, 26))
    b = rules.check(data, "2026-11-26")
    assert a.to_json() == b.to_json()
    assert a.as_of == "2026-11-26"
    assert rules.check(data, "2030-01-01").as_of == "2030-01-01"
    with pytest.raises(ValueError, match="as_of"):
        rules.check(data, "26/11/2026")
    with pytest.raises(TypeError, match="as_of"):
        rules.check(data, 20261126)


def test_outcomes_carry_rule_outcome_evidence_and_missing(rules: careprompt.RuleSet) -> None:
    report = rules.check(EX01.read_bytes(), AS_OF)
    as_dict = report.to_dict()
    assert [o.rule for o in report.outcomes] == [o["rule"] for o in as_dict["outcomes"]]
    for o, d in zip(report.outcomes, as_dict["outcomes"]):
        assert o.outcome == d["outcome"]
        assert [list(e) for e in o.evidence] == [[e["path"], e["value"]] for e in d.get("evidence", [])]
        assert o.missing == d.get("missing", [])
    fired = report.fired()
    assert fired and all(o.outcome == "fires" for o in fired)
    assert all(o.prompt for o in fired)
    assert report.summary["fires"] == len(fired)
    assert report.plan_id == "EX-01"
    first = report.outcomes[0]
    assert report.outcome(first.rule) is not None
    assert report.outcome("NO-SUCH-RULE") is None


def test_a_sparse_plan_gives_unknown_with_missing_paths(rules: careprompt.RuleSet) -> None:
    report = rules.check(EX07.read_bytes(), AS_OF)
    unknown = [o for o in report.outcomes if o.outcome == "unknown"]
    assert unknown, "ex-07 lacks data: some rules must be undecided"
    assert all(o.missing for o in unknown)
    assert report.summary["unknown"] == len(unknown)


def test_dates_in_dicts_are_written_as_iso_dates(rules: careprompt.RuleSet) -> None:
    plan = json.loads(EX01.read_bytes())
    with_dates = json.loads(EX01.read_bytes())
    with_dates["child"]["date_of_birth"] = datetime.date.fromisoformat(plan["child"]["date_of_birth"])
    assert rules.check(with_dates, AS_OF).to_json() == rules.check(plan, AS_OF).to_json()


def test_a_bad_plan_raises_plan_error_with_position_and_no_values(rules: careprompt.RuleSet) -> None:
    with pytest.raises(careprompt.PlanError) as err:
        rules.check(b'{"plan_id": "SECRET-NAME", "child": {"looked_after": "yes-secret"}}', AS_OF)
    e = err.value
    assert e.kind == "schema"
    assert e.line == 1 and e.column > 1
    assert "secret" not in str(e).lower() and "secret" not in e.message.lower()
    with pytest.raises(careprompt.PlanError) as syntax:
        rules.check(b'{"child": ', AS_OF)
    assert syntax.value.kind == "syntax"
    assert (syntax.value.line, syntax.value.column) == (1, 10)
    assert isinstance(syntax.value, ValueError)


def test_a_dict_value_json_cannot_hold_is_a_plan_error_naming_the_path(rules: careprompt.RuleSet) -> None:
    plan = json.loads(EX01.read_bytes())
    plan["child"]["id"] = {"a", "b"}
    with pytest.raises(careprompt.PlanError, match=r"child\.id.*set"):
        rules.check(plan, AS_OF)


def test_other_plan_types_are_a_type_error(rules: careprompt.RuleSet) -> None:
    with pytest.raises(TypeError, match="plan"):
        rules.check(42, AS_OF)  # type: ignore[arg-type]


def test_records_one_per_outcome(rules: careprompt.RuleSet) -> None:
    report = rules.check(EX01.read_bytes(), AS_OF)
    records = report.to_records()
    assert len(records) == len(report.outcomes)
    assert all(tuple(r) == careprompt.RECORD_FIELDS for r in records)
    assert [r["outcome"] for r in records] == [o.outcome for o in report.outcomes]
    assert all(r["plan_id"] == "EX-01" and r["error"] is None for r in records)


def test_to_pandas(rules: careprompt.RuleSet) -> None:
    pandas = pytest.importorskip("pandas")
    report = rules.check(EX01.read_bytes(), AS_OF)
    frame = report.to_pandas()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == list(careprompt.RECORD_FIELDS)
    assert (frame["outcome"] == "fires").sum() == report.summary["fires"]


def test_engine_version_and_schema() -> None:
    assert careprompt.engine_version() == careprompt.__version__
    assert json.loads(careprompt.case_plan_schema())["type"] == "object"
