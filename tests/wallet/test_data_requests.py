"""Deletion requests: the wallet goes at once, the school records when the principal confirms."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_utils import keccak
from sqlalchemy import inspect, text
from sqlmodel import Session, select

from hocba.db import Batch, CredentialRecord
from hocba.db_wallet import DataRequest, Wallet, WalletCredential
from hocba.status import Status
from tests.wallet.privacy_world import (
    OTHER_SCHOOL,
    SCHOOL,
    Learner,
    World,
    build_world,
    issue_at_other_school,
    make_wallet,
)
from verifier.engine import verify_credential
from wallet.privacy_deletion import open_requests, request_deletion

# Learners by index: 0 is deleted and purged, 1 is refused, 2 is a minor's student
# session, 3 stays untouched and must still verify.
PURGED, REFUSED, MINOR, UNTOUCHED = range(4)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built, context = build_world(tmp_path_factory.mktemp("requests"))
    yield built
    context.__exit__(None, None, None)


def _wallet_headers(token: str) -> dict[str, str]:
    return {"Cookie": f"hocba_wallet={token}"}


def _staff_headers(world: World, role: str) -> dict[str, str]:
    return {"Cookie": f"hocba_session={world.staff_cookies[role]['hocba_session']}; "
                      f"hocba_csrf={world.staff_cookies[role]['csrf']}"}


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _delete_wallet(world: World, token: str) -> Any:
    page = world.client.get("/wallet/privacy/delete", headers=_wallet_headers(token)).text
    return world.client.post("/wallet/privacy/delete", headers=_wallet_headers(token),
                             data={"csrf_token": _csrf(page), "confirm": "1"})


def _request_for(world: World, learner: Learner) -> int:
    for item in open_requests(world.engine, SCHOOL):
        if learner.credential_id in item.credential_ids and item.state == "open":
            return item.id
    raise AssertionError(f"no open request for {learner.credential_id}")


def _decide(world: World, request_id: int, action: str, role: str = "principal",
            **fields: str) -> Any:
    headers = _staff_headers(world, role)
    token = world.staff_cookies[role]["csrf"]
    return world.client.post(f"/school/{SCHOOL}/data-requests/{request_id}/{action}",
                             headers=headers, data={"csrf_token": token, **fields},
                             follow_redirects=False)


def _rows_containing(world: World, values: list[str]) -> list[str]:
    """Scan every column of every table, text and binary, for any of ``values``."""
    found = []
    with world.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')).mappings():
                for column, cell in row.items():
                    blob = cell if isinstance(cell, bytes) else str(cell).encode("utf-8")
                    found += [f"{table}.{column}" for value in values
                              if value and value.encode("utf-8") in blob]
    return found


def _chain_bytes(world: World) -> list[bytes]:
    """Every transaction input and log of the chain, as bytes."""
    w3 = world.network.chain.w3
    chunks = []
    for number in range(w3.eth.block_number + 1):
        block = w3.eth.get_block(number, full_transactions=True)
        for transaction in block["transactions"]:
            chunks.append(bytes(transaction.get("input", transaction.get("data", b""))))
            receipt = w3.eth.get_transaction_receipt(transaction["hash"])
            for log in receipt["logs"]:
                chunks.append(bytes(log["data"]) + b"".join(bytes(t) for t in log["topics"]))
    return chunks


def _verifies(world: World, credential: bytes) -> Status:
    return verify_credential(credential, world.instance.verifier_context(), source="test").status


@pytest.fixture(scope="module")
def deleted(world: World) -> dict[str, Any]:
    """Delete learner 0's wallet and have the principal purge; keep what came before."""
    learner = world.learners[PURGED]
    token = make_wallet(world, learner)
    downloaded = world.instance.lookup_credential(learner.credential_id)
    with Session(world.engine) as db:
        pdf = Path(db.get(CredentialRecord, learner.credential_id).pdf_path)
    before = {"block": world.network.chain.w3.eth.block_number, "downloaded": downloaded,
              "pdf": pdf, "present": _rows_containing(world, learner.marks())}
    before["wallet_response"] = _delete_wallet(world, token)
    before["after_wallet"] = _rows_containing(world, learner.marks())
    before["request_id"] = _request_for(world, learner)
    before["purge_response"] = _decide(world, before["request_id"], "purge", confirm="1")
    before["token"] = token
    return before


