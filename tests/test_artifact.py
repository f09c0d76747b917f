"""The committed registry artifact matches the Solidity sources.

Recompiling needs Node.js and the npm packages of package.json (``npm ci``), as in CI.
"""

from __future__ import annotations

import hashlib
import shutil

import pytest

from hocba.artifact import ARTIFACT_PATH, ArtifactError, load_artifact
from scripts.compile_contracts import REPO_ROOT, SETTINGS, compile_registry, render_artifact

needs_node = pytest.mark.skipif(
    shutil.which("node") is None or not (REPO_ROOT / "node_modules" / "solc").is_dir(),
    reason="Node.js and the npm solc package are needed to recompile (npm ci)",
)


@needs_node
def test_artifact_matches_sources() -> None:
    committed = ARTIFACT_PATH.read_text("utf-8")
    assert render_artifact(compile_registry()) == committed


def test_artifact_settings() -> None:
    artifact = load_artifact()
    assert artifact["settings"] == SETTINGS
    assert artifact["settings"]["evmVersion"] == "cancun"
    assert artifact["compiler"].startswith("0.8.28+commit.")


def test_artifact_source_hashes() -> None:
    artifact = load_artifact()
    for source, digest in artifact["sourceSha256"].items():
        path = REPO_ROOT / source
        if not path.is_file():
            path = REPO_ROOT / "node_modules" / source
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, source


def test_artifact_has_bytecode() -> None:
    artifact = load_artifact()
    assert artifact["bytecode"].startswith("0x60")
    assert len(artifact["deployedBytecode"]) > 2


def test_missing_artifact(tmp_path) -> None:
    with pytest.raises(ArtifactError) as info:
        load_artifact(tmp_path / "absent.json")
    assert info.value.code == "artifact_invalid"


def test_artifact_missing_keys(tmp_path) -> None:
    path = tmp_path / "partial.json"
    path.write_text('{"abi": []}', encoding="utf-8")
    with pytest.raises(ArtifactError):
        load_artifact(path)
