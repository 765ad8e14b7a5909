"""A usage file checked with `mypy --strict` against the package's stubs
(test_typing.py runs it): every public call, typed as a user would."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any, Dict, List, Optional

import careprompt


def main(plan_path: Path, rules_dir: Path, nd: Path) -> int:
    rules: careprompt.RuleSet = careprompt.RuleSet.builtin()
    own = careprompt.RuleSet.compile(rules_dir, constants={"sdq_concern_threshold": 15})
    own2 = careprompt.RuleSet.compile({"a.cpr": "..."})
    own3 = careprompt.RuleSet.compile([str(rules_dir)])
    report: careprompt.Report = rules.check(plan_path.read_bytes(), as_of="2026-11-26")
    report2 = own.check({"child": {"looked_after": True}}, datetime.date(2026, 11, 26))
    text: str = report.to_json()
    data: Dict[str, Any] = report2.to_dict()
    fires: int = report.summary["fires"]
    for o in report.outcomes:
        rule: str = o.rule
        kind: str = o.outcome
        missing: List[str] = o.missing
        for path, value in o.evidence:
            print(rule, kind, missing, path.upper(), value)
        prompt: Optional[str] = o.prompt
        print(prompt)
    records: List[Dict[str, Any]] = careprompt.to_records(rules.check_many(nd, "2026-11-26", threads=2))
    for r in rules.check_many([b"{}", "{}", {"a": 1}], "2026-11-26"):
        idx: int = r.index
        if r.report is not None:
            print(idx, r.report.plan_id)
        elif r.error is not None:
            line: int = r.error.line
            print(line, r.error.column, r.error.message)
    try:
        careprompt.RuleSet.compile({"bad.cpr": "rule {"})
    except careprompt.CompileError as e:
        for p in e.problems:
            print(p.file, p.line, p.column, p.message, p.help)
    imported = careprompt.import_ssda903(Path("ssda903"), as_of="2018-03-31", la_code="E09000001")
    merged = careprompt.import_cin("cin.xml", merge_into=imported)
    plans: Dict[str, Dict[str, Any]] = merged.plans
    frame: Any = careprompt.to_pandas([report])
    print(text, data, fires, records, own2, own3, plans, frame, len(rules), careprompt.__version__)
    return 0
