"""Measure the registry's gas costs on a real anvil node and write them to the benchmark page.

Run as ``python -m bench.gas``. It starts anvil on a free port on 127.0.0.1, deploys
``contracts/build/LearningRecordRegistry.json``, sends each call once from anvil's unlocked
development accounts, stops the node by its process id, and writes ``bench/results/gas.json``
and the "Gas" section of ``docs/benchmarks.md``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import tempfile
from pathlib import Path
from typing import Any

from web3 import Web3

from hocba.errors import ChainError
from hocba.localnode import start_anvil, stop_local_node
from hocba.merkle import MerkleTree

__all__ = ["BATCH_SIZES", "main", "measure"]

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
ARTIFACT = ROOT / "contracts" / "build" / "LearningRecordRegistry.json"
RESULTS = ROOT / "bench" / "results" / "gas.json"
PAGE = ROOT / "docs" / "benchmarks.md"

BATCH_SIZES = (1, 40, 1_000, 10_000)
DOCUMENT_STORE_ISSUE = 47_858
BARE_ROOT_TX_ESTIMATE = 22_300


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _label_hash(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


def _gas_of(w3: Web3, call: Any, sender: str) -> int:
    tx_hash = call.transact({"from": sender, "gasPrice": 0})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    if receipt["status"] != 1:
        raise ChainError(f"benchmark transaction reverted: {tx_hash.hex()}", code="tx_reverted")
    return int(receipt["gasUsed"])


def _bare_root_tx(w3: Web3, sender: str, recipient: str) -> int:
    tx_hash = w3.eth.send_transaction(
        {"from": sender, "to": recipient, "data": _label_hash("bare root"), "gasPrice": 0}
    )
    return int(w3.eth.wait_for_transaction_receipt(tx_hash)["gasUsed"])


def measure(w3: Web3) -> dict[str, Any]:
    """Deploy the registry and return the gas used by each measured call."""
    artifact = json.loads(ARTIFACT.read_text(encoding="utf-8"))
    owner, accreditor, school, other = w3.eth.accounts[:4]
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    tx_hash = factory.constructor(owner).transact({"from": owner, "gasPrice": 0})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    registry = w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])
    gas: dict[str, int] = {"deployment": int(receipt["gasUsed"])}

    fn = registry.functions
    gas["appointAccreditor"] = _gas_of(w3, fn.appointAccreditor(accreditor, "Sở GD&ĐT", 79), owner)
    gas["accreditIssuer"] = _gas_of(
        w3, fn.accreditIssuer(school, "79000701", 79, "THPT Nguyễn Du"), accreditor
    )
    gas["addIssuerKey"] = _gas_of(w3, fn.addIssuerKey(school, _label_hash("key 1")), accreditor)
    gas["bareRootTransaction"] = _bare_root_tx(w3, owner, other)

    trees: dict[int, MerkleTree] = {}
    per_size: dict[str, dict[str, int | float]] = {}
    for size in BATCH_SIZES:
        leaves = [_label_hash(f"batch {size} leaf {i}") for i in range(size)]
        tree = MerkleTree.build(leaves)
        trees[size] = tree
        anchor_gas = _gas_of(w3, fn.anchor(tree.root), school)
        per_size[str(size)] = {"anchor": anchor_gas, "perCredential": round(anchor_gas / size, 2)}
        if size > 1:
            leaf = leaves[0]
            per_size[str(size)]["proofLength"] = len(tree.proof(leaf))
            per_size[str(size)]["revokeCredential"] = _gas_of(
                w3, fn.revokeCredential(tree.root, leaf, tree.proof(leaf), 1), school
            )
    gas["anchor"] = per_size[str(BATCH_SIZES[-1])]["anchor"]  # type: ignore[assignment]

    forty = trees[40]
    second = _label_hash("batch 40 leaf 1")
    gas["suspendCredential"] = _gas_of(
        w3, fn.suspendCredential(forty.root, second, forty.proof(second)), school
    )
    gas["reinstateCredential"] = _gas_of(
        w3, fn.reinstateCredential(forty.root, second, forty.proof(second)), school
    )
    gas["revokeBatch"] = _gas_of(w3, fn.revokeBatch(trees[1].root, 1), school)

    logger.info("gas measured: anchor=%d deployment=%d", gas["anchor"], gas["deployment"])
    return {
        "node": "anvil 1.7.1 (npm @foundry-rs/anvil), --gas-price 0 --base-fee 0",
        "contractSourceSha256": artifact["sourceSha256"]["contracts/LearningRecordRegistry.sol"],
        "interfaceSourceSha256": artifact["sourceSha256"]["contracts/ILearningRecordRegistry.sol"],
        "gas": gas,
        "batches": per_size,
        "references": {
            "documentStoreIssue": DOCUMENT_STORE_ISSUE,
            "bareRootTransactionEstimate": BARE_ROOT_TX_ESTIMATE,
        },
    }


def render_section(results: dict[str, Any]) -> str:
    """Render the "Gas" section of the benchmark page from measured results."""
    gas = results["gas"]
    anchor = gas["anchor"]
    lines = [
        "## Gas",
        "",
        f"Measured by `python -m bench.gas` on {results['node']}, one transaction per row,",
        "contract `contracts/build/LearningRecordRegistry.json`",
        f"(`LearningRecordRegistry.sol` SHA-256 `{results['contractSourceSha256'][:16]}…`,",
        f"`ILearningRecordRegistry.sol` SHA-256 `{results['interfaceSourceSha256'][:16]}…`).",
        "",
        "| Call | Gas |",
        "|---|---:|",
    ]
    for name in ("deployment", "appointAccreditor", "accreditIssuer", "addIssuerKey", "anchor",
                 "revokeBatch", "suspendCredential", "reinstateCredential", "bareRootTransaction"):
        lines.append(f"| `{name}` | {gas[name]:,} |")
    lines += [
        "",
        "The Merkle tree stays off chain, so `anchor` costs the same for every batch size;",
        "the cost per credential is that cost divided by the batch size. Revoking one",
        "credential sends its proof, so its cost grows with the proof length (log2 of the size).",
        "",
        "| Batch size | anchor | Gas per credential | Proof length | revokeCredential |",
        "|---:|---:|---:|---:|---:|",
    ]
    for size, row in results["batches"].items():
        proof = row.get("proofLength", 0)
        revoke = f"{row['revokeCredential']:,}" if "revokeCredential" in row else "n/a"
        lines.append(
            f"| {int(size):,} | {row['anchor']:,} | {row['perCredential']:,} | {proof} | {revoke} |"
        )
    refs = results["references"]
    lines += [
        "",
        "### Compared with a bare root",
        "",
        f"- OpenAttestation's DocumentStore `issue(bytes32)`: {refs['documentStoreIssue']:,} gas",
        "  on anvil 1.7.1 (reference figure, not measured by this script). It stores one word",
        "  (the block number) per root.",
        f"- A plain transaction carrying a 32-byte root: {gas['bareRootTransaction']:,} gas",
        f"  measured here (the usual estimate is ~{refs['bareRootTransactionEstimate']:,}).",
        f"- hocba's `anchor`: {anchor:,} gas, "
        f"{anchor - refs['documentStoreIssue']:+,} against DocumentStore, while recording",
        "  the issuer, the block number and the timestamp in one storage word, checking the",
        "  issuer's accreditation and rejecting a root anchored twice.",
        "",
        "### The issuer is in the event data, not a topic",
        "",
        "`BatchAnchored(bytes32 indexed root, address issuer)` carries the issuer as data.",
        "With the issuer as a second indexed topic, `anchor` cost 47,915 gas, 57 more than",
        "DocumentStore. Moving it into the data saved 85 gas: a topic costs 375 gas, while",
        "32 data bytes cost 256 gas plus a few memory instructions.",
        "",
        "What was given up is filtering anchors by issuer through a log topic",
        "(`eth_getLogs` with the issuer as the second topic). Logs are still filtered by root,",
        "which is what the issuing outbox and the tests do. A reader that wants every batch of",
        "one issuer fetches the `BatchAnchored` logs and decodes the issuer from the data field.",
        "The registry's storage also records the issuer of each root, returned by `batch(root)`",
        "and `verificationState`, so verification does not depend on the event at all.",
        "",
        "### What each extra word costs",
        "",
        "Figures from the EVM gas schedule (EIP-2929, EIP-2200, EIP-3529) as anvil applies it:",
        "",
        "- Writing a new non-zero storage slot: 20,000 gas, plus 2,100 when the slot is cold.",
        "  `anchor` packs issuer (160 bits), block (48) and timestamp (48) into one slot, so",
        "  recording the issuer and the timestamp costs no extra slot; a second slot per root",
        "  would add about 22,100 gas.",
        "- Changing an existing non-zero slot: 2,900 gas (plus 2,100 if cold).",
        "- Reading a slot: 2,100 gas cold, 100 warm. `anchor` reads the issuer's status slot",
        "  (cold, 2,100) to check the accreditation, and the batch slot before writing it.",
        "- An event: 375 gas, plus 375 per topic and 8 per data byte. `BatchAnchored` has two",
        "  topics (the event signature and the root) and 32 data bytes (the issuer).",
        "- Calldata: 16 gas per non-zero byte and 4 per zero byte, so a 32-byte root costs",
        "  about 512 gas and each proof element in `revokeCredential` about 512 more.",
        "",
    ]
    return "\n".join(lines)


def write_page(section: str, page: Path = PAGE) -> None:
    """Replace the "## Gas" section of the page, or append it, keeping the other sections."""
    text = page.read_text(encoding="utf-8") if page.exists() else "# Benchmarks\n\n"
    start = text.find("## Gas\n")
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + 1)
        tail = text[end + 1:] if end >= 0 else ""
        text = text[:start] + section + ("\n" + tail if tail else "")
    page.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    with tempfile.TemporaryDirectory(prefix="hocba-gas-") as chain_dir:
        node = start_anvil(Path(chain_dir), port=_free_port())
        try:
            results = measure(Web3(Web3.HTTPProvider(node.rpc_url)))
        finally:
            stop_local_node(node)

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write_page(render_section(results))
    print(f"anchor: {results['gas']['anchor']:,} gas; wrote {RESULTS} and {PAGE}")


if __name__ == "__main__":
    main()
