"""Settings: where hocba keeps its data and which chain and registries it trusts.

Values come from, in order: keyword arguments, environment variables
(``HOCBA_HOME``, ``HOCBA_DATABASE_URL``, ``HOCBA_RPC_URL``, ``HOCBA_VERIFY_BASE_URL``,
``HOCBA_KEY_PASSPHRASE``), the file ``<home>/hocba.toml``, and defaults.

Example ``hocba.toml``::

    database_url = "sqlite:////var/lib/hocba/hocba.db"
    verify_base_url = "https://xacthuc.example.edu.vn"

    [chain]
    rpc_url = "https://rpc.example.edu.vn"
    chain_id = 2026
    registry = "0x…"              # the generation new batches are anchored in
    trusted = [                   # every generation verifiers still accept
      { chain_id = 2026, registry = "0x…" },
    ]
    priority_fee = 0              # tip in wei per gas (0 on zero-gas networks)
    max_fee_per_gas_cap = 100000000000   # optional: highest max fee in wei per gas

    [data]
    personal_data_retention_days = 1825   # optional: `hocba school purge` default age
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from eth_utils import is_address, to_checksum_address

from hocba.errors import InputError

__all__ = ["DEFAULT_VERIFY_BASE_URL", "RegistryRef", "Settings", "load_settings"]

DEFAULT_VERIFY_BASE_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class RegistryRef:
    """One registry generation: a contract address on a chain."""

    chain_id: int
    address: str

    @classmethod
    def parse(cls, chain_id: object, address: object) -> RegistryRef:
        if not isinstance(chain_id, int) or isinstance(chain_id, bool) or chain_id <= 0:
            raise InputError(
                f"invalid chain id {chain_id!r}: expected a positive integer",
                code="settings_invalid",
                message_vi=(
                    f"Mã chuỗi (chain id) không hợp lệ: {chain_id!r}; cần một số nguyên dương."
                ),
            )
        if not isinstance(address, str) or not is_address(address):
            raise InputError(
                f"invalid registry address {address!r}: expected a 0x-prefixed 20-byte address",
                code="settings_invalid",
                message_vi=f"Địa chỉ hợp đồng sổ đăng ký không hợp lệ: {address!r}.",
            )
        return cls(chain_id, to_checksum_address(address))


@dataclass(frozen=True)
class Settings:
    """Resolved settings of one hocba process."""

    home: Path
    database_url: str
    verify_base_url: str = DEFAULT_VERIFY_BASE_URL
    rpc_url: str | None = None
    chain_id: int | None = None
    registry: str | None = None
    trusted: tuple[RegistryRef, ...] = field(default_factory=tuple)
    key_passphrase: str | None = None
    priority_fee: int = 0
    max_fee_per_gas_cap: int | None = None
    personal_data_retention_days: int | None = None

    @property
    def chain_dir(self) -> Path:
        return self.home / "chain"

    def with_trusted(self, *refs: RegistryRef) -> Settings:
        """Return a copy that also trusts ``refs``."""
        merged = tuple(dict.fromkeys((*self.trusted, *refs)))
        return replace(self, trusted=merged)

    def is_trusted(self, chain_id: int, address: str) -> bool:
        return any(
            ref.chain_id == chain_id and ref.address.lower() == address.lower()
            for ref in self.trusted
        )


def load_settings(home: Path | str | None = None, **overrides: object) -> Settings:
    """Read settings from the environment and ``<home>/hocba.toml``."""
    home_path = Path(home or os.environ.get("HOCBA_HOME") or ".hocba").resolve()
    file_values = _read_toml(home_path / "hocba.toml")
    chain_values = file_values.get("chain", {})
    data_values = file_values.get("data", {})

    trusted = tuple(
        RegistryRef.parse(entry.get("chain_id"), entry.get("registry"))
        for entry in chain_values.get("trusted", [])
    )
    chain_id = chain_values.get("chain_id")
    registry = chain_values.get("registry")
    if registry is not None:
        own = RegistryRef.parse(chain_id, registry)
        chain_id, registry = own.chain_id, own.address
        trusted = tuple(dict.fromkeys((own, *trusted)))

    settings = Settings(
        home=home_path,
        database_url=os.environ.get("HOCBA_DATABASE_URL")
        or file_values.get("database_url")
        or f"sqlite:///{home_path / 'hocba.db'}",
        verify_base_url=(
            os.environ.get("HOCBA_VERIFY_BASE_URL")
            or file_values.get("verify_base_url")
            or DEFAULT_VERIFY_BASE_URL
        ).rstrip("/"),
        rpc_url=os.environ.get("HOCBA_RPC_URL") or chain_values.get("rpc_url"),
        chain_id=chain_id,
        registry=registry,
        trusted=trusted,
        key_passphrase=os.environ.get("HOCBA_KEY_PASSPHRASE"),
        priority_fee=_wei(chain_values.get("priority_fee", 0), "priority_fee"),
        max_fee_per_gas_cap=None if chain_values.get("max_fee_per_gas_cap") is None
        else _wei(chain_values["max_fee_per_gas_cap"], "max_fee_per_gas_cap"),
        personal_data_retention_days=_retention_days(
            data_values.get("personal_data_retention_days")),
    )
    return replace(settings, **overrides)  # type: ignore[arg-type]


def _wei(value: object, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InputError(
            f"invalid [chain] {name} {value!r}: expected a whole number of wei, 0 or more",
            code="settings_invalid",
            message_vi=f"Giá trị [chain] {name} không hợp lệ: {value!r}; cần số wei nguyên "
                       "không âm.",
        )
    return value


def _retention_days(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise InputError(
            f"invalid [data] personal_data_retention_days {value!r}: expected a whole number "
            "of days, 1 or more",
            code="settings_invalid",
            message_vi=f"Giá trị [data] personal_data_retention_days không hợp lệ: {value!r}; "
                       "cần số ngày nguyên, từ 1 trở lên.",
        )
    return value


def _read_toml(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            f"invalid settings file {path}: {exc}",
            code="settings_invalid",
            message_vi=f"Tệp cấu hình {path} không hợp lệ: {exc}. Sửa tệp rồi chạy lại.",
        ) from exc
