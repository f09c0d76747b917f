"""Run the Solidity unit, fuzz and invariant tests in hardhat_local/ under Hardhat 3."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

HARDHAT_DIR = Path(__file__).resolve().parent.parent / "hardhat_local"
BIN_DIR = HARDHAT_DIR / "node_modules" / ".bin"
EDR_NATIVE = HARDHAT_DIR / "node_modules" / "@nomicfoundation" / "edr-linux-x64-gnu"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (BIN_DIR / "hardhat").exists() or not EDR_NATIVE.exists(),
        reason="hardhat_local/node_modules is not installed: run hardhat_local/install.sh",
    ),
]


def _run_solidity_tests() -> subprocess.CompletedProcess[str]:
    # Hardhat 3 needs Node.js 22, which the "node" npm package puts in node_modules/.bin.
    env = dict(os.environ, PATH=f"{BIN_DIR}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run(
        [str(BIN_DIR / "hardhat"), "test", "solidity"],
        cwd=HARDHAT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_solidity_suite_passes() -> None:
    result = _run_solidity_tests()

    assert result.returncode == 0, result.stdout + result.stderr
    assert " passing" in result.stdout
    assert " failing" not in result.stdout
    assert "invariant_revokedStaysRevoked" in result.stdout
