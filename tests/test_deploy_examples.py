"""The deployment examples under deploy/ agree with the code that reads or serves them.

Besu and nginx cannot run here, so these tests parse the example files and compare
them with hocba's own constants: the settings loader, the API's upload limit and the
defaults of `hocba serve`.
"""

from __future__ import annotations

import inspect
import json
import re
import shutil
import tomllib
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import rlp
from eth_utils import is_address

from api.uploads import DEFAULT_MAX_UPLOAD_BYTES
from hocba.chain import connect_embedded
from hocba.cli import serve
from hocba.localnode import LOCAL_CHAIN_ID
from hocba.settings import RegistryRef, load_settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
GENESIS = DEPLOY / "besu" / "genesis.example.json"
PERMISSIONS = DEPLOY / "besu" / "permissions_config.example.toml"
SETTINGS = DEPLOY / "hocba.example.toml"
NGINX = DEPLOY / "nginx" / "hocba.conf.example"
GUIDES = (ROOT / "docs" / "deployment.md", ROOT / "docs" / "deployment.vi.md")

_NGINX_SIZE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
_ENODE = re.compile(r"^enode://[0-9a-f]{128}@[^:@\s]+:\d{1,5}$")


@pytest.fixture(scope="module")
def genesis() -> dict[str, Any]:
    return json.loads(GENESIS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def nginx_text() -> str:
    # Drop comments so that a directive quoted in a comment is not mistaken for a real one.
    lines = [line.split("#", 1)[0] for line in NGINX.read_text(encoding="utf-8").splitlines()]
    return "\n".join(lines)


def _directives(text: str, name: str) -> list[str]:
    return re.findall(rf"(?m)^\s*{name}\s+([^;]+);", text)


# Genesis ----------------------------------------------------------------------------


def test_genesis_zero_base_fee(genesis: dict[str, Any]) -> None:
    assert genesis["config"]["zeroBaseFee"] is True


def test_genesis_london_from_start(genesis: dict[str, Any]) -> None:
    # zeroBaseFee only matters from London on, which must then be active at block 0.
    assert genesis["config"]["londonBlock"] == 0


def test_genesis_cancun_from_start(genesis: dict[str, Any]) -> None:
    # The registry is compiled for evmVersion cancun (it uses MCOPY).
    assert genesis["config"]["cancunTime"] == 0
    assert genesis["config"]["shanghaiTime"] == 0


def test_genesis_qbft_section(genesis: dict[str, Any]) -> None:
    qbft = genesis["config"]["qbft"]
    for key in ("blockperiodseconds", "epochlength", "requesttimeoutseconds"):
        assert isinstance(qbft[key], int), key
        assert qbft[key] > 0, key
    assert qbft["requesttimeoutseconds"] > qbft["blockperiodseconds"]


def test_genesis_chain_id_own(genesis: dict[str, Any]) -> None:
    chain_id = genesis["config"]["chainId"]
    assert chain_id != LOCAL_CHAIN_ID
    assert chain_id != connect_embedded().chain_id


def test_genesis_extra_data_qbft_form(genesis: dict[str, Any]) -> None:
    # RLP([32-byte vanity, validators, no vote, round 0, no seals]) as Besu's QBFT expects.
    vanity, validators, vote, round_number, seals = rlp.decode(
        bytes.fromhex(genesis["extraData"].removeprefix("0x")))
    assert len(vanity) == 32
    assert vote == []
    assert round_number == b""
    assert seals == []
    assert all(len(address) == 20 for address in validators)


def test_genesis_four_validators(genesis: dict[str, Any]) -> None:
    # QBFT tolerates f faulty validators out of 3f + 1: four is the smallest useful set.
    _, validators, *_ = rlp.decode(bytes.fromhex(genesis["extraData"].removeprefix("0x")))
    assert len(validators) >= 4
    assert validators == sorted(validators)


def test_genesis_free_gas_needs_no_alloc(genesis: dict[str, Any]) -> None:
    # With zero fees no account needs a balance, so the example funds no account.
    assert genesis["alloc"] == {}


# Permissions --------------------------------------------------------------------------


def test_permissions_accounts_are_addresses() -> None:
    config = tomllib.loads(PERMISSIONS.read_text(encoding="utf-8"))
    assert config["accounts-allowlist"]
    for account in config["accounts-allowlist"]:
        assert is_address(account), account


def test_permissions_nodes_are_enodes() -> None:
    config = tomllib.loads(PERMISSIONS.read_text(encoding="utf-8"))
    assert len(config["nodes-allowlist"]) >= 4
    for enode in config["nodes-allowlist"]:
        assert _ENODE.match(enode), enode


# hocba settings -------------------------------------------------------------------------


@pytest.fixture
def example_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    for variable in ("HOCBA_HOME", "HOCBA_DATABASE_URL", "HOCBA_RPC_URL",
                     "HOCBA_VERIFY_BASE_URL", "HOCBA_KEY_PASSPHRASE"):
        monkeypatch.delenv(variable, raising=False)
    shutil.copy(SETTINGS, tmp_path / "hocba.toml")
    return load_settings(tmp_path)


def test_settings_trusted_generations(example_settings) -> None:  # type: ignore[no-untyped-def]
    listed = tomllib.loads(SETTINGS.read_text(encoding="utf-8"))["chain"]["trusted"]
    expected = {RegistryRef.parse(entry["chain_id"], entry["registry"]) for entry in listed}
    assert len(expected) == 2
    assert set(example_settings.trusted) == expected


def test_settings_current_registry_trusted(example_settings) -> None:  # type: ignore[no-untyped-def]
    assert example_settings.is_trusted(example_settings.chain_id, example_settings.registry)


def test_settings_chain_id_matches_genesis(example_settings, genesis) -> None:  # type: ignore[no-untyped-def]
    assert example_settings.chain_id == genesis["config"]["chainId"]


def test_settings_rpc_on_loopback(example_settings) -> None:  # type: ignore[no-untyped-def]
    assert example_settings.rpc_url.startswith("http://127.0.0.1:")


def test_settings_base_url_https(example_settings) -> None:  # type: ignore[no-untyped-def]
    assert example_settings.verify_base_url.startswith("https://")


def test_settings_database_sqlite(example_settings) -> None:  # type: ignore[no-untyped-def]
    # PostgreSQL is documented as planned, so the example uses SQLite, which the tests cover.
    assert example_settings.database_url.startswith("sqlite:////")


def test_settings_no_passphrase_key() -> None:
    # load_settings reads the passphrase from HOCBA_KEY_PASSPHRASE only and ignores such a key.
    text = SETTINGS.read_text(encoding="utf-8")
    assert not re.search(r"(?m)^\s*key_passphrase\s*=", text)


# nginx ----------------------------------------------------------------------------------


def test_nginx_body_limit_matches_api(nginx_text: str) -> None:
    (value,) = _directives(nginx_text, "client_max_body_size")
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value.strip()).groups()
    assert int(number) * _NGINX_SIZE_UNITS[unit.lower()] == DEFAULT_MAX_UPLOAD_BYTES


