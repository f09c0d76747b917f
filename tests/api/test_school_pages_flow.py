"""The staff pages end to end over the in-process chain: upload, preview, approve, status, audit.

One class of six is issued once per module. Every test that changes a credential's
status uses its own credential, so the tests pass in any order.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from api.template_files import TEMPLATES
from hocba.status import Status
from issuer.curriculum import load_curriculum
from issuer.export_xlsx import write_class_xlsx
from issuer.import_table import template_header
from issuer.importer import write_class_csv
from tests.api.school_pages_world import SCHOOL_A, PageWorld, build_world
from verifier.engine import verify_credential

_BASE = f"/school/{SCHOOL_A}"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageWorld]:
    yield from build_world(tmp_path_factory.mktemp("flow"), students=6)


def _upload(world: PageWorld, role: str, name: str, data: bytes) -> str:
    response = world.clients[role].post(
        f"{_BASE}/imports", files={"file": (name, data, "text/csv")},
        data={"csrf_token": world.csrf(role), "record_type": "transcript-thcs-tt22"})
    assert response.status_code == 303, response.text[:500]
    return str(response.headers["location"])


@pytest.fixture(scope="module")
def issued_page(world: PageWorld) -> str:
    """Upload the good file as staff, approve it as the principal; return the import page."""
    page = _upload(world, "staff_a", "lop.csv", world.class_csv)
    response = world.clients["principal_a"].post(f"{page}/approve",
                                                 data={"csrf_token": world.csrf("principal_a")})
    assert response.status_code == 303, response.text[:500]
    return page


@pytest.fixture(scope="module")
def issued(world: PageWorld, issued_page: str) -> list[str]:
    """Return the ids of the issued credentials, in row order."""
    page = world.clients["principal_a"].get(issued_page).text
    return re.findall(r'data-pdf="([0-9a-f-]{36})"', page)


def _status(world: PageWorld, credential_id: str) -> Status:
    stored = world.instance.lookup_credential(f"urn:uuid:{credential_id}")
    assert stored is not None
    return verify_credential(stored, world.instance.verifier_context(), source="test").status


def test_bad_row_listed(world: PageWorld) -> None:
    page = world.clients["staff_a"].get(_upload(world, "staff_a", "lop.csv", world.bad_csv)).text
    assert 'data-row="3"' in page
    assert "Toán HKI" in page
    assert "Điểm 11" in page


def test_good_rows_listed_beside_bad(world: PageWorld) -> None:
    page = world.clients["staff_a"].get(_upload(world, "staff_a", "lop.csv", world.bad_csv)).text
    assert page.count('class="good"') == 5


def test_bad_file_has_no_approve(world: PageWorld) -> None:
    page = world.clients["principal_a"].get(
        _upload(world, "staff_a", "lop.csv", world.bad_csv)).text
    assert 'data-action="approve"' not in page


def test_bad_file_not_waiting(world: PageWorld) -> None:
    page = world.clients["staff_a"].get(_upload(world, "staff_a", "lop.csv", world.bad_csv)).text
    assert "Có lỗi, chưa cấp được" in page
    assert "Chờ duyệt" not in page


def test_staff_waits_for_principal(world: PageWorld) -> None:
    page = world.clients["staff_a"].get(_upload(world, "staff_a", "lop.csv", world.class_csv)).text
    assert "Đang chờ hiệu trưởng duyệt" in page
    assert 'data-action="approve"' not in page


def test_principal_sees_approve(world: PageWorld) -> None:
    page = world.clients["principal_a"].get(
        _upload(world, "staff_a", "lop.csv", world.class_csv)).text
    assert 'data-action="approve"' in page


def test_xlsx_upload_previews(world: PageWorld, tmp_path: Path) -> None:
    data = write_class_xlsx(world.class_records, tmp_path / "lop.xlsx").read_bytes()
    page = world.clients["staff_a"].get(_upload(world, "staff_a", "lop.xlsx", data)).text
    assert 'data-ready="1"' in page


def test_empty_file_rejected(world: PageWorld) -> None:
    response = world.clients["staff_a"].post(
        f"{_BASE}/imports", files={"file": ("lop.csv", b"", "text/csv")},
        data={"csrf_token": world.csrf("staff_a"), "record_type": "transcript-thcs-tt22"})
    assert response.status_code == 422
    assert "Hãy chọn một tệp" in response.text


def test_issue_lists_pdfs(issued: list[str]) -> None:
    assert len(issued) == 6


def test_issue_shows_transaction(world: PageWorld, issued_page: str) -> None:
    detail = world.clients["staff_a"].get(issued_page).text
    assert re.search(r'data-tx="1">0x[0-9a-f]{64}<', detail)


def test_pdf_download_verifies(world: PageWorld, issued: list[str]) -> None:
    response = world.clients["staff_a"].get(f"{_BASE}/credentials/{issued[0]}/pdf")
    assert response.headers["content-type"] == "application/pdf"
    verdict = world.clients["anonymous"].post("/v1/verify", files={
        "file": ("hocba.pdf", response.content, "application/pdf")})
    assert verdict.json()["status"] == "valid"


def test_other_school_pdf_forbidden(world: PageWorld, issued: list[str]) -> None:
    response = world.clients["principal_b"].get(f"{_BASE}/credentials/{issued[0]}/pdf")
    assert response.status_code == 403


def test_credentials_filter_status(world: PageWorld, issued: list[str]) -> None:
    page = world.clients["staff_a"].get(f"{_BASE}/credentials?status=revoked").text
    assert issued[1] not in page


def test_credentials_filter_class(world: PageWorld, issued: list[str]) -> None:
    class_name = world.class_records.class_name
    page = world.clients["staff_a"].get(f"{_BASE}/credentials?class={class_name}").text
    missing = [item for item in issued if f'data-credential="{item}"' not in page]
    assert missing == []


def test_staff_sees_no_actions(world: PageWorld, issued: list[str]) -> None:
    page = world.clients["staff_a"].get(f"{_BASE}/credentials/{issued[0]}").text
    assert 'data-action="revoke"' not in page
    assert "Chỉ hiệu trưởng" in page


def test_revoke_needs_reason(world: PageWorld, issued: list[str]) -> None:
    response = world.clients["principal_a"].post(
        f"{_BASE}/credentials/{issued[0]}/revoke",
        data={"csrf_token": world.csrf("principal_a"), "reason": " ", "reason_code": "2"})
    assert response.status_code == 422
    assert _status(world, issued[0]) == Status.VALID


def test_revoke_bad_code_rejected(world: PageWorld, issued: list[str]) -> None:
    response = world.clients["principal_a"].post(
        f"{_BASE}/credentials/{issued[0]}/revoke",
        data={"csrf_token": world.csrf("principal_a"), "reason": "thử", "reason_code": "1"})
    assert response.status_code == 422


def test_suspend_then_reinstate(world: PageWorld, issued: list[str]) -> None:
    client, token = world.clients["principal_a"], world.csrf("principal_a")
    path = f"{_BASE}/credentials/{issued[1]}"
    client.post(f"{path}/suspend", data={"csrf_token": token, "reason": "đang xác minh"})
    assert _status(world, issued[1]) == Status.SUSPENDED
    assert 'data-status="suspended"' in client.get(path).text
    client.post(f"{path}/reinstate", data={"csrf_token": token, "reason": "đã xác minh"})
    assert _status(world, issued[1]) == Status.VALID


def test_revoke_flow(world: PageWorld, issued: list[str]) -> None:
    client = world.clients["principal_a"]
    path = f"{_BASE}/credentials/{issued[2]}"
    response = client.post(f"{path}/revoke", data={"csrf_token": world.csrf("principal_a"),
                                                   "reason": "cấp nhầm học sinh",
                                                   "reason_code": "2"})
    assert response.status_code == 303
    assert 'data-status="revoked"' in client.get(path).text
    assert _status(world, issued[2]) == Status.REVOKED


def test_public_link_says_revoked(world: PageWorld, issued: list[str]) -> None:
    world.clients["principal_a"].post(
        f"{_BASE}/credentials/{issued[3]}/revoke",
        data={"csrf_token": world.csrf("principal_a"), "reason": "gian lận", "reason_code": "3"})
    page = world.clients["principal_a"].get(f"{_BASE}/credentials/{issued[3]}").text
    public = re.search(r'href="([^"]+)" data-public="1"', page)
    assert public is not None
    verdict = world.clients["anonymous"].get(public.group(1).replace("&amp;", "&"))
    assert verdict.json()["status"] == "revoked"


def test_audit_shows_who_when_why(world: PageWorld, issued: list[str]) -> None:
    world.clients["principal_a"].post(
        f"{_BASE}/credentials/{issued[5]}/suspend",
        data={"csrf_token": world.csrf("principal_a"), "reason": "lý do kiểm toán trang"})
    page = world.clients["principal_a"].get(f"{_BASE}/audit").text
    row = next(line for line in page.split("<tr>") if "lý do kiểm toán trang" in line)
    assert "hieu-truong-a" in row
    assert "Tạm đình chỉ" in row
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", row)


def test_reissue_names_replaced(world: PageWorld, issued: list[str], tmp_path: Path) -> None:
    old = issued[4]
    client = world.clients["principal_a"]
    student = replace(world.class_records.students[4], remark="Nhận xét đã đính chính.")
    corrected = replace(world.class_records, students=[student])
    data = write_class_csv(corrected, tmp_path / "d.csv").read_bytes()
    response = client.post(f"{_BASE}/credentials/{old}/reissue",
                           files={"file": ("d.csv", data, "text/csv")},
                           data={"csrf_token": world.csrf("principal_a"),
                                 "reason": "sai nhận xét"})
    assert response.status_code == 303, response.text[:500]
    page = client.get(response.headers["location"]).text
    assert f'data-replaces="{old}"' in page
    assert _status(world, old) == Status.REVOKED


def test_reissue_bad_file_lists_problems(world: PageWorld, issued: list[str]) -> None:
    response = world.clients["principal_a"].post(
        f"{_BASE}/credentials/{issued[0]}/reissue",
        files={"file": ("d.csv", world.bad_csv, "text/csv")},
        data={"csrf_token": world.csrf("principal_a"), "reason": "thử"})
    assert response.status_code == 422
    assert "Điểm 11" in response.text


def test_dashboard_counts(world: PageWorld, issued: list[str]) -> None:
    page = world.clients["staff_a"].get(_BASE).text
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', page))
    assert sum(int(value) for value in counts.values()) >= 6


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_template_downloads(world: PageWorld, name: str) -> None:
    response = world.clients["anonymous"].get(f"/templates/{name}")
    assert response.status_code == 200
    assert len(response.content) > 100


@pytest.mark.parametrize("grade", [6, 9])
def test_csv_template_header(world: PageWorld, grade: int) -> None:
    data = world.clients["anonymous"].get(f"/templates/lop-thcs-tt22-khoi-{grade}.csv").content
    header = data.decode("utf-8-sig").splitlines()[0].split(",")
    assert header == template_header(load_curriculum(), grade)


def test_xlsx_template_header(world: PageWorld) -> None:
    data = world.clients["anonymous"].get("/templates/lop-thcs-tt22-khoi-7.xlsx").content
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    header = [cell for cell in next(sheet.iter_rows(values_only=True)) if cell is not None]
    assert header == template_header(load_curriculum(), 7)


def test_unknown_template_404(world: PageWorld) -> None:
    response = world.clients["anonymous"].get("/templates/../pyproject.toml")
    assert response.status_code == 404


def test_api_preview_keeps_shape(world: PageWorld) -> None:
    page = _upload(world, "staff_a", "lop.csv", world.bad_csv)
    job = page.rsplit("/", 1)[1]
    from sqlmodel import Session

    from hocba.db import ImportJob
    with Session(world.network.engine) as db:
        stored = db.get(ImportJob, int(job))
        assert stored is not None
        preview = json.loads(stored.preview_json)
    assert preview["rows"] == []
    assert len(preview["checkedRows"]) == 6
