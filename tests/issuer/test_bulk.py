"""`hocba school issue-all` on a real anvil: two classes, two workers, killed and resumed.

The first run SIGKILLs itself right after the first class is anchored (through the
test-only HOCBA_CRASH_AT hook); the second run finishes; a third finds nothing to
do. Each class must then have exactly one batch and one BatchAnchored event, and
every PDF must be written once, verify as valid and carry valid PAdES signatures.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import requests
from eth_utils import keccak
from sqlmodel import Session, select

from hocba.cli_bulk import read_signers
from hocba.db import Batch
from hocba.errors import InputError
from hocba.localnode import read_local_node, stop_local_node
from issuer.bulk import issue_all as bulk_issue
from issuer.importer import write_class_csv
from issuer.pdfsign import PdfSigningError, Pkcs12Key, SignerSpec
from scripts.sample_data import generate_school
from tests.conftest import free_port
from tests.network import Network
from tests.pki.testpki import TEST_PASSPHRASE, TestPki, start_test_pki
from tests.test_issue_verify import small_class
from tests.test_node_flow import HOCBA, hocba
from verifier.pdfsig import check_pdf_signatures

pytestmark = [pytest.mark.node, pytest.mark.slow]

SCHOOL = "79785405"
VERIFY_ORIGIN = "https://verify.hocba.vn"
ANCHORED_TOPIC = "0x" + keccak(text="BatchAnchored(bytes32,address)").hex()
SIGNERS_TOML = """\
location = "Củ Chi, TP. Hồ Chí Minh"

[[signer]]
role = "homeroom_teacher"
name = "Nguyễn Thị Lan"
p12 = "teacher.p12"

