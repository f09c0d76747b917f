"""Accreditation state and history as the registry records it: accreditors, schools, names,
supervising bodies, keys and withdrawals.

Everything here is read from the chain (view functions and event logs), not from
the database, so the pages show what a verifier would see.

NOTE: events are read from block 0. A node that caps the block range of
``eth_getLogs`` would need a start block (the registry's deployment block), which
no setting provides yet.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from hocba.chain import Chain
from hocba.errors import InputError
from hocba.registry import RegistryClient

__all__ = [
    "AccreditorEntry",
    "KeyEntry",
    "NameEntry",
    "SchoolEntry",
    "SchoolHistory",
    "SupervisionEntry",
    "WithdrawalEntry",
    "block_for_time",
    "list_accreditors",
    "list_schools",
    "read_school_history",
    "unit_code_text",
]

logger = logging.getLogger(__name__)


def unit_code_text(number: int) -> str:
    """Return a stored unit code as written: 2 digits for a province, 5 for a commune."""
    return f"{number:02d}" if number < 100 else f"{number:05d}"


@dataclass(frozen=True)
class AccreditorEntry:
    account: str
    name: str
    unit_code: str
    appointed_block: int
    removed_block: int
    transaction_hash: str


@dataclass(frozen=True)
class SchoolEntry:
    account: str
    school_code: str
    name: str
    unit_code: str
    accreditor: str
    accredited_from: int
    withdrawn_cutoff: int


@dataclass(frozen=True)
class NameEntry:
    name: str
    from_block: int
    to_block: int | None
    from_time: int


@dataclass(frozen=True)
class SupervisionEntry:
    accreditor: str
    accreditor_name: str
    unit_code: str
    from_block: int
    to_block: int | None
    from_time: int


@dataclass(frozen=True)
class KeyEntry:
    public_key: str
    added_block: int
    cutoff_block: int
    added_time: int
    cutoff_time: int | None
    revoked_by: str


@dataclass(frozen=True)
class WithdrawalEntry:
    by: str
    cutoff_block: int
    block: int
    time: int
    transaction_hash: str


@dataclass(frozen=True)
class SchoolHistory:
    school: SchoolEntry
    names: tuple[NameEntry, ...]
    supervisors: tuple[SupervisionEntry, ...]
    keys: tuple[KeyEntry, ...]
    withdrawals: tuple[WithdrawalEntry, ...]
    transactions: tuple[tuple[int, str, str], ...]  # (block, event name, transaction hash)


def list_accreditors(registry: RegistryClient) -> list[AccreditorEntry]:
    """Return every accreditor ever appointed, in order of appointment."""
    entries = []
    for event in registry.events("AccreditorAppointed"):
        account = event["args"]["account"]
        state = registry.accreditor(account)
        entries.append(AccreditorEntry(
            account=account, name=state["name"], unit_code=unit_code_text(state["adminUnitCode"]),
            appointed_block=int(state["appointedBlock"]),
            removed_block=int(state["removedBlock"]), transaction_hash=event["transactionHash"]))
    return entries


def list_schools(registry: RegistryClient, *, accreditor: str | None = None) -> list[SchoolEntry]:
    """Return every accredited school, or those ``accreditor`` supervises now."""
    schools = []
    for event in registry.events("IssuerAccredited"):
        school = _school_entry(registry, event["args"]["issuer"])
        if accreditor is None or school.accreditor.lower() == accreditor.lower():
            schools.append(school)
    return schools


def _school_entry(registry: RegistryClient, account: str) -> SchoolEntry:
    state = registry.issuer(account)
    return SchoolEntry(
        account=account, school_code=state["schoolCode"], name=state["name"],
        unit_code=unit_code_text(int(state["adminUnitCode"])), accreditor=state["accreditor"],
        accredited_from=int(state["accreditedFrom"]),
        withdrawn_cutoff=int(state["withdrawnCutoff"]))


def read_school_history(registry: RegistryClient, account: str) -> SchoolHistory:
    """Read a school's names, supervising bodies, keys and withdrawals from the registry."""
    chain = registry.chain
    times = _BlockTimes(chain)
    school = _school_entry(registry, account)

    raw_names = registry.issuer_names(account)
    names = tuple(
        NameEntry(item["name"], item["fromBlock"],
                  raw_names[index + 1]["fromBlock"] if index + 1 < len(raw_names) else None,
                  times.of(item["fromBlock"]))
        for index, item in enumerate(raw_names))

    raw_supervisors = registry.issuer_accreditors(account)
    supervisors = []
    for index, item in enumerate(raw_supervisors):
        state = registry.accreditor(item["accreditor"])
        following = raw_supervisors[index + 1]["fromBlock"] \
            if index + 1 < len(raw_supervisors) else None
        supervisors.append(SupervisionEntry(
            item["accreditor"], state["name"], unit_code_text(int(state["adminUnitCode"])),
            item["fromBlock"], following, times.of(item["fromBlock"])))

    revokers = {event["args"]["publicKey"]: event["args"]["by"]
                for event in registry.events("IssuerKeyRevoked", issuer=account)}
    keys = []
    for event in registry.events("IssuerKeyAdded", issuer=account):
        public_key = event["args"]["publicKey"]
        state = registry.issuer_key(account, bytes.fromhex(public_key[2:]))
        cutoff = int(state["cutoffBlock"])
        keys.append(KeyEntry(public_key[2:], int(state["addedBlock"]), cutoff,
                             times.of(int(state["addedBlock"])),
                             times.of(cutoff) if cutoff else None,
                             revokers.get(public_key, "")))

    withdrawals = tuple(
        WithdrawalEntry(event["args"]["by"], int(event["args"]["cutoffBlock"]),
                        event["blockNumber"], times.of(event["blockNumber"]),
                        event["transactionHash"])
        for event in registry.events("IssuerWithdrawn", issuer=account))

    transactions = []
    for name in ("IssuerAccredited", "IssuerRenamed", "IssuerReassigned", "IssuerKeyAdded",
                 "IssuerKeyRevoked", "IssuerWithdrawn"):
        transactions += [(event["blockNumber"], name, event["transactionHash"])
                         for event in registry.events(name, issuer=account)]
    transactions.sort()
    return SchoolHistory(school, names, tuple(supervisors), tuple(keys), withdrawals,
                         tuple(transactions))


