"""Reading the records a wallet holds: who they name, what they contain, what can be hidden.

The wallet pages show a credential's ``credentialSubject`` as labelled rows. The same
rows, called field groups here, are what a student ticks to show or hide when sharing:
one group per identifier, per summary value (class, school year, ...) and per result.
A result's group also reveals its entry of ``achievement.resultDescription``, so the
recipient reads the subject's name and term next to the value.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hocba.anchoring import flatten_fields
from wallet.disclosure import hide_birth_date, results_and_conduct

__all__ = [
    "PRESET_NAMES",
    "FieldGroup",
    "LearnerFacts",
    "describe_revealed",
    "field_groups",
    "learner_facts",
    "record_kind",
    "reveal_pointers",
]

logger = logging.getLogger(__name__)

_LEARNER_ID = re.compile(r"\d{10}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(T[0-9:]+(Z|[+-]\d{2}:\d{2})?)?$")
_ALWAYS_SHOWN = ("/achievement/id", "/achievement/name")

_IDENTITY_LABELS = {
    "name": ("Họ và tên", "Full name"),
    "ext:birthDate": ("Ngày sinh", "Date of birth"),
    "studentId": ("Mã định danh học sinh", "Learner id"),
}
_SUMMARY_LABELS = {
    "schoolYear": ("Năm học", "School year"),
    "educationLevel": ("Cấp học", "Education level"),
    "grade": ("Khối lớp", "Grade"),
    "className": ("Lớp", "Class"),
    "gender": ("Giới tính", "Gender"),
    "activityStartDate": ("Ngày bắt đầu năm học", "School year start"),
    "activityEndDate": ("Ngày kết thúc năm học", "School year end"),
    "homeroomTeacher": ("Giáo viên chủ nhiệm", "Homeroom teacher"),
    "principal": ("Hiệu trưởng", "Principal"),
    "remark": ("Nhận xét", "Remark"),
}
_KINDS = {
    "ext:YearTranscript": ("Học bạ", "Year transcript"),
    "ext:PrimaryYearTranscript": ("Học bạ tiểu học", "Primary year transcript"),
    "ext:CompletionConfirmation": ("Giấy xác nhận hoàn thành chương trình",
                                   "Completion confirmation"),
    "Certificate": ("Chứng chỉ", "Certificate"),
}
_TRANSCRIPTS = ("ext:YearTranscript", "ext:PrimaryYearTranscript")

PRESET_NAMES = {
    "all": ("Hiện tất cả", "Show everything"),
    "results-conduct": ("Chỉ kết quả học tập và rèn luyện (ẩn điểm từng môn, ngày sinh)",
                        "Only the academic and conduct results (hide subject scores, date of "
                        "birth)"),
    "hide-birth-date": ("Ẩn ngày sinh", "Hide the date of birth"),
}
"""Share presets: name -> (Vietnamese label, English label)."""


@dataclass(frozen=True)
class LearnerFacts:
    """The learner a credential names: full name, ISO birth date, 10-digit learner id or None."""

    name: str
    birth_date: str
    learner_key: str | None


@dataclass
class FieldGroup:
    """One row of a record: what it is called, its value, and the pointers it covers."""

    key: str
    label_vi: str
    label_en: str
    value: str
    category: str  # identity, summary, result, other
    pointers: list[str] = field(default_factory=list)
    presets: list[str] = field(default_factory=list)


def _identity(subject: Mapping[str, Any], identity_type: str) -> str:
    for entry in subject.get("identifier") or []:
        if isinstance(entry, Mapping) and entry.get("identityType") == identity_type:
            value = entry.get("identityHash")
            return value if isinstance(value, str) else ""
    return ""


def learner_facts(credential_json: str) -> LearnerFacts:
    """Read the learner's name, birth date and learner id from a stored credential."""
    try:
        document = json.loads(credential_json)
    except ValueError:
        document = {}
    subject = document.get("credentialSubject") if isinstance(document, dict) else None
    subject = subject if isinstance(subject, Mapping) else {}
    learner_id = _identity(subject, "studentId")
    return LearnerFacts(_identity(subject, "name"), _identity(subject, "ext:birthDate"),
                        learner_id if _LEARNER_ID.fullmatch(learner_id) else None)


def record_kind(credential: Mapping[str, Any]) -> tuple[str, str]:
    """Return the record type's name in Vietnamese and English."""
    subject = credential.get("credentialSubject") or {}
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    kind = achievement.get("achievementType") if isinstance(achievement, Mapping) else None
    fallback = achievement.get("name") if isinstance(achievement, Mapping) else None
    return _KINDS.get(str(kind), (str(fallback or "Văn bản"), str(fallback or "Record")))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, str) and _ISO_DATE.match(value):
        # Dates are shown as dd/mm/yyyy, the way Vietnamese documents write them.
        return f"{value[8:10]}/{value[5:7]}/{value[0:4]}"
    return "" if value is None else str(value)


