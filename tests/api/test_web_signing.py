"""PAdES signing of the PDFs issued through the school API, and corrections of every type.

One school approves four times, in this order. First a class with no signer file,
which gets unsigned PDFs. Then the same class with a signer file whose passphrase is
wrong, which is rejected with nothing anchored. Then the class again with the right
passphrase: teacher, principal and organisation sign, with timestamps from the test
PKI's TSA on 127.0.0.1. Last a primary class whose homeroom teacher the signer file
does not list. Then one primary credential is corrected, and a correction naming
another learner is rejected.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from hocba.status import Status
from issuer.pdfsign import ROLE_FIELDS
from issuer.record_correction import correction_record_type, same_learner
from issuer.record_types import record_type
from issuer.web_signing import school_signer_path
from tests.api.record_samples import build_sample
from tests.api.school_pages_world import SCHOOL_A, PageWorld, build_world
from tests.pki.testpki import TEST_PASSPHRASE, TestPki, start_test_pki
from verifier.inputs import verify_bytes

_API = f"/v1/schools/{SCHOOL_A}"
_PAGES = f"/school/{SCHOOL_A}"
_PASSPHRASE_ENV = "HOCBA_TEST_WEB_SIGN_PASSPHRASE"
_PRINCIPAL_NAME = "Trần Văn Minh"
_SCHOOL_NAME = "Trường THCS Phú Hòa Đông"
_ALL_FIELDS = [ROLE_FIELDS["homeroom_teacher"], ROLE_FIELDS["principal"],
               ROLE_FIELDS["organisation"]]


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPki]:
    test_pki = start_test_pki(tmp_path_factory.mktemp("web-pki"))
    yield test_pki
    test_pki.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageWorld]:
    yield from build_world(tmp_path_factory.mktemp("web-signing"), students=2)


def _headers(world: PageWorld) -> dict[str, dict[str, str]]:
    headers = {}
    client = world.clients["anonymous"]
    for role, login in (("staff", "giao-vu-a"), ("principal", "hieu-truong-a")):
        response = client.post("/v1/session", json={"login": login,
                                                    "password": "mật khẩu thử nghiệm 2026"})
        assert response.status_code == 200, response.text[:300]
        token = response.cookies["hocba_session"]
        client.cookies.clear()
        headers[role] = {"Cookie": f"hocba_session={token}",
                         "X-CSRF-Token": response.json()["csrfToken"]}
    return headers


def _write_signer_file(world: PageWorld, pki: TestPki, teacher: str) -> Path:
    """Write the school's signer file: the class's homeroom teacher, principal, organisation."""
    path = school_signer_path(world.instance.settings.home, SCHOOL_A)
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = [("homeroom_teacher", teacher, "teacher"), ("principal", _PRINCIPAL_NAME,
                                                          "principal"),
               ("organisation", _SCHOOL_NAME, "school")]
    lines = ['location = "Củ Chi, TP. Hồ Chí Minh"', f'timestamp_url = "{pki.tsa_url}"']
    for role, name, label in entries:
        lines += ["", "[[signer]]", f'role = "{role}"', f'name = "{name}"',
                  f'p12 = "{pki.pkcs12(label)}"', f'passphrase_env = "{_PASSPHRASE_ENV}"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _edited_row(data: bytes, changes: dict[str, str]) -> bytes:
    """Return the header and first student row of a class CSV with ``changes`` applied."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header, first = rows[0], list(rows[1])
    for column, value in changes.items():
        first[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, first])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


class Flow:
    """The API calls of the scenario, run in a fixed order against one world."""

    def __init__(self, world: PageWorld) -> None:
        self.world = world
        self.client = world.clients["anonymous"]
        self.headers = _headers(world)

    def upload(self, data: bytes, kind: str) -> dict[str, Any]:
        response = self.client.post(f"{_API}/imports", headers=self.headers["staff"],
                                    files={"file": ("lop.csv", data, "text/csv")},
                                    data={"recordType": record_type(kind).code})
        assert response.status_code == 201, response.text[:500]
        return response.json()

    def approve(self, job_id: int) -> Any:
        return self.client.post(f"{_API}/imports/{job_id}/approve",
                                headers=self.headers["principal"])

    def batch_count(self) -> int:
        response = self.client.get(f"{_API}/batches", headers=self.headers["staff"])
        return len(response.json()["batches"])

    def reissue(self, credential_id: str, data: bytes) -> Any:
        return self.client.post(f"{_API}/credentials/{credential_id}/reissue",
                                headers=self.headers["principal"],
                                files={"file": ("dinh-chinh.csv", data, "text/csv")},
                                data={"reason": "Sửa điểm nhập nhầm"})


