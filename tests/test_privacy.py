"""Nothing personal goes on chain, and leaves are salted.

The chain tests replay the demo's flow on a fresh in-process chain. The registry
is deployed and a commune accredits two schools. The first school issues and
anchors a whole generated class, and one of its credentials is revoked. The second
school issues a class and is then withdrawn with a cut-off before its anchoring.

Then every transaction input and every event log (topics and data) of every block
is scanned for each student's name, birth date and learner id, for the teachers'
and the principal's names, and for credential JSON. Each text is searched in
several encodings (UTF-8 and UTF-16 in both byte orders, as raw bytes, as hex text
inside the bytes and at any hex-digit offset), so packing or re-encoding a value
does not hide it.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hocba.anchoring import compute_leaf, credential_digest, field_digests
from hocba.chain import Chain, connect_embedded, new_account
from hocba.jcs import canonicalize
from hocba.registry import RevocationReason
from issuer.accreditation import withdraw_school
from issuer.curriculum import load_curriculum
from issuer.issuance import AnchoredBatch, SchoolSigner, anchor_batch, prepare_batch
from issuer.records import ClassRecords, StudentYearRecord
from issuer.revocation import revoke_credential
from scripts.sample_data import generate_school, generate_withdrawn_school, sample_school_identity
from tests.network import Network, build_network

SEED = 2026
SCHOOL_YEAR = "2025-2026"
PRINCIPAL = "Nguyễn Văn Hiệu Trưởng"  # what tests.network registers for every school

# Strings that only credential JSON contains. Any of them on chain means a credential
# (or a part of one) was written there.
CREDENTIAL_MARKERS = (
    "credentialSubject", "identityHash", "identityType", "AchievementSubject",
    "OpenBadgeCredential", "urn:hocba:", "urn:uuid:", "eddsa-jcs-2022", "did:key:",
    "did:pkh:", "homeroomTeacher", '"@context"',
)


@dataclass(frozen=True)
class ChainBlob:
    """One scanned byte string: a transaction input, an event topic or event data."""

    where: str
    data: bytes
    hex: str


@dataclass
class DemoRun:
    chain: Chain
    network: Network
    batches: list[AnchoredBatch]
    students: list[StudentYearRecord]
    teachers: list[str]
    flow_tx_hashes: set[str]
    tx_hashes: set[str]
    blobs: list[ChainBlob]


def issue(network: Network, signer: SchoolSigner, class_records: ClassRecords) -> AnchoredBatch:
    prepared = prepare_batch(class_records, signer, curriculum=load_curriculum())
    return anchor_batch(prepared, signer, registry=network.registry, engine=network.engine)


def chain_blobs(chain: Chain) -> tuple[set[str], list[ChainBlob]]:
    """Return every transaction hash and every input, topic and log data on ``chain``."""
    w3 = chain.w3
    hashes: set[str] = set()
    blobs: list[ChainBlob] = []
    for number in range(int(w3.eth.block_number) + 1):
        block = w3.eth.get_block(number, full_transactions=True)
        for tx in block["transactions"]:
            tx_hash = "0x" + bytes(tx["hash"]).hex()
            hashes.add(tx_hash)
            # eth-tester returns the input as "data", while JSON-RPC nodes return "input".
            data = bytes(tx["input"] if "input" in tx else tx["data"])
            blobs.append(ChainBlob(f"block {number} tx {tx_hash} input", data, data.hex()))
            receipt = w3.eth.get_transaction_receipt(tx["hash"])
            for index, log in enumerate(receipt["logs"]):
                where = f"block {number} tx {tx_hash} log {index}"
                for position, topic in enumerate(log["topics"]):
                    raw = bytes(topic)
                    blobs.append(ChainBlob(f"{where} topic {position}", raw, raw.hex()))
                raw = bytes(log["data"])
                blobs.append(ChainBlob(f"{where} data", raw, raw.hex()))
    return hashes, blobs


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    chain = connect_embedded()
    network = build_network(chain, tmp_path_factory.mktemp("privacy") / "home")

    main_class = generate_school(SEED, SCHOOL_YEAR)[0]
    main_batch = issue(network, network.school, main_class)
    revoked = revoke_credential(network.keys, network.registry, network.engine,
                                credential_id=main_batch.credentials[2].credential_id,
                                reason_code=RevocationReason.ISSUED_IN_ERROR,
                                reason="Cấp nhầm học sinh Nguyễn Thị Ánh Dương")

    second = network.register("79785496", "Trường THCS Tân Thạnh Đông")
    accredited_from = network.registry.issuer(second.account.address)["accreditedFrom"]
    second_class = generate_withdrawn_school(SEED, SCHOOL_YEAR)[0]
    second_batch = issue(network, second, second_class)
    withdrawn = withdraw_school(network.keys, network.registry, network.engine,
                                school_code="79785496",
                                accreditor_unit_code="27010",
                                cutoff_block=int(accredited_from) + 1,
                                reason="Phát hiện gian lận hồ sơ")

    hashes, blobs = chain_blobs(chain)
    return DemoRun(
        chain=chain, network=network, batches=[main_batch, second_batch],
        students=[*main_class.students, *second_class.students],
        teachers=[main_class.homeroom_teacher, second_class.homeroom_teacher],
        flow_tx_hashes={main_batch.tx.transaction_hash, second_batch.tx.transaction_hash,
                        revoked.transaction_hash, withdrawn.transaction_hash},
        tx_hashes=hashes, blobs=blobs,
    )


# --- what to look for -------------------------------------------------------------------


def ascii_fold(text: str) -> str:
    """Drop Vietnamese diacritics: "Nguyễn Thị Ánh" becomes "Nguyen Thi Anh"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def text_forms(text: str) -> set[bytes]:
    """Return ``text`` as NFC, NFD and without diacritics, each in UTF-8 and UTF-16 LE/BE."""
    variants = {unicodedata.normalize("NFC", text), unicodedata.normalize("NFD", text),
                ascii_fold(text)}
    return {variant.encode(encoding) for variant in variants
            for encoding in ("utf-8", "utf-16-le", "utf-16-be")}


