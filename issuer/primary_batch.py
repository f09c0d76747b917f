"""Sign a class of primary transcripts into a batch that ``issuer.issuance`` can anchor.

NOTE: this repeats the signing loop of ``issuance.prepare_batch`` with the
primary builder; merge the two once ``prepare_batch`` takes a builder.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import UTC, datetime

from hocba.anchoring import compute_leaf, credential_digest
from hocba.dataintegrity import sign_credential, verification_method_for
from hocba.errors import InputError
from hocba.merkle import MerkleTree
from issuer.curriculum import Curriculum
from issuer.issuance import IssuedCredential, PreparedBatch, SchoolSigner
from issuer.primary import build_primary_credential
from issuer.records import ClassRecords

__all__ = ["prepare_primary_batch"]

logger = logging.getLogger(__name__)


def prepare_primary_batch(class_records: ClassRecords, signer: SchoolSigner, *,
                          curriculum: Curriculum,
                          issued_at: datetime | None = None) -> PreparedBatch:
    """Build, sign and hash every primary credential of a class (students are PrimaryRecord)."""
    if not class_records.students:
        raise InputError(f"class {class_records.class_name} has no students", code="empty_class",
                         message_vi=f"Lớp {class_records.class_name} không có học sinh nào.")
    issued_at = (issued_at or datetime.now(UTC)).replace(microsecond=0)
    method = verification_method_for(signer.public_key)
    credentials = []
    for record in class_records.students:
        unsigned = build_primary_credential(record, signer.identity,  # type: ignore[arg-type]
                                            credential_id=f"urn:uuid:{uuid.uuid4()}",
                                            valid_from=issued_at, curriculum=curriculum)
        signed = sign_credential(unsigned, signer.signing_key, method, issued_at)
        leaf_salt, field_seed = secrets.token_bytes(32), secrets.token_bytes(32)
        credentials.append(IssuedCredential(
            record=record,  # type: ignore[arg-type]
            credential=signed, digest=credential_digest(signed),
            leaf=compute_leaf(signed, leaf_salt, field_seed),
            leaf_salt=leaf_salt, field_seed=field_seed,
        ))
    tree = MerkleTree.build(item.leaf for item in credentials)
    label = f"{class_records.class_name} {class_records.school_year}"
    logger.info("prepared primary batch %s: %d credentials", label, len(credentials))
    return PreparedBatch(label, class_records, credentials, tree)
