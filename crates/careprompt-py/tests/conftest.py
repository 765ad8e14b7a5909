"""Shared fixtures: the repository's example plans, rules and fixtures, and
the CLI binary the parity tests compare against.

The tests run against the installed wheel (in a fresh virtual environment,
see scripts/test-all.sh) and read data files from the repository:
``CAREPROMPT_REPO`` (default: three levels up from this file) and
``CAREPROMPT_CLI`` (default: the repository's target/release/careprompt).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import List

import pytest

REPO = Path(os.environ.get("CAREPROMPT_REPO", Path(__file__).resolve().parents[3]))
AS_OF = "2026-11-26"


def _cli() -> Path:
    env = os.environ.get("CAREPROMPT_CLI")
    candidates = [Path(env)] if env else [
        REPO / "target" / "release" / "careprompt",
        REPO / "target" / "debug" / "careprompt",
    ]
    for c in candidates:
        if c.is_file():
            return c
    raise RuntimeError(
        "no careprompt CLI binary: build it (cargo build --release -p careprompt-cli) "
        "or set CAREPROMPT_CLI"
    )


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def cli() -> Path:
    return _cli()


def example_plans() -> List[Path]:
    return sorted((REPO / "examples" / "plans").glob("*.json"))


def pack_dir() -> Path:
    return REPO / "rules" / "jtai-childrens-mental-health"


def run_cli(cli: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(cli), *args], input=stdin, capture_output=True, check=False)
