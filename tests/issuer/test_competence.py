"""Digital-competence certificates: spreadsheet → credentials → chain → PDF → verifier."""

from __future__ import annotations

import copy
import io
import json
from datetime import date
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader

from hocba.errors import CredentialError, ImportRowsError
from hocba.status import Status
from issuer.competence import (
    ACHIEVEMENT_TYPE,
    build_competence_credential,
    read_competence,
    read_competence_csv,
)
from issuer.competence_framework import load_framework
from issuer.issuance import AnchoredBatch, anchor_batch, prepare_batch, write_pdfs
from scripts.sample_data import generate_school
from scripts.sample_records import competence_rows, write_csv, write_sample_records
from tests.network import Network
from verifier.engine import VerifierContext
from verifier.inputs import verify_bytes
from verifier.pdf import visible_text

FRAMEWORK_NAME = "Khung năng lực số cho người học (Thông tư 02/2025/TT-BGDĐT)"


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    return write_sample_records(tmp_path / "in", size=4)[0]


def issue(network: Network, sheet: Path) -> AnchoredBatch:
    prepared = prepare_batch(read_competence_csv(sheet), network.school,
                             builder=build_competence_credential)
    return anchor_batch(prepared, network.school, registry=network.registry,
                        engine=network.engine)


def context_for(network: Network) -> VerifierContext:
    return VerifierContext(network.settings, chains={network.chain.chain_id: network.chain})


def test_framework_has_24_components() -> None:
    assert len(load_framework().components) == 24


def test_framework_has_6_domains() -> None:
    assert [code for code, _ in load_framework().domains] == ["1", "2", "3", "4", "5", "6"]


def test_framework_bands() -> None:
    framework = load_framework()
    assert [framework.band_of(level).name for level in (1, 3, 6, 8)] == [
        "Cơ bản", "Trung cấp", "Nâng cao", "Chuyên sâu"]


def test_sheet_reads_class(sheet: Path) -> None:
    class_records = read_competence_csv(sheet)
    assert (class_records.class_name, len(class_records.students)) == ("8A1", 4)


def test_bad_level_rejected_with_row(tmp_path: Path) -> None:
    rows = competence_rows(generate_school(7)[2], 7)[:3]
    rows[2][rows[0].index("NL 4.2")] = "9"
    with pytest.raises(ImportRowsError) as caught:
        read_competence_csv(write_csv(rows, tmp_path / "bad.csv"))
    problem = caught.value.problems[0]
    assert (problem.row, problem.column, problem.code) == (3, "NL 4.2", "invalid_competence_level")
    assert "từ 1 đến 8" in problem.message_vi


def test_missing_column_rejected(tmp_path: Path) -> None:
    rows = [row[:-1] for row in competence_rows(generate_school(7)[2], 7)[:2]]
    with pytest.raises(ImportRowsError) as caught:
        read_competence_csv(write_csv(rows, tmp_path / "short.csv"))
    assert [p.code for p in caught.value.problems] == ["missing_column"]


def test_credential_shape(network: Network, sheet: Path) -> None:
    credential = prepare_batch(read_competence_csv(sheet), network.school,
                               builder=build_competence_credential).credentials[0].credential
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == ACHIEVEMENT_TYPE
    assert len(achievement["alignment"]) == 24
    assert {item["targetFramework"] for item in achievement["alignment"]} == {FRAMEWORK_NAME}
    assert {item["targetType"] for item in achievement["alignment"]} == {"ext:DigitalCompetence"}
    assert len(credential["credentialSubject"]["result"]) == 24
    assert achievement["resultDescription"][0]["allowedValue"][-1] == "Bậc 8"


def test_reader_rejects_missing_result(network: Network, sheet: Path) -> None:
    credential = prepare_batch(read_competence_csv(sheet), network.school,
                               builder=build_competence_credential).credentials[0].credential
    broken = copy.deepcopy(credential)
    broken["credentialSubject"]["result"].pop()
    with pytest.raises(CredentialError):
        read_competence(broken)


def test_issue_render_verify(network: Network, sheet: Path, tmp_path: Path) -> None:
    batch = issue(network, sheet)
    paths = write_pdfs(batch, tmp_path / "pdf", verify_base_url="http://127.0.0.1:8000",
                       issued_on=date(2026, 5, 30))
    pdf = paths[0].read_bytes()
    assert verify_bytes(pdf, context_for(network)).status is Status.VALID
    text = visible_text(pdf)
    assert "CHỨNG NHẬN NĂNG LỰC SỐ" in text
    assert "Ứng dụng trí tuệ nhân tạo" in text
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    page = pypdfium2.PdfDocument(pdf)[0]
    page.render(scale=1.5).to_pil().save(tmp_path / "competence.png")


def test_changed_level_tampered(network: Network, sheet: Path) -> None:
    batch = issue(network, sheet)
    forged = copy.deepcopy(batch.credentials[0].credential)
    result = forged["credentialSubject"]["result"][5]
    result["value"] = "Bậc 8" if result["value"] != "Bậc 8" else "Bậc 7"
    data = json.dumps(forged, ensure_ascii=False).encode("utf-8")
    assert verify_bytes(data, context_for(network)).status is Status.TAMPERED


def test_every_key_defined(network: Network, sheet: Path) -> None:
    from tests.test_contexts import undefined_keys

    prepared = prepare_batch(read_competence_csv(sheet), network.school,
                             builder=build_competence_credential)
    assert undefined_keys(prepared.credentials[0].credential) == set()
