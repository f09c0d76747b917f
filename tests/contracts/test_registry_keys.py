"""Issuer signing keys: adding by the accreditor, revoking with cut-offs."""

from __future__ import annotations

from tests.contracts.registry_env import KEY, NEW_KEY, OTHER_KEY, Chain


def _key(chain: Chain, public_key: bytes = KEY) -> dict:
    return chain.view("issuerKey", chain.roles.issuer, public_key)


def test_add_records_block(chain: Chain) -> None:
    receipt = chain.send(
        chain.registry.functions.addIssuerKey(chain.roles.issuer, NEW_KEY), chain.roles.accreditor
    )

    assert chain.events(receipt, "IssuerKeyAdded") == [
        {"issuer": chain.roles.issuer, "publicKey": NEW_KEY}
    ]
    assert _key(chain, NEW_KEY) == {"addedBlock": receipt["blockNumber"], "cutoffBlock": 0}


def test_add_zero_key(chain: Chain) -> None:
    call = chain.registry.functions.addIssuerKey(chain.roles.issuer, b"\x00" * 32)
    assert chain.revert_of(call, chain.roles.accreditor) == ("RegistryZeroKey", {})


def test_add_twice(chain: Chain) -> None:
    added = _key(chain)["addedBlock"]
    call = chain.registry.functions.addIssuerKey(chain.roles.issuer, KEY)

    assert chain.revert_of(call, chain.roles.accreditor) == (
        "RegistryKeyAlreadyAdded",
        {"issuer": chain.roles.issuer, "publicKey": KEY, "addedBlock": added},
    )


def test_readd_revoked_key(chain: Chain) -> None:
    fn = chain.registry.functions
    added = _key(chain)["addedBlock"]
    chain.send(fn.revokeIssuerKey(chain.roles.issuer, KEY, chain.head()), chain.roles.issuer)

    assert chain.revert_of(fn.addIssuerKey(chain.roles.issuer, KEY), chain.roles.accreditor) == (
        "RegistryKeyAlreadyAdded",
        {"issuer": chain.roles.issuer, "publicKey": KEY, "addedBlock": added},
    )


def test_add_for_unknown_issuer(chain: Chain) -> None:
    call = chain.registry.functions.addIssuerKey(chain.roles.fresh, NEW_KEY)
    assert chain.revert_of(call, chain.roles.accreditor) == (
        "RegistryUnknownIssuer",
        {"issuer": chain.roles.fresh},
    )


def test_same_key_two_issuers(chain: Chain) -> None:
    receipt = chain.send(
        chain.registry.functions.addIssuerKey(chain.roles.issuer, OTHER_KEY), chain.roles.accreditor
    )
    assert _key(chain, OTHER_KEY)["addedBlock"] == receipt["blockNumber"]


def test_revoke_by_school(chain: Chain) -> None:
    cutoff = chain.head()
    receipt = chain.send(
        chain.registry.functions.revokeIssuerKey(chain.roles.issuer, KEY, cutoff),
        chain.roles.issuer,
    )

    assert chain.events(receipt, "IssuerKeyRevoked") == [
        {
            "issuer": chain.roles.issuer,
            "publicKey": KEY,
            "by": chain.roles.issuer,
            "cutoffBlock": cutoff,
        }
    ]
    assert _key(chain)["cutoffBlock"] == cutoff


def test_revoke_by_withdrawn_school(chain: Chain) -> None:
    fn = chain.registry.functions
    chain.send(fn.withdrawIssuer(chain.roles.issuer, chain.head()), chain.roles.accreditor)

    chain.send(fn.revokeIssuerKey(chain.roles.issuer, KEY, chain.head()), chain.roles.issuer)

    assert _key(chain)["cutoffBlock"] == chain.head() - 1


def test_revoke_at_added_block(chain: Chain) -> None:
    added = _key(chain)["addedBlock"]
    chain.send(
        chain.registry.functions.revokeIssuerKey(chain.roles.issuer, KEY, added),
        chain.roles.accreditor,
    )
    assert _key(chain)["cutoffBlock"] == added


def test_revoke_before_added(chain: Chain) -> None:
    added = _key(chain)["addedBlock"]
    call = chain.registry.functions.revokeIssuerKey(chain.roles.issuer, KEY, added - 1)

    assert chain.revert_of(call, chain.roles.issuer) == (
        "RegistryCutoffBeforeStart",
        {"cutoff": added - 1, "start": added},
    )


def test_revoke_in_future(chain: Chain) -> None:
    current = chain.head() + 1
    call = chain.registry.functions.revokeIssuerKey(chain.roles.issuer, KEY, current + 5)

    assert chain.revert_of(call, chain.roles.issuer) == (
        "RegistryCutoffInFuture",
        {"cutoff": current + 5, "current": current},
    )


def test_revoke_moved_earlier(chain: Chain) -> None:
    fn = chain.registry.functions
    added = _key(chain)["addedBlock"]
    chain.send(fn.revokeIssuerKey(chain.roles.issuer, KEY, added + 2), chain.roles.issuer)

    chain.send(fn.revokeIssuerKey(chain.roles.issuer, KEY, added + 1), chain.roles.accreditor)

    assert _key(chain)["cutoffBlock"] == added + 1


def test_revoke_moved_later(chain: Chain) -> None:
    fn = chain.registry.functions
    added = _key(chain)["addedBlock"]
    chain.send(fn.revokeIssuerKey(chain.roles.issuer, KEY, added + 1), chain.roles.issuer)

    assert chain.revert_of(
        fn.revokeIssuerKey(chain.roles.issuer, KEY, added + 2), chain.roles.accreditor
    ) == ("RegistryCutoffNotEarlier", {"cutoff": added + 2, "existing": added + 1})


def test_revoke_unknown_key(chain: Chain) -> None:
    call = chain.registry.functions.revokeIssuerKey(chain.roles.issuer, NEW_KEY, chain.head())
    assert chain.revert_of(call, chain.roles.issuer) == (
        "RegistryUnknownKey",
        {"issuer": chain.roles.issuer, "publicKey": NEW_KEY},
    )


def test_revoke_other_issuers_key(chain: Chain) -> None:
    call = chain.registry.functions.revokeIssuerKey(chain.roles.issuer, OTHER_KEY, chain.head())
    assert chain.revert_of(call, chain.roles.issuer) == (
        "RegistryUnknownKey",
        {"issuer": chain.roles.issuer, "publicKey": OTHER_KEY},
    )


def test_revoke_unknown_issuer(chain: Chain) -> None:
    call = chain.registry.functions.revokeIssuerKey(chain.roles.fresh, KEY, chain.head())
    assert chain.revert_of(call, chain.roles.fresh) == (
        "RegistryUnknownIssuer",
        {"issuer": chain.roles.fresh},
    )


def test_orphan_revokes_own_key(chain: Chain) -> None:
    fn = chain.registry.functions
    chain.send(
        fn.reassignIssuer(chain.roles.orphan_issuer, chain.roles.accreditor), chain.roles.admin
    )
    chain.send(fn.addIssuerKey(chain.roles.orphan_issuer, NEW_KEY), chain.roles.accreditor)

    receipt = chain.send(
        fn.revokeIssuerKey(chain.roles.orphan_issuer, NEW_KEY, chain.head()),
        chain.roles.orphan_issuer,
    )

    assert receipt["status"] == 1