[[signer]]
role = "principal"
name = "Trần Văn Minh"
p12 = "principal.p12"
"""


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPki]:
    test_pki = start_test_pki(tmp_path_factory.mktemp("bulk-pki"))
    yield test_pki
    test_pki.close()


@pytest.fixture(scope="module")
def signers_file(pki: TestPki) -> Path:
    pki.pkcs12("teacher")
    pki.pkcs12("principal")
    path = pki.folder / "signers.toml"
    path.write_text(SIGNERS_TOML, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("bulk-home")
    hocba(home, "chain", "up", "--port", str(free_port()))
    try:
        hocba(home, "admin", "appoint-accreditor", "--unit", "27013",
              "--name", "UBND xã Trung An")
        hocba(home, "admin", "accredit-school", "--code", SCHOOL, "--name",
              "Trường THCS Trung An", "--unit", "27013", "--accreditor", "27013",
              "--principal", "Trần Văn Minh")
        (home / "csv").mkdir()
        for classes in generate_school(11)[:2]:
            small = replace(classes, students=classes.students[:5])
            write_class_csv(small, home / "csv" / f"{small.class_name}.csv")
        yield home
    finally:
        node = read_local_node(home / "chain")
        if node is not None:
            stop_local_node(node)


def issue_all(home: Path, signers: Path, crash_at: str | None = None
              ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOCBA_HOME": str(home), "HOCBA_KEY_PASSPHRASE": "node flow test",
           "HOCBA_SIGN_PASSPHRASE_HOMEROOM_TEACHER": TEST_PASSPHRASE.decode(),
           "HOCBA_SIGN_PASSPHRASE_PRINCIPAL": TEST_PASSPHRASE.decode()}
    if crash_at:
        env["HOCBA_CRASH_AT"] = crash_at
    return subprocess.run([*HOCBA, "school", "issue-all", str(home / "csv"), "--school", SCHOOL,
                           "--sign", str(signers), "--workers", "2", "--out", str(home / "out")],
                          env=env, capture_output=True, text=True, timeout=300, check=False)


def batches(home: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(home / "hocba.db") as db:
        return db.execute("select label, status, merkle_root from batch order by id").fetchall()


def anchor_events(home: Path, root: str) -> int:
    node = read_local_node(home / "chain")
    assert node is not None
    reply = requests.post(node.rpc_url, json={
        "jsonrpc": "2.0", "id": 1, "method": "eth_getLogs",
        "params": [{"fromBlock": "0x0", "toBlock": "latest", "topics": [ANCHORED_TOPIC, root]}],
    }, timeout=10).json()
    return len(reply["result"])


@pytest.fixture(scope="module")
def killed(home: Path, signers_file: Path) -> subprocess.CompletedProcess[str]:
    return issue_all(home, signers_file, crash_at="after_class")


@pytest.fixture(scope="module")
def killed_batches(home: Path, killed: subprocess.CompletedProcess[str]
                   ) -> list[tuple[str, str, str]]:
    return batches(home)


@pytest.fixture(scope="module")
def resumed(home: Path, signers_file: Path, killed_batches: list[tuple[str, str, str]]
            ) -> subprocess.CompletedProcess[str]:
    return issue_all(home, signers_file)


@pytest.fixture(scope="module")
def rerun(home: Path, signers_file: Path, resumed: subprocess.CompletedProcess[str]
          ) -> subprocess.CompletedProcess[str]:
    return issue_all(home, signers_file)


def pdfs(home: Path) -> list[Path]:
    return sorted((home / "out").rglob("*.pdf"))


def test_kill_exits_by_sigkill(killed: subprocess.CompletedProcess[str]) -> None:
    assert killed.returncode == -9, killed.stderr


def test_kill_leaves_one_class(killed_batches: list[tuple[str, str, str]]) -> None:
    assert [status for _, status, _ in killed_batches] == ["anchored"]


def test_resume_succeeds(resumed: subprocess.CompletedProcess[str]) -> None:
    assert resumed.returncode == 0, resumed.stderr


def test_resume_shows_stages(resumed: subprocess.CompletedProcess[str]) -> None:
    for label in ("Ký học bạ / sign", "Ghi nhận lên chuỗi / anchor",
                  "Xuất PDF có chữ ký / signed PDFs"):
        assert label in resumed.stdout


def test_resume_skips_anchored_class(resumed: subprocess.CompletedProcess[str]) -> None:
    assert "anchored: 1 lô / batches; bỏ qua / skipped 1 lớp" in resumed.stdout


def test_each_class_anchored_once(home: Path, rerun: subprocess.CompletedProcess[str]) -> None:
    rows = batches(home)
    assert sorted(label for label, _, _ in rows) == ["6A1 2025-2026", "7A1 2025-2026"]
    for _, status, root in rows:
        assert status == "anchored"
        assert anchor_events(home, root) == 1


def test_rerun_does_nothing(rerun: subprocess.CompletedProcess[str]) -> None:
    assert rerun.returncode == 0, rerun.stderr
    assert "bỏ qua / skipped 2 lớp" in rerun.stdout
    assert "đã ghi / written 0, đã có / already there 10" in rerun.stdout


def test_one_pdf_per_student(home: Path, rerun: subprocess.CompletedProcess[str]) -> None:
    assert len(pdfs(home)) == 10
    assert not list((home / "out").rglob("*.part"))


def test_pdfs_verify_valid(home: Path, rerun: subprocess.CompletedProcess[str]) -> None:
    verdicts = json.loads(hocba(home, "verify", "--json", *map(str, pdfs(home))).stdout)
    assert {verdict["status"] for verdict in verdicts} == {"valid"}


def test_pdf_signatures_validate(home: Path, pki: TestPki,
                                 rerun: subprocess.CompletedProcess[str]) -> None:
    checks = check_pdf_signatures(pdfs(home)[-1].read_bytes(), trust_roots=[pki.root])
    assert [check.code for check in checks if not check.passed] == []
    assert [check.code for check in checks].count("pdf.pades.integrity") == 2


def test_signers_passphrase_from_env(signers_file: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOCBA_SIGN_PASSPHRASE_PRINCIPAL", "from env")
    specs, location = read_signers(signers_file)
    assert [spec.role for spec in specs] == ["homeroom_teacher", "principal"]
    assert isinstance(specs[1].key, Pkcs12Key)
    assert specs[1].key.passphrase == b"from env"
    assert location == "Củ Chi, TP. Hồ Chí Minh"


def test_signer_without_key_rejected(tmp_path: Path) -> None:
    path = tmp_path / "signers.toml"
    path.write_text('[[signer]]\nrole = "principal"\nname = "A"\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_signers(path)
    assert caught.value.code == "signers_invalid"


def test_inline_run_writes_pdfs(network: Network, tmp_path: Path) -> None:
    result = bulk_issue([small_class(3)], network.school, registry=network.registry,
                        engine=network.engine, out_dir=tmp_path, verify_base_url=VERIFY_ORIGIN,
                        workers=1)
    assert result.batches_anchored == 1
    assert result.pdfs_written == 3
    assert len(list(tmp_path.rglob("*.pdf"))) == 3


def test_wrong_passphrase_stops_early(network: Network, pki: TestPki, tmp_path: Path) -> None:
    specs = [SignerSpec("principal", "Trần Văn Minh", Pkcs12Key(pki.pkcs12("principal"),
                                                                b"wrong passphrase"))]
    with pytest.raises(PdfSigningError):
        bulk_issue([small_class(3)], network.school, registry=network.registry,
                   engine=network.engine, out_dir=tmp_path, verify_base_url=VERIFY_ORIGIN,
                   specs=specs, workers=2)
    with Session(network.engine) as db:
        assert list(db.exec(select(Batch))) == []
