"""The stubs pass `mypy --strict` on a usage file, and match the module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import careprompt
from careprompt import _careprompt

HERE = Path(__file__).resolve().parent


def test_usage_file_passes_mypy_strict(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    usage = tmp_path / "usage.py"
    usage.write_text((HERE / "typing_usage.py").read_text(encoding="utf-8"), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(usage)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_rejects_a_wrong_call(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    bad = tmp_path / "bad.py"
    bad.write_text("import careprompt\ncareprompt.RuleSet.builtin().check(b'{}', as_of=3)\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(bad)],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )
    assert done.returncode == 1 and "as_of" in done.stdout


def test_stub_and_typed_marker_are_installed() -> None:
    pkg = Path(careprompt.__file__).parent
    assert (pkg / "py.typed").is_file()
    stub = (pkg / "_careprompt.pyi").read_text(encoding="utf-8")
    for name in _careprompt.__all__ if hasattr(_careprompt, "__all__") else dir(_careprompt):
        if not name.startswith("_") or name == "__version__":
            assert name in stub, f"`{name}` is not in the stubs"


def test_public_items_have_docstrings() -> None:
    for name in careprompt.__all__:
        item = getattr(careprompt, name)
        if callable(item):
            assert item.__doc__, name
    for cls in (careprompt.RuleSet, careprompt.Report, careprompt.CheckResult):
        for attr in dir(cls):
            if not attr.startswith("_"):
                assert getattr(cls, attr).__doc__, f"{cls.__name__}.{attr}"
