"""Issue, verify and revoke with the instance's database on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hocba.chain import connect_embedded
from hocba.registry import RevocationReason
from hocba.status import Status
from issuer.revocation import revoke_credential
from tests.network import Network, build_network
from tests.test_issue_verify import context_for, issue
from verifier.engine import verify_credential


@pytest.fixture
def db_network(database_url: str, tmp_path: Path) -> Network:
    return build_network(connect_embedded(), tmp_path / "home", database_url=database_url)


def test_issue_verify_revoke(db_network: Network) -> None:
    batch = issue(db_network)
    first, second = batch.credentials[0], batch.credentials[1]
    revoke_credential(db_network.keys, db_network.registry, db_network.engine,
                      credential_id=second.credential_id,
                      reason_code=RevocationReason.ISSUED_IN_ERROR, reason="nhập sai điểm")
    context = context_for(db_network)
    assert verify_credential(json.dumps(first.credential), context).status is Status.VALID
    assert verify_credential(json.dumps(second.credential), context).status is Status.REVOKED