@pytest.fixture(scope="module")
def runs(world: PageWorld, pki: TestPki) -> dict[str, Any]:
    """Run every approval and correction of the scenario; keep the responses by name."""
    flow = Flow(world)
    thcs = world.class_csv
    primary = build_sample("primary", world.instance.settings.home / "samples", size=2)
    results: dict[str, Any] = {}

    job = flow.upload(thcs, "thcs")
    results["unsigned"] = {"job": job, "approve": flow.approve(job["id"])}

    _write_signer_file(world, pki, world.class_records.homeroom_teacher)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(_PASSPHRASE_ENV, "not the passphrase")
        job = flow.upload(thcs, "thcs")
        before = flow.batch_count()
        rejected = flow.approve(job["id"])
        results["wrong"] = {"job": job, "approve": rejected, "before": before,
                            "after": flow.batch_count()}

        patch.setenv(_PASSPHRASE_ENV, TEST_PASSPHRASE.decode())
        results["signed"] = {"job": job, "approve": flow.approve(job["id"])}

        job = flow.upload(primary.good_csv, "primary")
        approved = flow.approve(job["id"])
        results["primary"] = {"job": job, "approve": approved}
        old_id = approved.json()["credentials"][0]
        results["correction"] = flow.reissue(old_id, _edited_row(
            primary.good_csv, {"Nhận xét": "Em chăm ngoan, học tốt."}))
        other_id = approved.json()["credentials"][1]
        results["other_learner"] = flow.reissue(other_id, _edited_row(
            primary.good_csv, {"Họ và tên": "Lê Văn Khác", "Mã học sinh": "7900000001"}))
    return results


def _pdf(world: PageWorld, job_id: int, index: int = 0) -> bytes:
    page = world.clients["principal_a"].get(f"{_PAGES}/imports/{job_id}").text
    ids = re.findall(r'data-pdf="([0-9a-f-]{36})"', page)
    response = world.clients["principal_a"].get(f"{_PAGES}/credentials/{ids[index]}/pdf")
    assert response.status_code == 200
    return response.content


def _credential_pdf(world: PageWorld, credential_id: str) -> bytes:
    plain = credential_id.removeprefix("urn:uuid:")
    response = world.clients["principal_a"].get(f"{_PAGES}/credentials/{plain}/pdf")
    assert response.status_code == 200
    return response.content


def _fields(pdf: bytes) -> list[str]:
    reader = PdfFileReader(io.BytesIO(pdf))
    return [str(signature.field_name) for signature in reader.embedded_signatures]


def test_unsigned_approval_issues(runs: dict) -> None:
    assert runs["unsigned"]["approve"].status_code == 201


def test_unsigned_reported(runs: dict) -> None:
    assert runs["unsigned"]["approve"].json()["pdfSigned"] is False


def test_unsigned_pdf_has_no_signature(world: PageWorld, runs: dict) -> None:
    assert _fields(_pdf(world, runs["unsigned"]["job"]["id"])) == []


def test_unsigned_page_note_vi(world: PageWorld, runs: dict) -> None:
    job_id = runs["unsigned"]["job"]["id"]
    page = world.clients["principal_a"].get(f"{_PAGES}/imports/{job_id}").text
    assert "PDF chưa ký số: chưa cấu hình người ký." in page


def test_unsigned_page_note_en(world: PageWorld, runs: dict) -> None:
    job_id = runs["unsigned"]["job"]["id"]
    page = world.clients["principal_a"].get(f"{_PAGES}/imports/{job_id}?lang=en").text
    assert "The PDFs are not digitally signed: no signers are configured." in page


def test_wrong_passphrase_rejected(runs: dict) -> None:
    assert runs["wrong"]["approve"].status_code == 422


def test_wrong_passphrase_problem_vi(runs: dict) -> None:
    body = runs["wrong"]["approve"].json()
    assert body["code"] == "pdf_sign_failed"
    assert "sai mật khẩu" in body["detail"]


def test_wrong_passphrase_anchors_nothing(runs: dict) -> None:
    assert runs["wrong"]["after"] == runs["wrong"]["before"]


def test_signed_approval_issues(runs: dict) -> None:
    approved = runs["signed"]["approve"]
    assert approved.status_code == 201, approved.text[:500]
    assert approved.json()["pdfSigned"] is True


def test_signatures_in_order(world: PageWorld, runs: dict) -> None:
    for index in (0, 1):
        assert _fields(_pdf(world, runs["signed"]["job"]["id"], index)) == _ALL_FIELDS


