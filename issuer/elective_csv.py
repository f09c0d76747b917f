"""Read and write class spreadsheets of programmes with elective subjects (THPT, GDTX).

The school's elective subjects are read from the header: a subject is chosen
when its ``<label> HKI`` column is present. The curriculum is then restricted to
the compulsory subjects plus those electives and the THCS reader
(``issuer.importer.read_class_csv``) checks every row against it, so the
row-level Vietnamese errors are the same as for THCS.
"""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

from hocba.errors import ImportRowsError, InputError
from issuer.curriculum import Curriculum
from issuer.import_rows import ImportProblem
from issuer.importer import read_class_csv, write_class_csv
from issuer.records import ClassRecords

__all__ = ["chosen_electives", "read_elective_class_csv", "write_elective_class_csv"]

logger = logging.getLogger(__name__)


def _header(data: bytes) -> list[str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return []
    first = next(csv.reader(io.StringIO(text)), [])
    return [cell.strip().casefold() for cell in first]


def chosen_electives(header: list[str], curriculum: Curriculum) -> list[str]:
    """Return the codes of the elective subjects whose term I column is in ``header``."""
    present = {cell.strip().casefold() for cell in header}
    return [subject.code for subject in curriculum.subjects
            if subject.elective and f"{subject.csv_label} HKI".casefold() in present]


def read_elective_class_csv(source: str | Path | bytes, curriculum: Curriculum, *,
                            source_name: str | None = None) -> ClassRecords:
    """Read one class whose elective subjects are chosen by the header columns.

    Raise ``ImportRowsError`` when the header names the wrong number of electives
    or when any row is rejected.
    """
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    name = source_name or ("" if isinstance(source, bytes) else Path(source).name)
    restricted = curriculum
    if curriculum.has_open_electives:
        codes = chosen_electives(_header(data), curriculum)
        try:
            restricted = curriculum.with_electives(codes)
        except InputError as exc:
            problem = ImportProblem(1, "", ", ".join(codes), exc.message_vi, str(exc),
                                    exc.code)
            raise ImportRowsError([problem], source=name) from exc
        logger.debug("class file %s chose electives %s", name or "bytes", codes)
    return read_class_csv(data, restricted, source_name=name)


def write_elective_class_csv(class_records: ClassRecords, path: str | Path,
                             curriculum: Curriculum) -> Path:
    """Write ``class_records`` with the columns of the electives its students study."""
    if not class_records.students:
        raise InputError(f"class {class_records.class_name} has no students", code="empty_class")
    codes = [result.code for result in class_records.students[0].subjects]
    return write_class_csv(class_records, path, curriculum.for_subject_codes(codes))