def test_setup_data_was_present(deleted):
    assert len(deleted["present"]) >= 5


def test_wallet_deleted_page(deleted):
    assert deleted["wallet_response"].status_code == 200
    assert "Đã xóa ví" in deleted["wallet_response"].text


def test_wallet_cookie_cleared(deleted):
    assert 'hocba_wallet=""' in deleted["wallet_response"].headers["set-cookie"]


def test_wallet_session_ended(world, deleted):
    response = world.client.get("/wallet/privacy", headers=_wallet_headers(deleted["token"]))
    assert response.status_code == 401


def test_wallet_rows_gone_before_school(deleted):
    wallet_tables = {"wallet", "wallet_credential", "wallet_session", "share_link",
                     "consent_record", "claim_link"}
    left = {place.split(".")[0] for place in deleted["after_wallet"]}
    assert left & wallet_tables == set()


def test_school_rows_kept_until_principal(deleted):
    assert any(place.startswith("credential.") for place in deleted["after_wallet"])


def test_purge_redirects_with_notice(world, deleted):
    assert deleted["purge_response"].status_code == 303
    page = world.client.get(deleted["purge_response"].headers["location"],
                            headers=_staff_headers(world, "principal"))
    assert "Đã xóa dữ liệu của 1 học bạ" in page.text


def test_no_row_contains_learner(world, deleted):
    assert _rows_containing(world, world.learners[PURGED].marks()) == []


def test_pdf_file_deleted(deleted):
    assert not deleted["pdf"].exists()


def test_request_marked_done(world, deleted):
    with Session(world.engine) as db:
        row = db.get(DataRequest, deleted["request_id"])
    assert row.state == "done"
    assert row.done_by == "hieu-truong"


def test_chain_unchanged(world, deleted):
    assert world.network.chain.w3.eth.block_number == deleted["block"]


def test_chain_scan_sees_anchored_root(world, deleted):
    with Session(world.engine) as db:
        batch_id = db.get(CredentialRecord, world.learners[UNTOUCHED].credential_id).batch_id
        root = db.get(Batch, batch_id).merkle_root
    assert bytes.fromhex(root.removeprefix("0x")) in b"".join(_chain_bytes(world))


def test_chain_has_no_unsalted_hash(world, deleted):
    chain = b"".join(_chain_bytes(world))
    for value in world.learners[PURGED].marks():
        encoded = value.encode("utf-8")
        for digest in (hashlib.sha256(encoded).digest(), keccak(encoded)):
            assert digest not in chain, value


def test_other_students_still_verify(world, deleted):
    for index in (REFUSED, MINOR, UNTOUCHED):
        stored = world.instance.lookup_credential(world.learners[index].credential_id)
        assert _verifies(world, stored) == Status.VALID


def test_downloaded_copy_still_verifies(world, deleted):
    assert _verifies(world, deleted["downloaded"]) == Status.VALID


def test_other_learners_kept(world, deleted):
    assert _rows_containing(world, [world.learners[UNTOUCHED].name]) != []


def test_decided_request_cannot_repeat(world, deleted):
    response = _decide(world, deleted["request_id"], "purge", confirm="1")
    assert response.status_code == 422


def test_refuse_keeps_records(world):
    learner = world.learners[REFUSED]
    _delete_wallet(world, make_wallet(world, learner))
    request_id = _request_for(world, learner)
    response = _decide(world, request_id, "refuse", reason="Trường phải lưu học bạ 5 năm.")
    assert response.status_code == 303
    assert world.instance.lookup_credential(learner.credential_id) is not None
    with Session(world.engine) as db:
        row = db.get(DataRequest, request_id)
    assert row.state == "refused"
    assert "lưu học bạ" in row.note


def test_refuse_needs_reason(world):
    learner = world.learners[REFUSED]
    _delete_wallet(world, make_wallet(world, learner))
    response = _decide(world, _request_for(world, learner), "refuse", reason="   ")
    assert response.status_code == 422


def test_purge_needs_confirmation(world):
    learner = world.learners[REFUSED]
    _delete_wallet(world, make_wallet(world, learner))
    response = _decide(world, _request_for(world, learner), "purge")
    assert response.status_code == 422


