"""Every role on every state-changing function of the registry.

Each row names a function, how to call it against the base state, and for every role either
``OK`` or the error the call must revert with (arguments included). ``CALLER`` in the
expected arguments stands for the sending account.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.contracts.registry_env import KEY, NEW_KEY, Chain

OK = "ok"
CALLER = "<caller>"
ROLE_NAMES = (
    "admin",
    "accreditor",
    "other_accreditor",
    "removed_accreditor",
    "issuer",
    "withdrawn_issuer",
    "stranger",
)


def _owner_only() -> dict[str, Any]:
    expected: dict[str, Any] = {
        role: ("OwnableUnauthorizedAccount", {"account": CALLER}) for role in ROLE_NAMES
    }
    expected["admin"] = OK
    return expected


def _accreditors_only() -> dict[str, Any]:
    expected: dict[str, Any] = {
        role: ("RegistryNotAccreditor", {"account": CALLER}) for role in ROLE_NAMES
    }
    expected["accreditor"] = OK
    expected["other_accreditor"] = OK
    return expected


def _issuer_accreditor_only(**extra: Any) -> dict[str, Any]:
    expected: dict[str, Any] = {
        role: ("RegistryNotIssuerAccreditor", {"issuer": "issuer", "caller": CALLER})
        for role in ROLE_NAMES
    }
    expected["accreditor"] = OK
    expected.update(extra)
    return expected


def _issuer_or_accreditor() -> dict[str, Any]:
    expected: dict[str, Any] = {
        role: ("RegistryNotIssuerOrAccreditor", {"issuer": "issuer", "caller": CALLER})
        for role in ROLE_NAMES
    }
    expected["accreditor"] = OK
    expected["issuer"] = OK
    return expected


def _batch_issuer_only() -> dict[str, Any]:
    expected: dict[str, Any] = {
        role: ("RegistryNotBatchIssuer", {"root": "root", "caller": CALLER}) for role in ROLE_NAMES
    }
    expected["issuer"] = OK
    return expected


def _anchor_expectations() -> dict[str, Any]:
    expected: dict[str, Any] = {
        role: ("RegistryUnknownIssuer", {"issuer": CALLER}) for role in ROLE_NAMES
    }
    expected["issuer"] = OK
    expected["withdrawn_issuer"] = (
        "RegistryIssuerWithdrawn",
        {"issuer": CALLER, "cutoffBlock": "withdrawn_cutoff"},
    )
    return expected


def _call(chain: Chain, name: str) -> Any:
    fn = chain.registry.functions
    roles = chain.roles
    batch = chain.batch
    calls = {
        "appointAccreditor": lambda: fn.appointAccreditor(roles.fresh, "UBND xã Mới", 26750),
        "removeAccreditor": lambda: fn.removeAccreditor(roles.other_accreditor),
        "reassignIssuer": lambda: fn.reassignIssuer(roles.issuer, roles.other_accreditor),
        "transferOwnership": lambda: fn.transferOwnership(roles.fresh),
        "accreditIssuer": lambda: fn.accreditIssuer(roles.fresh, "79000999", 26734, "Trường Mới"),
        "renameIssuer": lambda: fn.renameIssuer(roles.issuer, "Trường THCS Văn Lang mới"),
        "withdrawIssuer": lambda: fn.withdrawIssuer(roles.issuer, chain.head()),
        "addIssuerKey": lambda: fn.addIssuerKey(roles.issuer, NEW_KEY),
        "revokeIssuerKey": lambda: fn.revokeIssuerKey(roles.issuer, KEY, chain.head()),
        "anchor": lambda: fn.anchor(b"\x42" * 32),
        "revokeBatch": lambda: fn.revokeBatch(batch.root, 1),
        "revokeCredential": lambda: fn.revokeCredential(
            batch.root, batch.leaves[0], batch.proof(0), 2
        ),
        "suspendCredential": lambda: fn.suspendCredential(
            batch.root, batch.leaves[0], batch.proof(0)
        ),
        "reinstateCredential": lambda: fn.reinstateCredential(
            batch.root, batch.leaves[1], batch.proof(1)
        ),
    }
    return calls[name]()


MATRIX: dict[str, dict[str, Any]] = {
    "appointAccreditor": _owner_only(),
    "removeAccreditor": _owner_only(),
    "reassignIssuer": _owner_only(),
    "transferOwnership": _owner_only(),
    "accreditIssuer": _accreditors_only(),
    "renameIssuer": _issuer_accreditor_only(),
    "withdrawIssuer": _issuer_accreditor_only(admin=OK),
    "addIssuerKey": _issuer_accreditor_only(),
    "revokeIssuerKey": _issuer_or_accreditor(),
    "anchor": _anchor_expectations(),
    "revokeBatch": _batch_issuer_only(),
    "revokeCredential": _batch_issuer_only(),
    "suspendCredential": _batch_issuer_only(),
    "reinstateCredential": _batch_issuer_only(),
}

CASES = [(function, role) for function, row in MATRIX.items() for role in row]


def _resolve(chain: Chain, sender: str, arguments: dict[str, Any]) -> dict[str, Any]:
    withdrawn_cutoff = chain.registry.functions.issuer(chain.roles.withdrawn_issuer).call()[2]
    symbols = {
        CALLER: sender,
        "issuer": chain.roles.issuer,
        "root": chain.batch.root,
        "withdrawn_cutoff": withdrawn_cutoff,
    }
    return {key: symbols.get(value, value) for key, value in arguments.items()}


@pytest.mark.parametrize(("function", "role"), CASES, ids=[f"{f}-{r}" for f, r in CASES])
def test_role(chain: Chain, function: str, role: str) -> None:
    sender = getattr(chain.roles, role)
    expected = MATRIX[function][role]
    call = _call(chain, function)

    if expected == OK:
        receipt = chain.send(call, sender)
        assert receipt["status"] == 1
        return

    error_name, error_arguments = expected
    name, arguments = chain.revert_of(call, sender)
    assert name == error_name
    assert arguments == _resolve(chain, sender, error_arguments)


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_renounce_disabled(chain: Chain, role: str) -> None:
    name, arguments = chain.revert_of(
        chain.registry.functions.renounceOwnership(), getattr(chain.roles, role)
    )
    assert name == "RegistryRenounceDisabled"
    assert arguments == {}


def test_accept_ownership_stranger(chain: Chain) -> None:
    chain.send(chain.registry.functions.transferOwnership(chain.roles.fresh), chain.roles.admin)
    name, arguments = chain.revert_of(
        chain.registry.functions.acceptOwnership(), chain.roles.stranger
    )
    assert name == "OwnableUnauthorizedAccount"
    assert arguments == {"account": chain.roles.stranger}
