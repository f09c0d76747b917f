"""The bundled JSON-LD contexts define every property a transcript credential uses.

The term check walks issued credentials (every student of the generated sample
school, signed and with an anchoring proof) and the fixture. A key is covered when
it is a JSON-LD keyword or a term, at any nesting level, of one of the three bundled
contexts. The PyLD test is stricter: it expands credentials offline through the
bundled contexts and checks that expansion dropped no property.
"""

from __future__ import annotations

import hashlib
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hocba.anchoring import AnchorProof, attach_anchor_proof
from hocba.chain import new_account
from hocba.contexts import (
    BUNDLED_CONTEXTS,
    CONTEXT_SHA256,
    HOCBA_V1,
    OB_V3P0,
    VC_V2,
    ContextNotBundledError,
    document_loader,
    load_context,
)
from hocba.errors import CredentialError
from issuer.curriculum import load_curriculum
from issuer.issuance import SchoolSigner, prepare_batch
from issuer.transcript import CONTEXT
from scripts.sample_data import generate_school, sample_school_identity

FIXTURE = Path(__file__).parent / "fixtures" / "transcript_credential.json"
CONTEXT_FOLDER = Path(__file__).resolve().parents[1] / "hocba" / "contexts"
HOCBA_VOCAB = "https://w3id.org/hocba/v1#"

# Keys whose presence the term check must see, so that a generator change that
# stops emitting them shows up here instead of silently shrinking the check.
EXPECTED_KEYS = {
    "schoolCode", "adminUnitCode", "schoolYear", "educationLevel", "grade", "className",
    "gender", "awardTitle", "remark", "homeroomTeacher", "principal", "cryptosuite",
    "proofValue", "verificationMethod", "chainId", "registry", "transactionHash",
    "blockNumber", "merkleRoot", "merklePath", "leafSalt", "fieldSeed", "allowedValue",
}


def anchored_batch(school_year: str = "2025-2026") -> list[dict[str, Any]]:
    """Issue every class of the sample school and attach anchoring proofs, without a chain."""
    account = new_account()
    identity = sample_school_identity(f"did:pkh:eip155:31337:{account.address}")
    signer = SchoolSigner(identity, account, Ed25519PrivateKey.generate())
    curriculum = load_curriculum()
    credentials = []
    for block, class_records in enumerate(generate_school(11, school_year), start=7):
        prepared = prepare_batch(class_records, signer, curriculum=curriculum)
        for item in prepared.credentials:
            proof = AnchorProof(31337, "0x" + "5a" * 20, "0x" + f"{block:064x}", block,
                                prepared.tree.root, tuple(prepared.tree.proof(item.leaf)),
                                item.leaf_salt, item.field_seed)
            credentials.append(attach_anchor_proof(item.credential, proof))
    return credentials


@pytest.fixture(scope="module")
def issued() -> list[dict[str, Any]]:
    return anchored_batch()


