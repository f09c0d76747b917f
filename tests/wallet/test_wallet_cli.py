"""`hocba wallet` in-process: init, import, list, show, disclose, present, export.

The CLI runs with ``--chain embedded``, a fresh chain that does not trust the test
registry, so imported records are stored as ``wrong_network``. The files it writes are
then verified against the shared test chain, where they are valid.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hocba.cli import app
from issuer.issuance import credential_json_bytes
from tests.wallet.conftest import Issued
from verifier.disclosure import verify_disclosure
from wallet.presentation import verify_presentation

CHALLENGE = "c0ffee-42"
DOMAIN = "https://tuyensinh.example.edu.vn"


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    environment = {"HOCBA_WALLET_PASSPHRASE": "mật khẩu CLI",
                   "HOCBA_WALLET": str(tmp_path / "wallet.json")}

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args), env=environment)
        assert result.exit_code == code, result.output
        return result.output

    return invoke


def test_wallet_cli_flow(run, shared: Issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    credential = shared.credential(3)
    source = tmp_path / "hocba.json"
    source.write_bytes(credential_json_bytes(credential))
    home = str(tmp_path / "home")

    assert "holder" in run("wallet", "init")
    assert credential["id"] in run("wallet", "import", str(source), "--home", home,
                                   "--chain", "embedded")
    assert "2025-2026" in run("wallet", "list")
    assert "urn:hocba:result:conduct:cn" in run("wallet", "show", credential["id"][-8:])

    disclosure_file = tmp_path / "share.json"
    run("wallet", "disclose", credential["id"], "--preset", "results-conduct",
        "--out", str(disclosure_file))
    disclosure = json.loads(disclosure_file.read_text(encoding="utf-8"))
    assert verify_disclosure(disclosure, shared.context).status.value == "valid"

    presentation_file = tmp_path / "vp.json"
    run("wallet", "present", str(disclosure_file), credential["id"], "--challenge", CHALLENGE,
        "--domain", DOMAIN, "--out", str(presentation_file))
    presentation = json.loads(presentation_file.read_text(encoding="utf-8"))
    result = verify_presentation(presentation, shared.context, challenge=CHALLENGE,
                                 domain=DOMAIN)
    assert result.status == "valid"

    backup = tmp_path / "backup.json"
    run("wallet", "export", str(backup))
    assert "credentialSubject" not in backup.read_text(encoding="utf-8")


def test_wallet_cli_wrong_passphrase(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("wallet", "init")
    runner = CliRunner()
    result = runner.invoke(app, ["wallet", "list", "--wallet", str(tmp_path / "wallet.json")],
                           env={"HOCBA_WALLET_PASSPHRASE": "sai"})
    assert result.exit_code == 2
    assert "Sai mật khẩu ví" in result.output
