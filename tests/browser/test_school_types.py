"""A primary-school transcript through the staff pages in headless Chromium.

The staff member picks "Học bạ tiểu học" on the upload form, uploads a CSV with
one bad periodic-test score and reads the row error, then uploads the fixed
class as XLSX. The principal approves, downloads a PDF and checks it on the
public page. With HOCBA_UPDATE_SCREENSHOTS=1 the preview with the error and the issued
batch are also written to docs/images/school-types-*.png for the user guides.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.record_samples import build_sample
from tests.api.school_pages_world import SCHOOL_A, PageWorld, build_world

# school_url serves this module's world; Person is one browser context per person.
from tests.browser.test_school_pages import (  # noqa: F401
    Person,
    download_first,
    public_status,
    school_url,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PRIMARY = "transcript-tieu-hoc-tt27"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageWorld]:
    yield from build_world(tmp_path_factory.mktemp("types-browser"), students=3)


def _upload(person: Person, file: Path, record_type: str) -> None:
    person.page.goto(f"{person.base}/school/{SCHOOL_A}/imports/new")
    person.page.select_option("#record_type", record_type)
    person.page.set_input_files("#file", str(file))
    person.submit("form.staff-form button[type=submit]")


def test_primary_story(browser: Any, school_url: str, world: PageWorld,  # noqa: F811
                       tmp_path: Path) -> None:
    sample = build_sample("primary", tmp_path / "in", size=3)
    bad, good = tmp_path / "lop-4a1-loi.csv", tmp_path / "lop-4a1.xlsx"
    bad.write_bytes(sample.bad_csv)
    good.write_bytes(sample.good_xlsx)
    dashboard = f"/school/{SCHOOL_A}"

    staff = Person(browser, school_url, tmp_path)
    staff.login(dashboard, "giao-vu-a")
    staff.page.goto(f"{school_url}{dashboard}/imports/new")
    options = staff.page.locator("#record_type option")
    assert options.count() == 6

    _upload(staff, bad, PRIMARY)
    assert staff.page.locator("dd[data-record-type]").get_attribute(
        "data-record-type") == PRIMARY
    error_row = staff.page.locator('tr.bad[data-row="3"]')
    assert "Toán KTĐK" in error_row.inner_text()
    assert "số nguyên từ 1 đến 10" in error_row.inner_text()
    assert staff.page.locator("tr.good").count() == 2
    assert staff.page.locator('[data-action="approve"]').count() == 0
    staff.shot("types-preview-errors-desktop")

    _upload(staff, good, PRIMARY)
    assert staff.page.locator('[data-waiting="principal"]').is_visible()
    assert staff.page.locator('tr.good[data-row="3"]').count() == 1
    import_path = staff.page.url.removeprefix(school_url)

    principal = Person(browser, school_url, tmp_path)
    principal.login(import_path, "hieu-truong-a")
    principal.submit('[data-action="approve"]')
    assert re.fullmatch(r"0x[0-9a-f]{64}", principal.page.locator('[data-tx="1"]').inner_text())
    pdf_links = principal.page.locator("a[data-pdf]")
    assert pdf_links.count() == 3
    principal.shot("types-issued-desktop")

    pdf = download_first(principal, pdf_links, tmp_path / "hoc-ba-tieu-hoc.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert public_status(browser, school_url, tmp_path, pdf) == "valid"
    for person in (staff, principal):
        person.context.close()
