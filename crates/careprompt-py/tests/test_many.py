"""RuleSet.check_many: order, threads, NDJSON files, bad plans as results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator, List

import pytest

import careprompt
from conftest import AS_OF, example_plans


@pytest.fixture(scope="module")
def rules() -> careprompt.RuleSet:
    return careprompt.RuleSet.builtin()


def plans(n: int) -> List[bytes]:
    base = [json.loads(p.read_bytes()) for p in example_plans()]
    out = []
    for i in range(n):
        plan = dict(base[i % len(base)])
        plan["plan_id"] = f"P-{i:05d}"
        out.append(json.dumps(plan).encode())
    return out


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_results_come_in_input_order_and_equal_check(rules: careprompt.RuleSet, threads: int) -> None:
    items = plans(57)
    results = list(rules.check_many(items, AS_OF, threads=threads, chunk_size=8))
    assert [r.index for r in results] == list(range(57))
    assert all(r.ok and r.error is None and r.line is None for r in results)
    for r, p in zip(results, items):
        assert r.report is not None
        assert r.report.to_json() == rules.check(p, AS_OF).to_json()


def test_it_streams_from_a_generator(rules: careprompt.RuleSet) -> None:
    taken: List[int] = []

    def gen() -> Iterator[bytes]:
        for i, p in enumerate(plans(40)):
            taken.append(i)
            yield p

    it = rules.check_many(gen(), AS_OF, threads=2, chunk_size=10)
    first = next(it)
    assert first.index == 0
    assert len(taken) == 10, "only the first chunk is read before the first result"
    rest = list(it)
    assert len(rest) == 39 and len(taken) == 40


def test_mixed_inputs_and_a_bad_plan_does_not_stop_the_batch(rules: careprompt.RuleSet) -> None:
    good = plans(3)
    items: List[object] = [good[0], b'{"plan_id": "SECRET", "child": ', json.loads(good[1]), good[2].decode(), {"child": {"id": {1, 2}}}]
    results = list(rules.check_many(items, AS_OF, threads=2))  # type: ignore[arg-type]
    assert [r.ok for r in results] == [True, False, True, True, False]
    bad = results[1]
    assert bad.report is None
    err = bad.error
    assert isinstance(err, careprompt.PlanError)
    assert (err.line, err.column) == (1, 31)
    assert "SECRET" not in str(err)
    assert results[4].error is not None and "child.id" in str(results[4].error)
    records = careprompt.to_records(results)
    errors = [r for r in records if r["error"] is not None]
    assert [r["source"] for r in errors] == ["plan 1", "plan 4"]


def test_an_ndjson_path_with_blank_lines_and_a_bad_line(rules: careprompt.RuleSet, tmp_path: Path) -> None:
    good = plans(4)
    nd = tmp_path / "cohort.ndjson"
    nd.write_bytes(good[0] + b"\n\n" + good[1] + b"\n{not json}\n" + good[2] + b"\r\n" + good[3])
    results = list(rules.check_many(nd, AS_OF, threads=2, chunk_size=2))
    assert [r.line for r in results] == [1, 3, 4, 5, 6]
    assert [r.index for r in results] == [0, 1, 2, 3, 4]
    assert [r.ok for r in results] == [True, True, False, True, True]
    assert results[2].error is not None and results[2].error.line == 1
    assert results[2].source == "line 4"
    assert results[4].report is not None
    assert results[4].report.to_json() == rules.check(good[3], AS_OF).to_json()
    assert rules.check_many(str(nd), AS_OF) is not None


def test_to_pandas_over_a_batch(rules: careprompt.RuleSet) -> None:
    pytest.importorskip("pandas")
    frame = careprompt.to_pandas(rules.check_many(plans(5), AS_OF))
    assert len(frame) == 5 * len(rules)
    assert set(frame["source"]) == {f"plan {i}" for i in range(5)}


def test_bad_arguments(rules: careprompt.RuleSet, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="threads"):
        rules.check_many([], AS_OF, threads=0)
    with pytest.raises(OSError):
        rules.check_many(tmp_path / "missing.ndjson", AS_OF)
    with pytest.raises(TypeError):
        list(rules.check_many([1], AS_OF))  # type: ignore[list-item]


@pytest.mark.parametrize("threads", [1, 2])
def test_no_more_than_the_bound_is_read_ahead(rules: careprompt.RuleSet, threads: int) -> None:
    taken: List[int] = []

    def gen() -> Iterator[bytes]:
        for i, p in enumerate(plans(60)):
            taken.append(i)
            yield p

    seen = 0
    for r in rules.check_many(gen(), AS_OF, threads=threads, chunk_size=8):
        assert r.index == seen
        seen += 1
        assert len(taken) - seen <= 8, "more plans in flight than chunk_size"
    assert seen == 60


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_an_iterator_that_fails_raises_after_the_plans_before_it(rules: careprompt.RuleSet, threads: int) -> None:
    def gen() -> Iterator[bytes]:
        yield from plans(5)
        raise KeyError("cursor lost")

    got: List[int] = []
    with pytest.raises(KeyError, match="cursor lost"):
        for r in rules.check_many(gen(), AS_OF, threads=threads, chunk_size=4):
            got.append(r.index)
    assert got == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("threads", [1, 2])
def test_an_ndjson_line_over_the_plan_limit_is_a_result_not_a_read(
    rules: careprompt.RuleSet, tmp_path: Path, threads: int
) -> None:
    good = plans(2)
    nd = tmp_path / "cohort.ndjson"
    with open(nd, "wb") as f:
        f.write(good[0] + b"\n")
        f.write(b'{"plan_id": "' + b"x" * (8 * 1024 * 1024 + 10) + b'"}\n')
        f.write(good[1] + b"\n")
    results = list(rules.check_many(nd, AS_OF, threads=threads, chunk_size=2))
    assert [r.line for r in results] == [1, 2, 3]
    assert [r.ok for r in results] == [True, False, True]
    err = results[1].error
    assert err is not None and err.kind == "limit"
    assert "larger than 8388608 bytes" in str(err)
    assert results[2].report is not None and results[2].report.plan_id == "P-00001"


def test_leaving_a_batch_early_and_starting_another(rules: careprompt.RuleSet, tmp_path: Path) -> None:
    items = plans(300)
    nd = tmp_path / "cohort.ndjson"
    nd.write_bytes(b"\n".join(items) + b"\n")
    for _ in range(3):
        for r in rules.check_many(nd, AS_OF, threads=2, chunk_size=16):
            if r.index == 20:
                break
    results = list(rules.check_many(nd, AS_OF, threads=2, chunk_size=16))
    assert [r.index for r in results] == list(range(300))
    assert results[299].report is not None
    assert results[299].report.to_json() == rules.check(items[299], AS_OF).to_json()


@pytest.mark.parametrize("threads", [2, 4])
def test_many_threads_over_an_ndjson_file_give_the_one_thread_reports(
    rules: careprompt.RuleSet, tmp_path: Path, threads: int
) -> None:
    items = plans(500)
    nd = tmp_path / "cohort.ndjson"
    nd.write_bytes(b"\n".join(items) + b"\n")
    one = [r.report.to_json() for r in rules.check_many(nd, AS_OF, threads=1) if r.report]
    many = [r.report.to_json() for r in rules.check_many(nd, AS_OF, threads=threads, chunk_size=64) if r.report]
    assert len(one) == 500 and many == one
