"""Compile the registry contract offline and write its committed build artifact.

Run ``python -m scripts.compile_contracts`` from the repository root to rewrite
``contracts/build/LearningRecordRegistry.json``, or add ``--check`` to recompile and exit
with status 1 when the committed artifact differs from the sources.

The compiler is the npm ``solc`` package (solcjs, WebAssembly) driven through
``scripts/solc_wrapper.js``, because py-solc-x cannot download a native solc here.
Needs Node.js and ``npm install`` in the repository root.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import solcx
from solcx.exceptions import SolcError

from hocba.artifact import ARTIFACT_PATH, CONTRACT_NAME, ArtifactError

__all__ = [
    "SETTINGS",
    "SOURCE_FILES",
    "compile_registry",
    "main",
    "render_artifact",
    "write_artifact",
]

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]
WRAPPER = REPO_ROOT / "scripts" / "solc_wrapper.js"
NODE_MODULES = REPO_ROOT / "node_modules"
MAIN_SOURCE = f"contracts/{CONTRACT_NAME}.sol"

# Project sources passed to the compiler by content; OpenZeppelin imports are resolved by
# the wrapper from node_modules.
SOURCE_FILES = (
    "contracts/ILearningRecordRegistry.sol",
    MAIN_SOURCE,
)

SETTINGS: dict[str, Any] = {
    "evmVersion": "cancun",
    "optimizer": {"enabled": True, "runs": 200},
    "metadata": {"bytecodeHash": "ipfs"},
    "outputSelection": {
        MAIN_SOURCE: {
            CONTRACT_NAME: ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"],
        },
    },
}


def _compiler_version() -> str:
    node = shutil.which("node")
    if node is None:
        raise ArtifactError("Node.js is not installed; it is needed to compile the contract")
    try:
        result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            [node, str(WRAPPER), "--version"],
            capture_output=True,
            text=True,
            check=True,
        )
    except subprocess.CalledProcessError as exc:
        raise ArtifactError(f"{WRAPPER.name} --version failed: {exc.stderr.strip()}") from exc
    return result.stdout.strip().rsplit("Version: ", 1)[-1]


def _source_path(source_key: str) -> Path:
    local = REPO_ROOT / source_key
    if local.is_file():
        return local
    return NODE_MODULES / source_key


def _sha256_of(source_key: str) -> str:
    return hashlib.sha256(_source_path(source_key).read_bytes()).hexdigest()


def compile_registry() -> dict[str, Any]:
    """Compile the registry and return the artifact as a dict (nothing is written).

    Raises ``ArtifactError`` when Node.js or the npm packages are missing or when the
    compiler reports an error.
    """
    if not (NODE_MODULES / "solc").is_dir():
        raise ArtifactError(f"npm package solc not found under {NODE_MODULES}; run npm ci")
    version = _compiler_version()
    sources = {key: {"content": (REPO_ROOT / key).read_text("utf-8")} for key in SOURCE_FILES}
    input_data = {"language": "Solidity", "sources": sources, "settings": SETTINGS}

    try:
        output = solcx.compile_standard(input_data, solc_binary=WRAPPER, base_path=REPO_ROOT)
    except SolcError as exc:
        raise ArtifactError(f"compiling {MAIN_SOURCE} failed: {exc}") from exc
    warnings = [e for e in output.get("errors", []) if e.get("severity") == "warning"]
    for warning in warnings:
        logger.warning("solc: %s", warning.get("formattedMessage", warning.get("message")))

    contract = output["contracts"][MAIN_SOURCE][CONTRACT_NAME]
    used_sources = sorted(output["sources"])
    logger.info(
        "compiled %s with solc %s from %d sources", CONTRACT_NAME, version, len(used_sources)
    )
    return {
        "contractName": CONTRACT_NAME,
        "abi": contract["abi"],
        "bytecode": "0x" + contract["evm"]["bytecode"]["object"],
        "deployedBytecode": "0x" + contract["evm"]["deployedBytecode"]["object"],
        "compiler": version,
        "settings": SETTINGS,
        "sourceSha256": {key: _sha256_of(key) for key in used_sources},
    }


def render_artifact(artifact: dict[str, Any]) -> str:
    """Serialize an artifact the way it is committed: sorted keys, two-space indent."""
    return json.dumps(artifact, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_artifact(artifact: dict[str, Any], path: Path = ARTIFACT_PATH) -> None:
    """Write ``artifact`` to ``path``, creating the build folder when needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_artifact(artifact), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Compile, then either write the artifact or compare it with the committed one."""
    parser = argparse.ArgumentParser(description="Compile the hocba registry contract.")
    parser.add_argument(
        "--check",
        action="store_true",
        help="recompile and exit with status 1 if the committed artifact differs",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    try:
        artifact = compile_registry()
    except ArtifactError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    rendered = render_artifact(artifact)
    if not args.check:
        write_artifact(artifact)
        print(f"wrote {ARTIFACT_PATH.relative_to(REPO_ROOT)}")
        return 0

    committed = ARTIFACT_PATH.read_text("utf-8") if ARTIFACT_PATH.is_file() else ""
    if committed != rendered:
        print(
            f"{ARTIFACT_PATH.relative_to(REPO_ROOT)} is out of date; "
            "run python -m scripts.compile_contracts and commit the result",
            file=sys.stderr,
        )
        return 1
    print(f"{ARTIFACT_PATH.relative_to(REPO_ROOT)} matches the sources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
