"""The README's local-node flow, each step a separate `hocba` process against a real anvil.

`hocba chain up`, `hocba demo --chain local`, then `hocba verify` in new processes
must give the demo's outcomes; with the node stopped nothing is reported valid;
after a restart (state persisted) the outcomes are unchanged.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdfium2
import pytest

from tests.conftest import free_port

pytestmark = [pytest.mark.node, pytest.mark.slow]

HOCBA = [sys.executable, "-m", "hocba.cli"]


def hocba(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOCBA_HOME": str(home), "HOCBA_KEY_PASSPHRASE": "node flow test"}
    result = subprocess.run([*HOCBA, *args], env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"hocba {' '.join(args)} exited {result.returncode}:\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


def verify_json(home: Path, *files: str) -> tuple[int, Any]:
    result = hocba(home, "verify", "--json", *files, check=False)
    return result.returncode, json.loads(result.stdout)


@pytest.fixture(scope="module")
def local_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("home")
    port = str(free_port())
    hocba(home, "chain", "up", "--port", port)
    try:
        yield home
    finally:
        hocba(home, "chain", "down", check=False)


@pytest.fixture(scope="module")
def demo_summary(local_home: Path) -> dict[str, Any]:
    result = hocba(local_home, "demo", "--chain", "local", "--json", "--out",
                   str(local_home / "out"))
    return json.loads(result.stdout)


def test_chain_status_running(local_home: Path) -> None:
    result = hocba(local_home, "chain", "status")
    assert "31337" in result.stdout


def test_demo_outcomes_on_node(demo_summary: dict[str, Any]) -> None:
    statuses = {item["case"]: item["status"] for item in demo_summary["verified"]}
    assert statuses == {"untouched": "valid", "score_changed": "tampered",
                        "revoked": "revoked", "withdrawn_school": "issuer_not_accredited"}
    assert demo_summary["expectedOutcomesMet"] is True
    assert demo_summary["chain"]["chainId"] == 31337


def test_new_process_same_outcomes(local_home: Path, demo_summary: dict[str, Any]) -> None:
    for item in demo_summary["verified"]:
        code, verdict = verify_json(local_home, item["file"])
        assert verdict["status"] == item["expected"], item["file"]
        assert code == (0 if item["expected"] == "valid" else 1)


def test_qr_photo_verifies(local_home: Path, demo_summary: dict[str, Any]) -> None:
    valid_pdf = demo_summary["verified"][0]["file"]
    page = pypdfium2.PdfDocument(valid_pdf)[0]
    image_path = local_home / "qr-scan.png"
    page.render(scale=150 / 72).to_pil().save(image_path)
    code, verdict = verify_json(local_home, str(image_path))
    assert verdict["status"] == "valid"
    assert verdict["checks"][0]["code"] == "qr.binding"
    assert code == 0


def test_node_down_never_valid(local_home: Path, demo_summary: dict[str, Any]) -> None:
    files = {item["case"]: item["file"] for item in demo_summary["verified"]}
    hocba(local_home, "chain", "down")
    try:
        code, verdict = verify_json(local_home, files["untouched"])
        assert verdict["status"] == "unavailable"
        assert code == 1
        _, tampered = verify_json(local_home, files["score_changed"])
        assert tampered["status"] == "tampered"
    finally:
        hocba(local_home, "chain", "up")
    for item in demo_summary["verified"]:
        _, verdict = verify_json(local_home, item["file"])
        assert verdict["status"] == item["expected"], "outcome changed after a node restart"
