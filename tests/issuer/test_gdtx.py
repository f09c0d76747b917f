"""Continuing-education (GDTX) transcripts: học viên wording, the director signs."""

from __future__ import annotations

from pathlib import Path

import pytest

from hocba.chain import connect_embedded
from hocba.status import Status
from issuer.curriculum import curriculum_for, load_curriculum
from issuer.elective_csv import read_elective_class_csv, write_elective_class_csv
from issuer.issuance import prepare_batch
from issuer.records import ClassRecords
from scripts.demo_documents import tampered_copy
from scripts.sample_data import THPT_SCHOOL, SampleSchool, _generate_graded
from tests.issuer.record_flow import anchor_and_render, page_png, page_text, status_of_file
from tests.network import build_network

GDTX = load_curriculum("gdtx-thpt")
CENTRE = SampleSchool("gdtx-cu-chi", "Trung tâm GDNN-GDTX Củ Chi", "79785701", "79",
                      "Phạm Văn Lộc", (("10B1", "Võ Thị Hạnh"),))


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    from issuer.rules import load_rules

    folder = tmp_path_factory.mktemp("gdtx")
    chosen = GDTX.with_electives(("VAT_LI", "HOA_HOC", "SINH_HOC", "TIN_HOC"))
    classes: ClassRecords = _generate_graded(CENTRE, 4, "2025-2026", (4, 4), chosen,
                                             load_rules())[0]
    sheet = write_elective_class_csv(classes, folder / "10B1.csv", GDTX)
    network = build_network(connect_embedded(), folder / "home")
    signer = network.register(CENTRE.school_code, CENTRE.name)
    prepared = prepare_batch(read_elective_class_csv(sheet, GDTX), signer, curriculum=GDTX)
    return network, anchor_and_render(network, signer, prepared, folder / "pdf")


def test_level_lookup() -> None:
    assert curriculum_for("GDTX", 12).id == "gdtx-thpt"


def test_no_physical_education() -> None:
    assert "GDTC" not in [item.code for item in GDTX.subjects]


def test_valid(issued: tuple) -> None:
    assert status_of_file(issued[0], issued[1][0]) is Status.VALID


def test_tampered(issued: tuple, tmp_path: Path) -> None:
    forged = tampered_copy(issued[1][0], tmp_path / "forged.pdf")
    assert status_of_file(issued[0], forged) is Status.TAMPERED


def test_learner_wording(issued: tuple) -> None:
    assert "Mã học viên" in page_text(issued[1][0])


def test_director_signs(issued: tuple) -> None:
    assert "GIÁM ĐỐC" in page_text(issued[1][0])


def test_page_png(issued: tuple) -> None:
    assert page_png(issued[1][0], "gdtx-10b1").stat().st_size > 10_000


def test_thpt_school_untouched() -> None:
    assert THPT_SCHOOL.principal == "Trần Quốc Việt"