def test_staff_cannot_decide(world):
    learner = world.learners[REFUSED]
    _delete_wallet(world, make_wallet(world, learner))
    response = _decide(world, _request_for(world, learner), "purge", role="staff", confirm="1")
    assert response.status_code == 403


def test_decide_needs_csrf(world):
    learner = world.learners[REFUSED]
    _delete_wallet(world, make_wallet(world, learner))
    request_id = _request_for(world, learner)
    response = world.client.post(f"/school/{SCHOOL}/data-requests/{request_id}/purge",
                                 headers=_staff_headers(world, "principal"),
                                 data={"csrf_token": "wrong", "confirm": "1"})
    assert response.status_code == 403


def test_staff_sees_requests(world):
    response = world.client.get(f"/school/{SCHOOL}/data-requests",
                                headers=_staff_headers(world, "staff"))
    assert response.status_code == 200
    assert "Chỉ hiệu trưởng quyết định" in response.text


def test_page_states_legal_duty(world):
    response = world.client.get(f"/school/{SCHOOL}/data-requests",
                                headers=_staff_headers(world, "principal"))
    assert "nghĩa vụ lưu trữ học bạ" in response.text


def test_other_school_forbidden(world):
    response = world.client.get(f"/school/{SCHOOL}/data-requests",
                                headers=_staff_headers(world, "other_principal"))
    assert response.status_code == 403


def test_school_page_needs_login(world):
    world.client.cookies.clear()
    response = world.client.get(f"/school/{SCHOOL}/data-requests", follow_redirects=False)
    assert response.status_code == 303


def test_delete_needs_confirmation(world):
    token = make_wallet(world, world.learners[UNTOUCHED])
    page = world.client.get("/wallet/privacy/delete", headers=_wallet_headers(token)).text
    response = world.client.post("/wallet/privacy/delete", headers=_wallet_headers(token),
                                 data={"csrf_token": _csrf(page)})
    assert response.status_code == 422


def test_delete_needs_csrf(world):
    token = make_wallet(world, world.learners[UNTOUCHED])
    response = world.client.post("/wallet/privacy/delete", headers=_wallet_headers(token),
                                 data={"csrf_token": "wrong", "confirm": "1"})
    assert response.status_code == 403


def test_minor_student_session_refused(world):
    token = make_wallet(world, world.learners[MINOR], acting_as="student",
                        birth_date="2015-01-01")
    response = _delete_wallet(world, token)
    assert response.status_code == 403
    assert "cha mẹ hoặc người giám hộ" in response.text


def test_minor_guardian_may_delete(world):
    token = make_wallet(world, world.learners[MINOR], acting_as="guardian",
                        birth_date="2015-01-01")
    assert _delete_wallet(world, token).status_code == 200


def test_wallet_without_records_closes_request(world):
    with Session(world.engine) as db:
        wallet = Wallet(public_id="empty-wallet", display_name="Học sinh", birth_date="2000-01-01")
        db.add(wallet)
        db.commit()
        wallet_id = int(wallet.id or 0)
    ids = request_deletion(world.engine, wallet_id, acting_as="student")
    with Session(world.engine) as db:
        states = [row.state for row in db.exec(select(DataRequest)
                                                .where(DataRequest.id.in_(ids)))]
    assert states == ["done"]


def test_one_request_per_school(world, tmp_path):
    other_ids = issue_at_other_school(world, tmp_path)
    learner = world.learners[UNTOUCHED]
    token = make_wallet(world, learner)
    with Session(world.engine) as db:
        wallet_id = db.exec(select(WalletCredential.wallet_id).where(
            WalletCredential.credential_id == learner.credential_id)).all()[-1]
        db.add(WalletCredential(wallet_id=wallet_id, credential_id=other_ids[0]))
        db.commit()
    assert _delete_wallet(world, token).status_code == 200
    mine = [item for item in open_requests(world.engine, SCHOOL)
            if learner.credential_id in item.credential_ids]
    theirs = [item for item in open_requests(world.engine, OTHER_SCHOOL)
              if other_ids[0] in item.credential_ids]
    assert len(mine) == 1
    assert len(theirs) == 1
    assert other_ids[0] not in mine[0].credential_ids
