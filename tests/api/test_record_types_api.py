"""Every record type through the school API: upload CSV and XLSX, preview, approve, verify the PDF.

One school issues a three-student class of each type twice, once from the CSV
and once from the XLSX copy, over the in-process chain. The PDFs are fetched
through the staff pages' PDF links and verified as a verifier would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from hocba.status import Status
from issuer.record_types import record_type
from tests.api.record_samples import SAMPLE_TYPES, RecordSample, build_sample, xlsx_copy
from tests.api.school_pages_world import SCHOOL_A, PageWorld, build_world
from verifier.inputs import verify_bytes

_API = f"/v1/schools/{SCHOOL_A}"
_PAGES = f"/school/{SCHOOL_A}"
_MEDIA = {"csv": "text/csv",
          "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_CASES = [(alias, kind) for alias in SAMPLE_TYPES for kind in ("csv", "xlsx")]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageWorld]:
    yield from build_world(tmp_path_factory.mktemp("types"), students=3)


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, RecordSample]:
    folder = tmp_path_factory.mktemp("samples")
    return {alias: build_sample(alias, folder / alias) for alias in SAMPLE_TYPES}


@pytest.fixture(scope="module")
def api_headers(world: PageWorld) -> dict[str, dict[str, str]]:
    """Log staff and principal in through ``POST /v1/session``; return their headers."""
    headers = {}
    for role, login in (("staff", "giao-vu-a"), ("principal", "hieu-truong-a")):
        client = world.clients["anonymous"]
        response = client.post("/v1/session", json={"login": login,
                                                    "password": "mật khẩu thử nghiệm 2026"})
        assert response.status_code == 200, response.text[:300]
        token = response.cookies["hocba_session"]
        client.cookies.clear()
        headers[role] = {"Cookie": f"hocba_session={token}",
                         "X-CSRF-Token": response.json()["csrfToken"]}
    return headers


def _upload(world: PageWorld, headers: dict[str, str], name: str, data: bytes,
            record_type_field: str | None) -> Any:
    fields = {} if record_type_field is None else {"recordType": record_type_field}
    suffix = name.rsplit(".", 1)[1]
    return world.clients["anonymous"].post(f"{_API}/imports", headers=headers,
                                           files={"file": (name, data, _MEDIA[suffix])},
                                           data=fields)


@pytest.fixture(scope="module")
def issued(world: PageWorld, samples: dict[str, RecordSample],
           api_headers: dict[str, dict[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Upload each good file as staff and approve it as the principal; keep both responses."""
    results = {}
    for alias, kind in _CASES:
        sample = samples[alias]
        data = sample.good_csv if kind == "csv" else sample.good_xlsx
        uploaded = _upload(world, api_headers["staff"], f"lop.{kind}", data,
                           record_type(alias).code)
        assert uploaded.status_code == 201, uploaded.text[:500]
        job = uploaded.json()
        approved = world.clients["anonymous"].post(f"{_API}/imports/{job['id']}/approve",
                                                   headers=api_headers["principal"])
        results[(alias, kind)] = {"upload": job, "approve": approved}
    return results


@pytest.mark.parametrize(("alias", "kind"), _CASES)
def test_preview_ready(issued: dict, alias: str, kind: str) -> None:
    preview = issued[(alias, kind)]["upload"]["preview"]
    assert preview["problems"] == []
    assert len(preview["rows"]) == 3


@pytest.mark.parametrize(("alias", "kind"), _CASES)
def test_preview_keeps_type(issued: dict, alias: str, kind: str) -> None:
    preview = issued[(alias, kind)]["upload"]["preview"]
    assert preview["recordType"] == record_type(alias).code


@pytest.mark.parametrize("alias", list(SAMPLE_TYPES))
def test_xlsx_rows_are_sheet_rows(issued: dict, alias: str) -> None:
    rows = issued[(alias, "xlsx")]["upload"]["preview"]["rows"]
    assert [row["row"] for row in rows] == [3, 4, 5]


@pytest.mark.parametrize("alias", list(SAMPLE_TYPES))
def test_xlsx_date_serial_read(issued: dict, samples: dict[str, RecordSample],
                               alias: str) -> None:
    rows = issued[(alias, "xlsx")]["upload"]["preview"]["rows"]
    assert rows[0]["birthDate"] == samples[alias].first_birth_date


@pytest.mark.parametrize(("alias", "kind"), _CASES)
def test_approve_issues(issued: dict, alias: str, kind: str) -> None:
    approved = issued[(alias, kind)]["approve"]
    assert approved.status_code == 201, approved.text[:500]
    assert len(approved.json()["credentials"]) == 3


@pytest.mark.parametrize(("alias", "kind"), _CASES)
def test_approve_reports_type(issued: dict, alias: str, kind: str) -> None:
    assert issued[(alias, kind)]["approve"].json()["recordType"] == record_type(alias).code


