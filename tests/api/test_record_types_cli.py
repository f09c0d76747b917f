"""`hocba school preview --type` and `hocba school issue --type` for the non-THCS record types.

`issue` runs in this process against the page world's instance (the in-process
chain), so the written PDFs can be verified with the same chain.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import hocba.cli
from hocba.cli import app
from hocba.status import Status
from tests.api.record_samples import SAMPLE_TYPES, build_sample
from tests.api.school_pages_world import SCHOOL_A, PageWorld, build_world
from verifier.inputs import verify_bytes


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageWorld]:
    yield from build_world(tmp_path_factory.mktemp("types-cli"), students=3)


def _preview(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["school", "preview", *args], env={"COLUMNS": "300"})
    return result.exit_code, result.stdout


@pytest.mark.parametrize("alias", [alias for alias in SAMPLE_TYPES if alias != "thcs"])
def test_preview_xlsx_ready(alias: str, tmp_path: Path) -> None:
    sample = build_sample(alias, tmp_path)
    sheet = tmp_path / "lop.xlsx"
    sheet.write_bytes(sample.good_xlsx)
    code, output = _preview(str(sheet), "--type", alias, "--json")
    assert code == 0, output
    assert json.loads(output)["canIssue"] is True


@pytest.mark.parametrize("alias", [alias for alias in SAMPLE_TYPES if alias != "thcs"])
def test_preview_bad_row_exits_one(alias: str, tmp_path: Path) -> None:
    sheet = tmp_path / "lop.csv"
    sheet.write_bytes(build_sample(alias, tmp_path).bad_csv)
    code, output = _preview(str(sheet), "--type", alias, "--json")
    assert code == 1
    bad = [row["row"] for row in json.loads(output)["rows"] if not row["ok"]]
    assert bad == [3]


def test_preview_default_is_thcs(tmp_path: Path) -> None:
    sheet = tmp_path / "lop.csv"
    sheet.write_bytes(build_sample("thcs", tmp_path).good_csv)
    code, output = _preview(str(sheet), "--json")
    assert code == 0
    assert json.loads(output)["recordType"] == "transcript-thcs-tt22"


def test_preview_unknown_type_exits_two(tmp_path: Path) -> None:
    sheet = tmp_path / "lop.csv"
    sheet.write_bytes(build_sample("thcs", tmp_path).good_csv)
    code, _output = _preview(str(sheet), "--type", "diploma")
    assert code == 2


@pytest.mark.parametrize("alias", ["primary", "completion"])
def test_issue_type_verifies(world: PageWorld, alias: str, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hocba.cli, "Instance", lambda *_args, **_kwargs: world.instance)
    monkeypatch.setattr(hocba.cli, "load_settings", lambda _home: world.instance.settings)
    sheet = tmp_path / "lop.xlsx"
    sheet.write_bytes(build_sample(alias, tmp_path / "in").good_xlsx)
    result = CliRunner().invoke(app, ["school", "issue", str(sheet), "--type", alias,
                                      "--school", SCHOOL_A, "--out", str(tmp_path / "pdf")])
    assert result.exit_code == 0, result.stdout
    pdfs = sorted((tmp_path / "pdf").glob(f"*-{alias}/*.pdf"))
    assert len(pdfs) == 3
    verdict = verify_bytes(pdfs[0].read_bytes(), world.instance.verifier_context(),
                           source=str(pdfs[0]))
    assert verdict.status is Status.VALID