def test_pyhanko_validates(world: PageWorld, runs: dict, pki: TestPki) -> None:
    reader = PdfFileReader(io.BytesIO(_pdf(world, runs["signed"]["job"]["id"])))
    for signature in reader.embedded_signatures:
        status = validate_pdf_signature(signature, ValidationContext(trust_roots=[pki.root]))
        assert status.intact, signature.field_name
        assert status.valid, signature.field_name
        assert status.trusted, signature.field_name
        assert status.timestamp_validity is not None, signature.field_name


def test_public_verifier_valid(world: PageWorld, runs: dict) -> None:
    pdf = _pdf(world, runs["signed"]["job"]["id"])
    response = world.clients["anonymous"].post(
        "/v1/verify", files={"file": ("hoc-ba.pdf", pdf, "application/pdf")})
    body = response.json()
    pades = [check for check in body["checks"] if check["code"].startswith("pdf.pades")]
    assert body["status"] == "valid"
    assert pades
    assert all(check["passed"] for check in pades)


def test_signed_page_lists_signers(world: PageWorld, runs: dict) -> None:
    job_id = runs["signed"]["job"]["id"]
    page = world.clients["principal_a"].get(f"{_PAGES}/imports/{job_id}").text
    assert 'data-pdf-signed="1"' in page
    assert f"{_PRINCIPAL_NAME} (hiệu trưởng)" in page


def test_unlisted_teacher_not_signing(world: PageWorld, runs: dict) -> None:
    approved = runs["primary"]["approve"]
    assert approved.status_code == 201, approved.text[:500]
    fields = _fields(_pdf(world, runs["primary"]["job"]["id"]))
    assert fields == _ALL_FIELDS[1:]


def test_primary_correction_issued(runs: dict) -> None:
    response = runs["correction"]
    assert response.status_code == 201, response.text[:500]
    assert response.json()["recordType"] == record_type("primary").code


def test_primary_correction_replaces(runs: dict) -> None:
    body = runs["correction"].json()
    assert body["credential"]["replaces"] == runs["primary"]["approve"].json()["credentials"][0]


def test_primary_correction_pdf_valid(world: PageWorld, runs: dict) -> None:
    pdf = _credential_pdf(world, runs["correction"].json()["id"])
    assert _fields(pdf) == _ALL_FIELDS[1:]
    result = verify_bytes(pdf, world.instance.verifier_context(), source="test")
    assert result.status is Status.VALID


def test_old_credential_revoked(world: PageWorld, runs: dict) -> None:
    old_id = runs["primary"]["approve"].json()["credentials"][0]
    result = verify_bytes(_credential_pdf(world, old_id), world.instance.verifier_context(),
                          source="test")
    assert result.status is Status.REVOKED


def test_other_learner_rejected(runs: dict) -> None:
    response = runs["other_learner"]
    assert response.status_code == 422
    assert response.json()["code"] == "correction_other_learner"


def _subject(name: str, born: str, student_id: str) -> dict[str, Any]:
    items = [("name", name), ("ext:birthDate", born)]
    if student_id:
        items.append(("studentId", student_id))
    return {"credentialSubject": {"identifier": [
        {"type": "IdentityObject", "identityType": kind, "hashed": False, "identityHash": value}
        for kind, value in items]}}


@pytest.mark.parametrize(("new", "expected"), [
    (("Nguyễn Bảo Oanh", "2016-11-14", "7964049878"), True),
    (("Nguyễn Bảo Anh", "2016-11-14", "7964049878"), True),
    (("nguyễn  bảo oanh", "2016-11-14", ""), True),
    (("Nguyễn Bảo Oanh", "2016-11-15", ""), False),
    (("Lê Văn Khác", "2016-11-14", "7900000001"), False),
])
def test_same_learner_cases(new: tuple[str, str, str], expected: bool) -> None:
    old = _subject("Nguyễn Bảo Oanh", "2016-11-14", "7964049878")
    assert same_learner(old, _subject(*new)) is expected


@pytest.mark.parametrize(("label", "alias"), [
    ("9A1 2025-2026", "thcs"),
    ("9A1 2025-2026 (đính chính)", "thcs"),
    ("4A1 2025-2026 (học bạ tiểu học)", "primary"),
    ("4A1 2025-2026 (học bạ tiểu học) (đính chính)", "primary"),
    ("9A1 2025-2026 (xác nhận hoàn thành THCS)", "completion"),
])
def test_correction_type_from_label(label: str, alias: str) -> None:
    assert correction_record_type(label) is record_type(alias)