def test_nginx_proxies_to_serve_defaults(nginx_text: str) -> None:
    parameters = inspect.signature(serve).parameters
    host, port = parameters["host"].default, parameters["port"].default
    assert _directives(nginx_text, "proxy_pass") == [f"http://{host}:{port}"]


def test_nginx_sends_hsts(nginx_text: str) -> None:
    (header,) = [value for value in _directives(nginx_text, "add_header")
                 if value.startswith("Strict-Transport-Security")]
    max_age = int(re.search(r"max-age=(\d+)", header).group(1))
    assert max_age >= 31_536_000
    assert header.rstrip().endswith("always")


def test_nginx_redirects_http(nginx_text: str) -> None:
    assert "return 301 https://$host$request_uri" in nginx_text


def test_nginx_forwards_client_address(nginx_text: str) -> None:
    assert "X-Forwarded-For $remote_addr" in _directives(nginx_text, "proxy_set_header")


def test_nginx_braces_balanced(nginx_text: str) -> None:
    depth = 0
    for character in nginx_text:
        depth += {"{": 1, "}": -1}.get(character, 0)
        assert depth >= 0
    assert depth == 0


# Guides -----------------------------------------------------------------------------------


@pytest.mark.parametrize("guide", GUIDES, ids=lambda path: path.name)
def test_guide_names_every_variable(guide: Path) -> None:
    text = guide.read_text(encoding="utf-8")
    settings_source = (ROOT / "hocba" / "settings.py").read_text(encoding="utf-8")
    for variable in sorted(set(re.findall(r"HOCBA_[A-Z_]+", settings_source))):
        assert variable in text, variable


@pytest.mark.parametrize("guide", GUIDES, ids=lambda path: path.name)
def test_guide_links_examples(guide: Path) -> None:
    text = guide.read_text(encoding="utf-8")
    for example in (GENESIS, PERMISSIONS, SETTINGS, NGINX):
        assert example.relative_to(ROOT).as_posix() in text, example.name


def test_vietnamese_guide_nfc() -> None:
    text = GUIDES[1].read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)
