"""The JSON-LD contexts that hocba credentials name, bundled so that none is ever fetched.

A transcript credential's ``@context`` lists three URLs (see ``issuer.transcript.CONTEXT``):
the W3C VC 2.0 base context, the Open Badges 3.0.3 context and hocba's own
``https://w3id.org/hocba/v1``. Each is stored in this folder and pinned by its
SHA-256 digest. ``load_context`` serves only these URLs and fails closed on any
other URL or on a bundled file whose bytes changed. ``PROVENANCE.md`` records
where each file comes from.

NOTE: the w3id.org redirect for ``https://w3id.org/hocba/v1`` is not registered
yet, so the URL does not resolve on the web. Until it is, this bundled copy is
the only definition of the hocba terms, and JSON-LD tools outside hocba need
``document_loader`` (or an equivalent) to process a hocba credential.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from hocba.errors import CredentialError, HocbaError

__all__ = [
    "BUNDLED_CONTEXTS",
    "CONTEXT_SHA256",
    "HOCBA_COMPLETION_V1",
    "HOCBA_CORRECTIONS_V1",
    "HOCBA_SCHOOL_LIFE_V1",
    "HOCBA_V1",
    "OB_V3P0",
    "VC_V2",
    "ContextNotBundledError",
    "document_loader",
    "load_context",
]

logger = logging.getLogger(__name__)

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
HOCBA_V1 = "https://w3id.org/hocba/v1"
# Defines ``replaces``: the id of the credential that a corrected credential supersedes.
HOCBA_CORRECTIONS_V1 = "https://w3id.org/hocba/corrections/v1"
# Terms of the lower-secondary completion confirmation (issuer.completion).
HOCBA_COMPLETION_V1 = "https://w3id.org/hocba/completion/v1"
# Terms of transfers between schools and back-filled records (issuer.transfer, issuer.backfill).
HOCBA_SCHOOL_LIFE_V1 = "https://w3id.org/hocba/school-life/v1"

_FOLDER = Path(__file__).resolve().parent

BUNDLED_CONTEXTS = MappingProxyType({
    VC_V2: "credentials-v2.jsonld",
    OB_V3P0: "ob-v3p0-context-3.0.3.json",
    HOCBA_V1: "hocba-v1.jsonld",
    HOCBA_CORRECTIONS_V1: "hocba-corrections-v1.jsonld",
    HOCBA_COMPLETION_V1: "hocba-completion-v1.jsonld",
    HOCBA_SCHOOL_LIFE_V1: "hocba-school-life-v1.jsonld",
})
"""Context URL to the name of its file in this folder."""

CONTEXT_SHA256 = MappingProxyType({
    # The VC 2.0 base context as served by the W3C (10131 bytes, see PROVENANCE.md).
    VC_V2: "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",
    OB_V3P0: "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761",
    # Issued credentials name this URL, so its terms must keep their meaning. New
    # terms go into a new context version rather than into this file.
    HOCBA_V1: "416f3c07d15da236eda06309552d30ff95fab5b18c99e25f55ab39be07a060e1",
    HOCBA_CORRECTIONS_V1: "b18e197e10384987c0eb8060796d79f54ed8131bc3c321f86af3c26a2a447514",
    HOCBA_COMPLETION_V1: "123e7524c68bd924d2e058bac73f7bedb4581262d07b0ee94698bc5957dd3ff0",
    HOCBA_SCHOOL_LIFE_V1: "23c562274f29528e78732222b69eb985b5f67fdcb320de34fa67a177bed7d416",
})
"""Context URL to the SHA-256 (lowercase hex) of its bundled file's bytes."""


class ContextNotBundledError(CredentialError):
    """A credential names a JSON-LD context that hocba does not bundle."""

    code = "context_not_bundled"


@lru_cache(maxsize=len(BUNDLED_CONTEXTS))
def _read_bundled(url: str) -> dict[str, Any]:
    path = _FOLDER / BUNDLED_CONTEXTS[url]
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != CONTEXT_SHA256[url]:
        # A changed context silently changes what every credential naming it means.
        raise HocbaError(
            f"bundled context {path.name} has SHA-256 {digest}, expected "
            f"{CONTEXT_SHA256[url]}; reinstall hocba",
            code="context_corrupted",
            message_vi=f"Tệp ngữ cảnh JSON-LD {path.name} đã bị thay đổi; hãy cài đặt lại hocba.",
        )
    document = json.loads(data.decode("utf-8"))
    logger.debug("loaded bundled context %s from %s", url, path.name)
    return document


def load_context(url: str) -> dict[str, Any]:
    """Return a fresh copy of the bundled context document for ``url``.

    Only the exact URLs in ``BUNDLED_CONTEXTS`` are served. Any other URL raises
    ``ContextNotBundledError`` and nothing is fetched from the network.
    """
    if url not in BUNDLED_CONTEXTS:
        raise ContextNotBundledError(
            f"JSON-LD context {url!r} is not bundled with hocba; bundled: "
            f"{', '.join(BUNDLED_CONTEXTS)}",
            message_vi=f"Ngữ cảnh JSON-LD {url!r} không nằm trong danh sách hocba hỗ trợ.",
        )
    return copy.deepcopy(_read_bundled(url))


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return ``url``'s bundled context as a JSON-LD remote document.

    The result has the ``contextUrl``/``documentUrl``/``document`` shape that
    JSON-LD processors such as PyLD accept from a document loader. ``options``
    is accepted for that interface and ignored.
    """
    del options
    return {"contextUrl": None, "documentUrl": url, "document": load_context(url)}