def abi_word(number: int) -> bytes:
    return number.to_bytes(32, "big")


def birth_date_forms(born: date) -> set[bytes]:
    texts = [f"{born:%d/%m/%Y}", f"{born:%Y-%m-%d}", f"{born:%d-%m-%Y}", f"{born:%d%m%Y}",
             f"{born:%Y%m%d}"]
    forms = {form for text in texts for form in text_forms(text)}
    midnight = datetime.combine(born, time(), tzinfo=UTC)
    forms |= {abi_word(int(f"{born:%Y%m%d}")), abi_word(int(f"{born:%d%m%Y}")),
              abi_word(int(midnight.timestamp()))}
    return forms


def learner_id_forms(learner_id: str) -> set[bytes]:
    return text_forms(learner_id) | {abi_word(int(learner_id))}


def credential_forms(credential: dict[str, Any]) -> set[bytes]:
    subject = credential["credentialSubject"]
    forms = text_forms(credential["id"])
    forms.add(uuid.UUID(credential["id"].removeprefix("urn:uuid:")).bytes)
    forms |= text_forms(credential["proof"][0]["proofValue"])
    forms.add(canonicalize(subject["identifier"]))
    forms.add(canonicalize(subject)[:48])
    return forms


def occurrences(needles: Iterable[bytes], blobs: Iterable[ChainBlob]) -> Iterator[str]:
    """Yield where any needle occurs: as bytes, as hex text inside the bytes, or nibble-shifted."""
    needles = list(needles)
    for blob in blobs:
        for needle in needles:
            hex_needle = needle.hex()
            if needle in blob.data or hex_needle.encode() in blob.data or hex_needle in blob.hex:
                yield f"{needle!r} in {blob.where}"


# --- the scan ---------------------------------------------------------------------------


@pytest.mark.slow
def test_scan_covers_whole_flow(demo_run: DemoRun) -> None:
    """The scan saw the anchoring, revocation and withdrawal transactions."""
    assert demo_run.flow_tx_hashes - demo_run.tx_hashes == set()
    assert len(demo_run.tx_hashes) >= 10
    assert sum(1 for blob in demo_run.blobs if blob.where.endswith("data")) >= 8


@pytest.mark.slow
def test_scan_finds_planted_name(demo_run: DemoRun) -> None:
    """The scanner itself works: a name packed as an ABI string in UTF-16 is found."""
    name = demo_run.students[0].full_name.encode("utf-16-be")
    packed = abi_word(32) + abi_word(len(name)) + name + bytes(-len(name) % 32)
    planted = [ChainBlob("planted", packed, packed.hex()),
               ChainBlob("planted hex", packed.hex().encode(), packed.hex().encode().hex())]
    found = list(occurrences(text_forms(demo_run.students[0].full_name), planted))
    assert len(found) >= 2