class _BlockTimes:
    """Block timestamps, each read once; a block not mined yet reads as the latest block."""

    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self.cache: dict[int, int] = {}
        self.latest, self.latest_time = chain.pinned_block()

    def of(self, number: int) -> int:
        if number > self.latest:
            return self.latest_time
        if number not in self.cache:
            block = self.chain.call(lambda: self.chain.w3.eth.get_block(number))
            self.cache[number] = int(block["timestamp"])
        return self.cache[number]


def block_for_time(chain: Chain, moment: datetime) -> int:
    """Return the first block mined at or after ``moment``, as a cut-off block.

    A moment after the latest block gives the next block, which is the earliest
    cut-off a transaction sent now can set. A moment in the future raises InputError,
    because the registry rejects cut-offs after the current block.
    """
    if moment.tzinfo is None:
        raise InputError("the moment has no time zone", code="time_zone_missing")
    if moment > datetime.now(UTC):
        raise InputError(
            f"the effective time {moment.isoformat()} lies in the future",
            code="effective_time_future",
            message_vi="Thời điểm có hiệu lực nằm trong tương lai; sổ đăng ký chỉ nhận thời "
                       "điểm đã qua hoặc ngay bây giờ.")
    target = int(moment.timestamp())
    latest, latest_time = chain.pinned_block()
    if latest_time < target:
        return latest + 1
    low, high = 1, latest
    while low < high:
        middle = (low + high) // 2
        block = chain.call(lambda: chain.w3.eth.get_block(middle))  # noqa: B023
        if int(block["timestamp"]) >= target:
            high = middle
        else:
            low = middle + 1
    return low