def _description_names(subject: Mapping[str, Any]) -> dict[str, tuple[int, str]]:
    achievement = subject.get("achievement")
    entries = achievement.get("resultDescription") if isinstance(achievement, Mapping) else None
    names: dict[str, tuple[int, str]] = {}
    for index, entry in enumerate(entries or []):
        if isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
            names[entry["id"]] = (index, str(entry.get("name") or entry["id"]))
    return names


def _result_label(reference: str, names: Mapping[str, tuple[int, str]]) -> tuple[str, str]:
    if reference in names:
        return names[reference][1], names[reference][1]
    return reference, reference


def _groups_of(subject: Mapping[str, Any]) -> list[FieldGroup]:
    groups: list[FieldGroup] = []
    for index, entry in enumerate(subject.get("identifier") or []):
        if not isinstance(entry, Mapping):
            continue
        kind = str(entry.get("identityType"))
        vi, en = _IDENTITY_LABELS.get(kind, (kind, kind))
        pointer = f"/identifier/{index}"
        groups.append(FieldGroup(pointer, vi, en, _text(entry.get("identityHash")), "identity",
                                 [pointer]))
    for key, (vi, en) in _SUMMARY_LABELS.items():
        if key in subject:
            groups.append(FieldGroup(f"/{key}", vi, en, _text(subject[key]), "summary",
                                     [f"/{key}"]))
    names = _description_names(subject)
    for index, result in enumerate(subject.get("result") or []):
        if not isinstance(result, Mapping):
            continue
        reference = str(result.get("resultDescription") or "")
        vi, en = _result_label(reference, names)
        pointers = [f"/result/{index}"]
        if reference in names:
            position = names[reference][0]
            pointers += [f"/achievement/resultDescription/{position}/id",
                         f"/achievement/resultDescription/{position}/name"]
        groups.append(FieldGroup(f"/result/{index}", vi, en, _text(result.get("value")),
                                 "result", pointers))
    known = {"identifier", "achievement", "result", "type", *_SUMMARY_LABELS}
    for key, value in subject.items():
        if key not in known:
            groups.append(FieldGroup(f"/{key}", key, key,
                                     _text(value) if not isinstance(value, dict | list)
                                     else json.dumps(value, ensure_ascii=False), "other",
                                     [f"/{key}"]))
    return groups


def _covered(pointers: Iterable[str], chosen: Iterable[str]) -> bool:
    chosen = list(chosen)
    return all(any(p == c or p.startswith(c + "/") for c in chosen) for p in pointers)


def field_groups(credential: Mapping[str, Any]) -> list[FieldGroup]:
    """List a credential's rows, each marked with the share presets that reveal it."""
    subject = credential.get("credentialSubject") or {}
    groups = _groups_of(subject)
    presets: dict[str, list[str]] = {"hide-birth-date": hide_birth_date(credential)}
    if _achievement_type(subject) in _TRANSCRIPTS:
        presets["results-conduct"] = results_and_conduct(credential)
    for group in groups:
        group.presets = ["all"] + [name for name, chosen in presets.items()
                                   if _covered(group.pointers[:1], chosen)]
    return groups


def _achievement_type(subject: Mapping[str, Any]) -> str | None:
    achievement = subject.get("achievement")
    kind = achievement.get("achievementType") if isinstance(achievement, Mapping) else None
    return kind if isinstance(kind, str) else None


def reveal_pointers(credential: Mapping[str, Any], chosen_keys: Iterable[str]) -> list[str]:
    """Return the pointers to reveal for the chosen group keys, plus the record type's name."""
    by_key = {group.key: group for group in _groups_of(credential.get("credentialSubject") or {})}
    fields = {pointer for pointer, _ in flatten_fields(credential.get("credentialSubject") or {})}
    pointers = [pointer for pointer in _ALWAYS_SHOWN if pointer in fields]
    for key in dict.fromkeys(chosen_keys):
        group = by_key.get(key)
        if group is None:
            logger.info("ignored unknown field group in a share request")
            continue
        pointers += group.pointers
    return list(dict.fromkeys(pointers))


def _rebuild(revealed: Mapping[str, Any]) -> dict[str, Any]:
    """Rebuild a partial ``credentialSubject`` from ``pointer -> value`` pairs."""
    root: dict[str, Any] = {}
    for pointer, value in revealed.items():
        parts = [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]
        node: Any = root
        for part, following in zip(parts, [*parts[1:], None], strict=True):
            if following is None:
                node[part] = value
                break
            node = node.setdefault(part, {})
    return _lists(root)


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {key: _lists(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        size = max(int(key) for key in converted) + 1
        return [converted.get(str(index)) for index in range(size)]
    return converted


def describe_revealed(revealed: Mapping[str, Any]) -> list[dict[str, str]]:
    """Label the revealed fields of a disclosure for the recipient's page."""
    subject = _rebuild(revealed)
    rows = []
    for group in _groups_of(subject):
        if group.category == "result" and not group.value:
            continue
        rows.append({"label_vi": group.label_vi, "label_en": group.label_en,
                     "value": group.value})
    achievement = subject.get("achievement")
    if isinstance(achievement, Mapping) and achievement.get("name"):
        rows.insert(0, {"label_vi": "Loại văn bản", "label_en": "Record",
                        "value": str(achievement["name"])})
    return rows
