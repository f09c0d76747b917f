"""The committed build artifact of the registry contract.

The artifact (ABI, creation and runtime bytecode, compiler version and settings, and the
SHA-256 of every source file) is written by ``python -m scripts.compile_contracts`` and
committed, so reading it needs neither Node.js nor a Solidity compiler.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from hocba.errors import HocbaError

__all__ = [
    "ARTIFACT_PATH",
    "CONTRACT_NAME",
    "ArtifactError",
    "load_artifact",
]

logger = logging.getLogger(__name__)

CONTRACT_NAME = "LearningRecordRegistry"
ARTIFACT_PATH = (
    Path(__file__).resolve().parents[1] / "contracts" / "build" / f"{CONTRACT_NAME}.json"
)

_REQUIRED_KEYS = frozenset(
    {"contractName", "abi", "bytecode", "deployedBytecode", "compiler", "settings", "sourceSha256"}
)


class ArtifactError(HocbaError, RuntimeError):
    """The contract artifact is missing, unreadable, or could not be built."""

    code = "artifact_invalid"


def load_artifact(path: Path = ARTIFACT_PATH) -> dict[str, Any]:
    """Read the committed registry artifact and return it as a dict.

    Raises ``ArtifactError`` when the file is missing, is not JSON, or lacks a key.
    """
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise ArtifactError(
            f"contract artifact not found at {path}; run python -m scripts.compile_contracts",
            message_vi=(
                f"Không tìm thấy tệp biên dịch hợp đồng tại {path}; "
                "hãy chạy python -m scripts.compile_contracts."
            ),
        ) from exc

    try:
        artifact = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ArtifactError(f"contract artifact {path} is not valid JSON: {exc}") from exc
    if not isinstance(artifact, dict):
        raise ArtifactError(f"contract artifact {path} is not a JSON object")
    missing = sorted(_REQUIRED_KEYS - artifact.keys())
    if missing:
        raise ArtifactError(f"contract artifact {path} lacks the keys {', '.join(missing)}")

    logger.debug(
        "loaded %s artifact compiled by solc %s", artifact["contractName"], artifact["compiler"]
    )
    return artifact