@pytest.mark.slow
def test_scan_sees_school_name(demo_run: DemoRun) -> None:
    """Issuer metadata is on chain by design, so the scan must find the school's name."""
    found = list(occurrences(text_forms("Trường THCS Tân Thạnh Đông"), demo_run.blobs))
    assert any("input" in where for where in found)
    assert any("data" in where for where in found)


@pytest.mark.slow
def test_no_student_names_on_chain(demo_run: DemoRun) -> None:
    needles = {form for student in demo_run.students for form in text_forms(student.full_name)}
    assert list(occurrences(needles, demo_run.blobs)) == []


@pytest.mark.slow
def test_no_birth_dates_on_chain(demo_run: DemoRun) -> None:
    needles = {form for student in demo_run.students
               for form in birth_date_forms(student.birth_date)}
    assert list(occurrences(needles, demo_run.blobs)) == []


@pytest.mark.slow
def test_no_learner_ids_on_chain(demo_run: DemoRun) -> None:
    learner_ids = [student.student_id for student in demo_run.students if student.student_id]
    assert len(learner_ids) >= len(demo_run.students) // 2
    needles = {form for learner_id in learner_ids for form in learner_id_forms(learner_id)}
    assert list(occurrences(needles, demo_run.blobs)) == []


@pytest.mark.slow
def test_no_staff_names_on_chain(demo_run: DemoRun) -> None:
    needles = {form for name in [*demo_run.teachers, PRINCIPAL] for form in text_forms(name)}
    assert list(occurrences(needles, demo_run.blobs)) == []


@pytest.mark.slow
def test_no_credential_json_on_chain(demo_run: DemoRun) -> None:
    needles = {form for marker in CREDENTIAL_MARKERS for form in text_forms(marker)}
    for batch in demo_run.batches:
        for item in batch.credentials:
            needles |= credential_forms(item.credential)
    assert list(occurrences(needles, demo_run.blobs)) == []


@pytest.mark.slow
def test_no_revocation_reason_on_chain(demo_run: DemoRun) -> None:
    """Only the reason code goes on chain, while the free-text reasons stay in the database."""
    needles = text_forms("Cấp nhầm") | text_forms("Phát hiện gian lận")
    assert list(occurrences(needles, demo_run.blobs)) == []


# --- salted leaves ----------------------------------------------------------------------


@pytest.fixture
def twin_batch(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A batch of two credentials with byte-identical content (same id, record and time)."""
    account = new_account()
    identity = sample_school_identity(f"did:pkh:eip155:31337:{account.address}")
    signer = SchoolSigner(identity, account, Ed25519PrivateKey.generate())
    record = generate_school(SEED, SCHOOL_YEAR)[0].students[0]
    twins = ClassRecords(record.class_name, record.grade, record.school_year,
                         record.homeroom_teacher, [record, replace(record)])
    fixed = uuid.UUID("00000000-0000-4000-8000-000000000001")
    monkeypatch.setattr(uuid, "uuid4", lambda: fixed)
    issued_at = datetime(2026, 5, 30, 3, tzinfo=UTC)
    return prepare_batch(twins, signer, curriculum=load_curriculum(),
                         issued_at=issued_at)


def test_twin_credentials_identical(twin_batch: Any) -> None:
    first, second = twin_batch.credentials
    assert first.credential == second.credential
    assert credential_digest(first.credential) == credential_digest(second.credential)


def test_twin_leaves_differ(twin_batch: Any) -> None:
    first, second = twin_batch.credentials
    assert first.leaf != second.leaf


def test_leaf_salts_fresh(twin_batch: Any) -> None:
    first, second = twin_batch.credentials
    assert len(first.leaf_salt) == 32
    assert first.leaf_salt != second.leaf_salt
    assert first.field_seed != second.field_seed


def test_same_field_value_digests_differ(twin_batch: Any) -> None:
    """A sibling's field digest does not reveal an equal value in another credential."""
    first, second = twin_batch.credentials
    subject = first.credential["credentialSubject"]
    ours = field_digests(subject, first.field_seed)
    theirs = field_digests(subject, second.field_seed)
    assert ours["/className"] != theirs["/className"]
    assert ours["/identifier/0/identityHash"] != theirs["/identifier/0/identityHash"]


def test_leaf_needs_salt(twin_batch: Any) -> None:
    """Knowing a credential's content is not enough to recompute its leaf."""
    first = twin_batch.credentials[0]
    assert compute_leaf(first.credential, bytes(32), first.field_seed) != first.leaf
    assert compute_leaf(first.credential, first.leaf_salt, bytes(32)) != first.leaf
    assert compute_leaf(first.credential, first.leaf_salt, first.field_seed) == first.leaf
