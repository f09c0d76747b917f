"""CPU time per credential of issuing and of the local verification checks, in one process.

``python -m bench.cpu_cost`` measures the process CPU time (not wall time), so its
figures hold on a machine that other jobs share:

- ``prepare_batch``: build, sign and hash ``--count`` credentials of fictional
  students, then their Merkle tree;
- local verification: ``verify_credential`` on the JSON of anchored credentials,
  with a registry that the verifier does not trust. It parses the JSON, checks the
  Ed25519 proof, recomputes the leaf and its Merkle path, then stops before any
  chain access (status ``wrong_network``). The chain step of a real verification
  reads the registry-state cache, which this leaves out.

Each measurement runs ``--repeat`` times and the lowest time is kept. Pass
``--root`` to measure another checkout of the project (for example an older
commit unpacked with ``git archive``) with the same script. Results go to
``bench/results/cpu.json``, or to the file given by ``--output``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["main"]

RESULTS = Path(__file__).resolve().parent / "results" / "cpu.json"
_REGISTRY = "0x" + "11" * 20
_TRANSACTION = "0x" + "22" * 32


def _anchored_documents(count: int) -> list[bytes]:
    """Return the JSON of ``count`` credentials with anchoring proofs from a batch tree.

    No chain is involved: the proofs name chain 31337, block 5 and a made-up registry
    and transaction, which is all the local checks read.
    """
    from bench.issue import big_class
    from bench.issue_setup import bench_school
    from hocba.anchoring import AnchorProof, attach_anchor_proof
    from issuer.curriculum import load_curriculum
    from issuer.issuance import credential_json_bytes, prepare_batch

    batch = prepare_batch(big_class(count), bench_school(), curriculum=load_curriculum())
    documents = []
    for item in batch.credentials:
        proof = AnchorProof(chain_id=31337, registry=_REGISTRY, transaction_hash=_TRANSACTION,
                            block_number=5, merkle_root=batch.tree.root,
                            merkle_path=batch.tree.proof(item.leaf), leaf_salt=item.leaf_salt,
                            field_seed=item.field_seed)
        documents.append(credential_json_bytes(attach_anchor_proof(item.credential, proof)))
    return documents


def measure_issue(count: int, repeat: int) -> dict[str, Any]:
    """Return the CPU ms per credential of ``prepare_batch`` on ``count`` credentials."""
    from bench.issue import big_class
    from bench.issue_setup import bench_school
    from issuer.curriculum import load_curriculum
    from issuer.issuance import prepare_batch

    signer = bench_school()
    curriculum = load_curriculum()
    prepare_batch(big_class(20), signer, curriculum=curriculum)
    runs = []
    for _ in range(repeat):
        records = big_class(count)
        started = time.process_time()
        prepare_batch(records, signer, curriculum=curriculum)
        runs.append((time.process_time() - started) / count * 1000)
    return {"credentials": count, "cpuMsEach": round(min(runs), 3),
            "allCpuMsEach": [round(value, 3) for value in runs]}


def measure_verify(count: int, repeat: int) -> dict[str, Any]:
    """Return the CPU ms of one local verification, over ``count`` verifications."""
    from hocba.settings import load_settings
    from verifier.engine import VerifierContext, verify_credential

    documents = _anchored_documents(8)
    with tempfile.TemporaryDirectory(prefix="hocba-bench-cpu-") as home:
        context = VerifierContext(load_settings(home))
        statuses = {verify_credential(document, context).status.value
                    for document in documents}
        runs = []
        for _ in range(repeat):
            started = time.process_time()
            for index in range(count):
                verify_credential(documents[index % len(documents)], context)
            runs.append((time.process_time() - started) / count * 1000)
    return {"verifications": count, "statuses": sorted(statuses),
            "cpuMsEach": round(min(runs), 3),
            "allCpuMsEach": [round(value, 3) for value in runs]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cpu_cost", description=__doc__)
    parser.add_argument("--count", type=int, default=1000,
                        help="credentials per issuing run and verifications per verifying run")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the lowest time is kept")
    parser.add_argument("--root", type=Path, default=None,
                        help="checkout of the project to import instead of this one")
    parser.add_argument("--output", type=Path, default=RESULTS, help="results file")
    args = parser.parse_args(argv)
    if args.root is not None:
        sys.path.insert(0, str(args.root.resolve()))
        os.chdir(args.root)
    logging.disable(logging.INFO)

    import hocba

    report = {
        "measuredAt": datetime.now(UTC).isoformat(timespec="seconds"),
        "code": str(Path(hocba.__file__).resolve().parent.parent),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "loadAverageAtStart": [round(value, 2) for value in os.getloadavg()]},
        "issue": measure_issue(args.count, args.repeat),
        "verifyLocal": measure_verify(args.count, args.repeat),
    }
    report["machine"]["loadAverageAtEnd"] = [round(value, 2) for value in os.getloadavg()]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
