"""Selective disclosure: show some fields of an anchored credential and hide the rest.

A disclosure carries the revealed fields as ``[pointer, value, salt]`` triples,
the digests of the hidden fields, the ``credentialDigest`` and the anchoring proof
without ``fieldSeed``. The verifier recomputes ``fieldsRoot`` and the leaf from
them and checks the leaf against the anchored root (``verifier.disclosure``).
The per-field salts of hidden fields are never included, so a hidden value cannot
be confirmed by guessing (a birth date has only a few thousand likely values).
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from hocba.anchoring import (
    credential_digest,
    field_digest,
    field_salt,
    flatten_fields,
    split_proofs,
)
from hocba.errors import CredentialError

__all__ = [
    "DISCLOSURE_TYPE",
    "PRESETS",
    "hide_birth_date",
    "make_disclosure",
    "results_and_conduct",
]

logger = logging.getLogger(__name__)

DISCLOSURE_TYPE = "HocbaDisclosure2026"

_SUMMARY_KEYS = ("schoolYear", "educationLevel", "grade", "className")
_YEAR_RESULT_PREFIXES = ("urn:hocba:result:academic:", "urn:hocba:result:conduct:")


def _invalid(message: str, message_vi: str) -> CredentialError:
    return CredentialError(message, code="disclosure_invalid", message_vi=message_vi)


def _covers(requested: str, pointer: str) -> bool:
    return pointer == requested or pointer.startswith(requested + "/")


def make_disclosure(credential: Mapping[str, Any], reveal: Iterable[str]) -> dict[str, Any]:
    """Build a disclosure of ``credential`` that reveals the fields under the ``reveal`` pointers.

    A pointer names a scalar (``/schoolYear``) or an object or array, which reveals every
    scalar under it (``/identifier/0``). Pointers are RFC 6901, relative to
    ``credentialSubject``. Raises ``CredentialError`` when the credential has no anchoring
    proof or a pointer matches no field.
    """
    document, eddsa_proof, anchor = split_proofs(credential)
    if anchor is None:
        raise _invalid("the credential has no anchoring proof, so no field can be disclosed",
                       "Văn bản chưa được ghi nhận trên chuỗi khối nên chưa thể chia sẻ "
                       "từng phần.")
    fields = flatten_fields(document.get("credentialSubject") or {})
    requested = list(dict.fromkeys(reveal))
    for pointer in requested:
        if not any(_covers(pointer, field) for field, _ in fields):
            raise _invalid(f"no field of credentialSubject is at {pointer!r}",
                           f"Không có trường nào tại {pointer!r} trong văn bản.")

    revealed: list[list[Any]] = []
    hidden: list[str] = []
    for pointer, value in fields:
        salt = field_salt(anchor.field_seed, pointer)
        if any(_covers(request, pointer) for request in requested):
            encoded = base64.urlsafe_b64encode(salt).rstrip(b"=").decode("ascii")
            revealed.append([pointer, value, encoded])
        else:
            hidden.append(field_digest(salt, pointer, value).hex())

    anchor_json = anchor.to_json()
    del anchor_json["fieldSeed"]
    logger.debug("disclosure reveals %d of %d fields", len(revealed), len(fields))
    return {
        "type": DISCLOSURE_TYPE,
        "credentialId": document["id"],
        "issuer": document["issuer"],
        "validFrom": document.get("validFrom"),
        "verificationMethod": eddsa_proof["verificationMethod"],
        "credentialDigest": "0x" + credential_digest(credential).hex(),
        "revealed": revealed,
        "hiddenDigests": sorted(hidden),
        "anchor": anchor_json,
    }


def _identifier_pointers(subject: Mapping[str, Any], identity_types: set[str]) -> list[str]:
    return [f"/identifier/{index}" for index, entry in enumerate(subject.get("identifier") or [])
            if isinstance(entry, Mapping) and entry.get("identityType") in identity_types]


def results_and_conduct(credential: Mapping[str, Any]) -> list[str]:
    """Pointers for "the year's results and conduct only": the student's name, the class and
    school year, and the academic and conduct results of each term; no score, no birth date."""
    subject = credential.get("credentialSubject") or {}
    pointers = _identifier_pointers(subject, {"name"})
    pointers += [f"/{key}" for key in _SUMMARY_KEYS if key in subject]
    pointers += ["/achievement/id", "/achievement/name"]
    for index, result in enumerate(subject.get("result") or []):
        reference = result.get("resultDescription") if isinstance(result, Mapping) else None
        if isinstance(reference, str) and reference.startswith(_YEAR_RESULT_PREFIXES):
            pointers.append(f"/result/{index}")
    return pointers


def hide_birth_date(credential: Mapping[str, Any]) -> list[str]:
    """Pointers for every field except the birth date."""
    subject = credential.get("credentialSubject") or {}
    hidden = _identifier_pointers(subject, {"ext:birthDate"})
    return [pointer for pointer, _ in flatten_fields(subject)
            if not any(_covers(prefix, pointer) for prefix in hidden)]


PRESETS = {
    "results-conduct": results_and_conduct,
    "hide-birth-date": hide_birth_date,
}
"""Named reveal sets, as the CLI offers them (``--preset``)."""