@pytest.mark.parametrize(("alias", "kind"), _CASES)
def test_batch_anchored(world: PageWorld, issued: dict, api_headers: dict, alias: str,
                        kind: str) -> None:
    batch_id = issued[(alias, kind)]["approve"].json()["batchId"]
    batches = world.clients["anonymous"].get(f"{_API}/batches",
                                             headers=api_headers["staff"]).json()["batches"]
    found = next(item for item in batches if item["id"] == batch_id)
    assert found["status"] == "anchored"
    assert found["blockNumber"] is not None


@pytest.mark.parametrize(("alias", "kind"), _CASES)
def test_pdf_verifies_valid(world: PageWorld, issued: dict, alias: str, kind: str) -> None:
    job_id = issued[(alias, kind)]["upload"]["id"]
    page = world.clients["principal_a"].get(f"{_PAGES}/imports/{job_id}").text
    ids = re.findall(r'data-pdf="([0-9a-f-]{36})"', page)
    assert len(ids) == 3
    response = world.clients["principal_a"].get(f"{_PAGES}/credentials/{ids[0]}/pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    result = verify_bytes(response.content, world.instance.verifier_context(), source="test")
    assert result.status is Status.VALID


@pytest.mark.parametrize("alias", list(SAMPLE_TYPES))
def test_bad_row_error_shown(world: PageWorld, samples: dict[str, RecordSample],
                             api_headers: dict, alias: str) -> None:
    column, _value, code = SAMPLE_TYPES[alias]
    response = _upload(world, api_headers["staff"], "lop.csv", samples[alias].bad_csv,
                       record_type(alias).code)
    preview = response.json()["preview"]
    assert [(p["row"], p["column"], p["code"]) for p in preview["problems"]] == [
        (3, column, code)]


@pytest.mark.parametrize("alias", list(SAMPLE_TYPES))
def test_bad_row_good_rows_listed(world: PageWorld, samples: dict[str, RecordSample],
                                  api_headers: dict, alias: str) -> None:
    response = _upload(world, api_headers["staff"], "lop.csv", samples[alias].bad_csv,
                       record_type(alias).code)
    checked = response.json()["preview"]["checkedRows"]
    assert [row["ok"] for row in checked] == [True, False, True]


@pytest.mark.parametrize("alias", list(SAMPLE_TYPES))
def test_bad_file_approve_rejected(world: PageWorld, samples: dict[str, RecordSample],
                                   api_headers: dict, alias: str) -> None:
    job = _upload(world, api_headers["staff"], "lop.csv", samples[alias].bad_csv,
                  record_type(alias).code).json()
    response = world.clients["anonymous"].post(f"{_API}/imports/{job['id']}/approve",
                                               headers=api_headers["principal"])
    assert response.status_code == 422


def test_default_type_is_thcs(world: PageWorld, samples: dict[str, RecordSample],
                              api_headers: dict) -> None:
    response = _upload(world, api_headers["staff"], "lop.csv", samples["thcs"].good_csv, None)
    assert response.json()["preview"]["recordType"] == "transcript-thcs-tt22"


def test_wrong_type_shows_header_problems(world: PageWorld, samples: dict[str, RecordSample],
                                          api_headers: dict) -> None:
    response = _upload(world, api_headers["staff"], "lop.csv", samples["thcs"].good_csv,
                       "primary")
    assert response.json()["preview"]["problems"] != []


def test_unknown_type_422(world: PageWorld, samples: dict[str, RecordSample],
                          api_headers: dict) -> None:
    response = _upload(world, api_headers["staff"], "lop.csv", samples["thcs"].good_csv,
                       "diploma")
    assert response.status_code == 422
    assert response.json()["code"] == "record_type_unknown"


@pytest.mark.parametrize("alias", ["primary", "competence"])
def test_xlsx_formula_rejected(world: PageWorld, samples: dict[str, RecordSample],
                               api_headers: dict, alias: str) -> None:
    data = xlsx_copy(samples[alias].good_csv, formula_at="Họ và tên")
    preview = _upload(world, api_headers["staff"], "lop.xlsx", data,
                      record_type(alias).code).json()["preview"]
    assert [(p["row"], p["code"]) for p in preview["problems"]] == [(3, "formula_cell")]


def test_empty_file_problem(world: PageWorld, api_headers: dict) -> None:
    response = _upload(world, api_headers["staff"], "lop.csv", b"", "completion")
    assert [p["code"] for p in response.json()["preview"]["problems"]] == ["empty_file"]


def test_legacy_encoding_problem(world: PageWorld, samples: dict[str, RecordSample],
                                 api_headers: dict) -> None:
    text = samples["competence"].good_csv.decode("utf-8-sig")
    data = text.encode("cp1258", errors="replace")
    response = _upload(world, api_headers["staff"], "lop.csv", data, "competence")
    assert [p["code"] for p in response.json()["preview"]["problems"]] == ["invalid_encoding"]
