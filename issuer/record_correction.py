"""Corrected credentials of every record type, built through the ``issuer.record_types`` dispatch.

A correction is a one-student class file of the same record type as the credential
it replaces. The new credential names the old one in the top-level ``replaces``
term (bundled context ``https://w3id.org/hocba/corrections/v1``) and must be about
the same learner: the same learner id, or the same name and date of birth.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import replace
from functools import partial
from typing import Any

from hocba.contexts import HOCBA_CORRECTIONS_V1
from hocba.errors import InputError
from issuer.issuance import PreparedBatch, SchoolSigner, prepare_batch
from issuer.record_types import DEFAULT_TYPE, RECORD_TYPES, RecordType, batch_label
from issuer.records import ClassRecords
from issuer.transcript import build_transcript_credential

__all__ = ["correction_record_type", "learner_identifiers", "prepare_typed_correction",
           "same_learner"]

logger = logging.getLogger(__name__)

CORRECTION_SUFFIX = " (đính chính)"


def correction_record_type(batch_label_text: str) -> RecordType:
    """Return the record type of a batch from its label (the THCS transcript by default).

    ``batch_label`` appends ``(<short name>)`` for every type but the THCS
    transcript, and a correction batch keeps that part of the label.
    """
    for kind in RECORD_TYPES.values():
        if kind.code != DEFAULT_TYPE and f"({kind.short_vi})" in batch_label_text:
            return kind
    return RECORD_TYPES[DEFAULT_TYPE]


def learner_identifiers(credential: dict[str, Any]) -> dict[str, str]:
    """Return the unhashed ``identityType -> value`` identifiers of a credential's subject."""
    subject = credential.get("credentialSubject")
    items = subject.get("identifier") if isinstance(subject, dict) else None
    found: dict[str, str] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("identityHash"), str):
            found[str(item.get("identityType"))] = item["identityHash"]
    return found


def _name_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def same_learner(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Return whether two credentials are about the same learner.

    Equal non-empty learner ids match, and so do equal names (ignoring case and
    spacing) with equal dates of birth.
    """
    before, after = learner_identifiers(old), learner_identifiers(new)
    if before.get("studentId") and before.get("studentId") == after.get("studentId"):
        return True
    names_match = _name_key(before.get("name", "")) == _name_key(after.get("name", ""))
    born_match = before.get("ext:birthDate") == after.get("ext:birthDate")
    return bool(before.get("name")) and names_match and born_match


def _correcting_builder(kind: RecordType, replaces: str) -> Any:
    base = kind.builder() if kind.builder is not None else partial(
        build_transcript_credential, curriculum=kind.curriculum())

    def build(record: Any, school: Any, *, credential_id: str, valid_from: Any) -> Any:
        unsigned = base(record, school, credential_id=credential_id, valid_from=valid_from)
        unsigned["@context"] = [*unsigned["@context"], HOCBA_CORRECTIONS_V1]
        unsigned["replaces"] = replaces
        return unsigned

    return build


def prepare_typed_correction(kind: RecordType, records: ClassRecords, signer: SchoolSigner, *,
                             replaces: str) -> PreparedBatch:
    """Build and sign the corrected credential of the one student in ``records``.

    Raise ``InputError`` ``correction_rows_invalid`` unless the file has exactly one student.
    """
    if len(records.students) != 1:
        raise InputError(
            f"a correction file must contain exactly one student, found {len(records.students)}",
            code="correction_rows_invalid",
            message_vi="Tệp đính chính phải có đúng một học sinh, tệp này có "
                       f"{len(records.students)}.",
        )
    prepared = prepare_batch(records, signer, curriculum=kind.curriculum(),
                             builder=_correcting_builder(kind, replaces))
    logger.info("prepared a %s correction", kind.alias)
    return replace(prepared, label=batch_label(kind, records) + CORRECTION_SUFFIX)
