"""careprompt: check children's social-care case plans against practice rules.

The engine is the Rust library ``careprompt``; this package binds it::

    import careprompt
    rules = careprompt.RuleSet.builtin()
    report = rules.check(plan, as_of="2026-11-26")

``RuleSet.check`` takes a plan as a dict, a JSON ``str`` or JSON ``bytes``;
``RuleSet.check_many`` takes an iterable of plans or an NDJSON path and
yields results in input order, checking on several threads. Reports give
their outcomes as objects, as the CLI's JSON (``to_json``), as dicts
(``to_dict``) and as records for a DataFrame (``to_records``,
``to_pandas``). See docs/python.md.

The evaluation date is always passed in: careprompt never reads the clock.
"""

from __future__ import annotations

from typing import Any, Iterable, List, Union

from ._careprompt import (
    REPORT_VERSION,
    CheckMany,
    CheckResult,
    CompileError,
    Import,
    ImporterError,
    Outcome,
    PlanError,
    Problem,
    Report,
    RuleSet,
    __version__,
    case_plan_schema,
    engine_version,
    import_cin,
    import_ssd,
    import_ssda903,
    rule_test_plans,
)

__all__ = [
    "REPORT_VERSION",
    "RECORD_FIELDS",
    "CheckMany",
    "CheckResult",
    "CompileError",
    "Import",
    "ImporterError",
    "Outcome",
    "PlanError",
    "Problem",
    "Report",
    "RuleSet",
    "__version__",
    "case_plan_schema",
    "engine_version",
    "import_cin",
    "import_ssd",
    "import_ssda903",
    "rule_test_plans",
    "to_pandas",
    "to_records",
]

#: The keys of every record, in the order ``to_pandas`` puts its columns.
RECORD_FIELDS = (
    "source",
    "plan_id",
    "as_of",
    "rule",
    "title",
    "theme",
    "kind",
    "severity",
    "outcome",
    "evidence",
    "missing",
    "error",
)


def to_records(results: Iterable[Union[Report, CheckResult]]) -> List[dict[str, Any]]:
    """The records of many reports or batch results, one dict per outcome.

    Takes what ``check`` returns or what ``check_many`` yields (the
    iterator itself is fine: it is consumed). A plan that could not be
    checked gives one record carrying its error.
    """
    out: List[dict[str, Any]] = []
    for r in results:
        out.extend(r.to_records())
    return out


def to_pandas(results: Iterable[Union[Report, CheckResult]]) -> Any:
    """``to_records(results)`` as a ``pandas.DataFrame``.

    pandas is optional: install it yourself (``pip install pandas``) to
    use this; without it an ImportError says so.
    """
    try:
        import pandas
    except ImportError as e:  # pragma: no cover - exercised without pandas
        raise ImportError(
            "to_pandas needs pandas, which careprompt does not install: "
            "`pip install pandas` (or use to_records())"
        ) from e
    return pandas.DataFrame(to_records(results), columns=list(RECORD_FIELDS))