def property_names(node: Any) -> Iterator[str]:
    """Yield every object key in ``node`` except what sits under ``@context``."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            if key != "@context":
                yield from property_names(value)
    elif isinstance(node, list):
        for item in node:
            yield from property_names(item)


def context_terms(definition: Any) -> Iterator[str]:
    """Yield every term a context defines, including terms of type- and property-scoped contexts."""
    if isinstance(definition, list):
        for item in definition:
            yield from context_terms(item)
        return
    if not isinstance(definition, dict):
        return
    for term, value in definition.items():
        if not term.startswith("@"):
            yield term
        if isinstance(value, dict) and "@context" in value:
            yield from context_terms(value["@context"])


def defined_terms() -> set[str]:
    terms: set[str] = set()
    for url in BUNDLED_CONTEXTS:
        terms |= set(context_terms(load_context(url)["@context"]))
    return terms


def undefined_keys(credential: dict[str, Any]) -> set[str]:
    terms = defined_terms()
    return {key for key in property_names(credential)
            if not key.startswith("@") and key not in terms}


def test_bundled_files_match_pinned_digests() -> None:
    for url, name in BUNDLED_CONTEXTS.items():
        digest = hashlib.sha256((CONTEXT_FOLDER / name).read_bytes()).hexdigest()
        assert digest == CONTEXT_SHA256[url], name


def test_vc_context_is_published_bytes() -> None:
    data = (CONTEXT_FOLDER / BUNDLED_CONTEXTS[VC_V2]).read_bytes()
    assert len(data) == 10131
    assert hashlib.sha256(data).hexdigest() == (
        "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734")


def test_transcript_names_bundled_contexts() -> None:
    assert tuple(CONTEXT) == (VC_V2, OB_V3P0, HOCBA_V1)
    assert set(CONTEXT) <= set(BUNDLED_CONTEXTS)


def test_load_context_rejects_unbundled() -> None:
    for url in ("http://127.0.0.1/context.jsonld", VC_V2 + "/", "http://www.w3.org/ns/credentials/v2",
                HOCBA_V1.upper(), "https://w3id.org/hocba/v2", ""):
        with pytest.raises(ContextNotBundledError) as caught:
            load_context(url)
        assert caught.value.code == "context_not_bundled", url


def test_unbundled_error_is_credential_error() -> None:
    with pytest.raises(CredentialError):
        load_context("http://127.0.0.1/context.jsonld")


def test_load_context_returns_copy() -> None:
    first = load_context(HOCBA_V1)
    first["@context"]["grade"] = "changed"
    assert load_context(HOCBA_V1)["@context"]["grade"] != "changed"


def test_document_loader_shape() -> None:
    remote = document_loader(OB_V3P0, {})
    assert remote["documentUrl"] == OB_V3P0
    assert remote["contextUrl"] is None
    assert "@context" in remote["document"]


def test_hocba_context_protected() -> None:
    context = load_context(HOCBA_V1)["@context"]
    assert context["@protected"] is True
    assert context["HocbaAnchorProof2026"]["@context"]["@protected"] is True


def test_hocba_terms_in_hocba_namespace() -> None:
    terms = load_context(HOCBA_V1)["@context"]
    proof_terms = terms["HocbaAnchorProof2026"]["@context"]
    keywords = ("@version", "@protected", "id", "type")
    definitions = {**{k: v for k, v in terms.items() if k not in keywords},
                   **{k: v for k, v in proof_terms.items() if k not in keywords}}
    for term, definition in definitions.items():
        assert definition["@id"] == HOCBA_VOCAB + term, term


def test_hocba_terms_not_in_standard_contexts() -> None:
    """Redefining a protected VC or OB term would make every credential invalid JSON-LD."""
    hocba = set(context_terms(load_context(HOCBA_V1)["@context"])) - {"id", "type"}
    standard = set(context_terms(load_context(VC_V2)["@context"])) | set(
        context_terms(load_context(OB_V3P0)["@context"]))
    assert hocba & standard == set()


def test_fixture_keys_defined() -> None:
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert undefined_keys(fixture) == set()


def test_issued_keys_defined(issued: list[dict[str, Any]]) -> None:
    undefined: set[str] = set()
    for credential in issued:
        undefined |= undefined_keys(credential)
    assert undefined == set()


def test_issued_keys_include_expected(issued: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for credential in issued:
        seen |= set(property_names(credential))
    assert EXPECTED_KEYS - seen == set()


def test_term_check_catches_unknown_key(issued: list[dict[str, Any]]) -> None:
    credential = json.loads(json.dumps(issued[0]))
    credential["credentialSubject"]["nickname"] = "Bé Na"
    credential["proof"][1]["batchSize"] = 40
    assert undefined_keys(credential) == {"nickname", "batchSize"}


# --- stronger check: JSON-LD expansion with PyLD, offline -------------------------------


def mapped_key_count(node: Any) -> int:
    """Count compacted keys that expansion turns into properties; ``id`` and ``type`` are not."""
    count = 0
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                continue
            if not key.startswith("@") and key not in ("id", "type"):
                count += 1
            count += mapped_key_count(value)
    elif isinstance(node, list):
        count += sum(mapped_key_count(item) for item in node)
    return count


def property_count(node: Any) -> int:
    """Count properties (non-keyword keys) in expanded JSON-LD."""
    count = 0
    if isinstance(node, dict):
        for key, value in node.items():
            if not key.startswith("@"):
                count += 1
            count += property_count(value)
    elif isinstance(node, list):
        count += sum(property_count(item) for item in node)
    return count


def property_iris(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if not key.startswith("@"):
                found.add(key)
            found |= property_iris(value)
    elif isinstance(node, list):
        for item in node:
            found |= property_iris(item)
    return found


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any socket connection, so a context fetched from the network fails the test."""

    def reject_connection(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", reject_connection)
    monkeypatch.setattr(socket, "create_connection", reject_connection)


def expand(credential: dict[str, Any]) -> list[dict[str, Any]]:
    jsonld = pytest.importorskip("pyld.jsonld")
    return jsonld.expand(credential, {"documentLoader": document_loader})


def covering_sample(issued: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pick few credentials that together use every key any issued credential uses."""
    wanted = set().union(*(set(property_names(item)) for item in issued))
    chosen, seen = [], set()
    for credential in sorted(issued, key=lambda item: -len(set(property_names(item)))):
        keys = set(property_names(credential))
        if keys - seen:
            chosen.append(credential)
            seen |= keys
        if seen == wanted:
            break
    return chosen


def test_pyld_expands_fixture_fully(offline: None) -> None:
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    expanded = expand(fixture)
    assert property_count(expanded) == mapped_key_count(fixture)


def test_pyld_expands_issued_fully(offline: None, issued: list[dict[str, Any]]) -> None:
    for credential in covering_sample(issued):
        expanded = expand(credential)
        assert property_count(expanded) == mapped_key_count(credential), credential["id"]


def test_pyld_hocba_iris(offline: None, issued: list[dict[str, Any]]) -> None:
    credential = next(item for item in issued if "remark" in item["credentialSubject"])
    iris = property_iris(expand(credential))
    for term in ("schoolCode", "grade", "remark", "merklePath", "leafSalt", "fieldSeed"):
        assert HOCBA_VOCAB + term in iris, term


def test_pyld_merkle_path_ordered(offline: None, issued: list[dict[str, Any]]) -> None:
    credential = issued[0]
    expanded = json.dumps(expand(credential))
    path = credential["proof"][1]["merklePath"]
    assert len(path) >= 2
    listed = json.dumps({"@list": [{"@value": node} for node in path]})
    assert listed in expanded


def test_pyld_drops_unknown_key(offline: None, issued: list[dict[str, Any]]) -> None:
    """The count comparison detects a term that no context defines."""
    credential = json.loads(json.dumps(issued[0]))
    credential["credentialSubject"]["nickname"] = "Bé Na"
    assert property_count(expand(credential)) == mapped_key_count(credential) - 1
