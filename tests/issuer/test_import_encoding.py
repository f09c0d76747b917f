"""CSV encodings: Windows-1258 and CP1252 files rejected by name, mojibake found per cell."""

from __future__ import annotations

import csv
import io
import unicodedata

import pytest

from hocba.errors import ImportRowsError
from issuer.import_encoding import find_mojibake, guess_legacy_encoding
from issuer.importer import ImportProblem, class_rows, read_class_csv
from scripts.sample_data import generate_school

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


@pytest.fixture
def rows() -> list[list[str]]:
    return [list(row) for row in class_rows(generate_school(7)[2])]


def to_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def encode_cp1258(text: str) -> bytes:
    """Encode as Windows does: precomposed base letters, tone marks as combining bytes."""
    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        tones = "".join(mark for mark in decomposed if mark in TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in TONE_MARKS))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


def problems_of(data: bytes) -> list[ImportProblem]:
    with pytest.raises(ImportRowsError) as info:
        read_class_csv(data)
    return info.value.problems


def only(problems: list[ImportProblem], code: str) -> ImportProblem:
    matching = [problem for problem in problems if problem.code == code]
    assert len(matching) == 1, problems
    return matching[0]


def test_cp1258_round_trips(rows: list[list[str]]) -> None:
    text = to_text(rows)
    decoded = encode_cp1258(text).decode("cp1258")
    assert unicodedata.normalize("NFC", decoded) == text


def test_cp1258_file_rejected(rows: list[list[str]]) -> None:
    problem = only(problems_of(encode_cp1258(to_text(rows))), "invalid_encoding")
    assert problem.value == "Windows-1258"


def test_cp1258_first_bad_row(rows: list[list[str]]) -> None:
    problem = only(problems_of(encode_cp1258(to_text(rows))), "invalid_encoding")
    assert problem.row == 1


def test_cp1258_message_says_resave(rows: list[list[str]]) -> None:
    problem = only(problems_of(encode_cp1258(to_text(rows))), "invalid_encoding")
    assert "CSV UTF-8" in problem.message_vi


def test_cp1252_file_rejected(rows: list[list[str]]) -> None:
    data = to_text(rows).encode("cp1252", errors="replace")
    assert only(problems_of(data), "invalid_encoding").value == "Windows-1252"


def test_guess_short_cp1258() -> None:
    assert guess_legacy_encoding(encode_cp1258("Nguyễn Thị Hường")) == "Windows-1258"


def test_guess_western_text() -> None:
    assert guess_legacy_encoding("Café crème, Zoë".encode("cp1252")) == "Windows-1252"


def test_mojibake_cell_rejected(rows: list[list[str]]) -> None:
    garbled = "Nguyễn Văn An".encode().decode("cp1252")
    rows[3][rows[0].index("Họ và tên")] = garbled
    problem = only(problems_of(to_text(rows).encode("utf-8-sig")), "mojibake")
    assert (problem.row, problem.column, problem.value) == (4, "Họ và tên", garbled)


def test_mojibake_suggests_repair(rows: list[list[str]]) -> None:
    rows[3][rows[0].index("Họ và tên")] = "Nguyễn Văn An".encode().decode("cp1252")
    problem = only(problems_of(to_text(rows).encode("utf-8-sig")), "mojibake")
    assert "Nguyễn Văn An" in problem.message_vi


def test_mojibake_reported_once(rows: list[list[str]]) -> None:
    rows[3][rows[0].index("Họ và tên")] = "Nguyễn Văn An".encode().decode("cp1252")
    problems = problems_of(to_text(rows).encode("utf-8-sig"))
    assert [problem.code for problem in problems if problem.row == 4] == ["mojibake"]


def test_mojibake_in_remark(rows: list[list[str]]) -> None:
    rows[2][-1] = "Chăm chỉ, ngoan.".encode().decode("cp1252")
    assert only(problems_of(to_text(rows).encode()), "mojibake").column == "Nhận xét"


@pytest.mark.parametrize(
    "text",
    ["Nguyễn Văn An", "Lê Hà", "Đỗ Thị Ánh", "café", "Ngô Bảo Châu", "8.5", ""],
)
def test_clean_text_not_mojibake(text: str) -> None:
    assert find_mojibake(text) is None


def test_mojibake_with_c1_control() -> None:
    garbled = "".join(chr(byte) for byte in "Hồ Thị Mỏ".encode())
    assert find_mojibake(garbled) == "Hồ Thị Mỏ"
