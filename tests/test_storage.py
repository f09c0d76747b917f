"""The database schema (Alembic) and the encrypted key store, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import Session, SQLModel, select

import hocba.db_wallet  # noqa: F401  (the wallet tables belong to the schema too)
from hocba.db import Batch, StoredKey, open_database
from hocba.errors import KeyStoreError
from issuer.keystore import KeyStore, passphrase_for_home


def test_migrations_match_models(database_url: str) -> None:
    engine = open_database(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection),
                                       SQLModel.metadata)
    assert differences == []


def test_migration_idempotent(database_url: str) -> None:
    open_database(database_url)
    engine = open_database(database_url)
    with engine.connect() as connection:
        versions = connection.execute(text("select version_num from alembic_version")).all()
    assert [tuple(row) for row in versions] == [("0005",)]


def _head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    import hocba.db

    config = Config()
    config.set_main_option("script_location",
                           str(Path(hocba.db.__file__).parent / "migrations"))
    return str(ScriptDirectory.from_config(config).get_current_head())


def test_chain_id_above_32_bits(database_url: str) -> None:
    engine = open_database(database_url)
    with Session(engine) as db:
        db.add(Batch(issuer_account="0x" + "11" * 20, label="6A1 2025-2026",
                     merkle_root="0x" + "22" * 32, size=1, chain_id=131277322940537,
                     registry_address="0x" + "33" * 20))
        db.commit()
    with Session(engine) as db:
        stored = db.exec(select(Batch)).one()
    assert stored.chain_id == 131277322940537


@pytest.fixture
def keystore(database_url: str) -> KeyStore:
    return KeyStore(open_database(database_url), "correct horse")


def test_account_round_trip(keystore: KeyStore) -> None:
    created = keystore.account("school:1", create=True)
    assert keystore.account("school:1").address == created.address


def test_signing_key_round_trip(keystore: KeyStore) -> None:
    created = keystore.signing_key("school:1:signing", create=True)
    loaded = keystore.signing_key("school:1:signing")
    assert loaded.public_key().public_bytes_raw() == created.public_key().public_bytes_raw()


def test_wrong_passphrase_rejected(keystore: KeyStore) -> None:
    keystore.account("department", create=True)
    intruder = KeyStore(keystore.engine, "wrong guess")
    with pytest.raises(KeyStoreError) as caught:
        intruder.account("department")
    assert caught.value.code == "wrong_passphrase"


def test_envelope_moved_rejected(keystore: KeyStore) -> None:
    keystore.account("a", create=True)
    keystore.account("b", create=True)
    with Session(keystore.engine) as db:
        rows = {row.name: row for row in db.exec(select(StoredKey))}
        rows["b"].envelope = rows["a"].envelope
        db.add(rows["b"])
        db.commit()
    with pytest.raises(KeyStoreError):
        keystore.account("b")


def test_missing_key_reported(keystore: KeyStore) -> None:
    with pytest.raises(KeyStoreError) as caught:
        keystore.account("nobody")
    assert caught.value.code == "key_not_found"


def test_private_key_not_stored_in_clear(keystore: KeyStore) -> None:
    account = keystore.account("school:2", create=True)
    with Session(keystore.engine) as db:
        row = db.exec(select(StoredKey).where(StoredKey.name == "school:2")).one()
    stored = json.dumps(row.model_dump(mode="json"))
    assert bytes(account.key).hex() not in stored
    assert row.public == account.address


def test_generated_passphrase_private(tmp_path: Path) -> None:
    first = passphrase_for_home(tmp_path, None)
    assert passphrase_for_home(tmp_path, None) == first
    assert (tmp_path / "key-passphrase").stat().st_mode & 0o077 == 0
    assert passphrase_for_home(tmp_path, "from env") == "from env"
