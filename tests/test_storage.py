"""The database schema (Alembic) and the encrypted key store."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import Session, SQLModel, select

from hocba.db import StoredKey, open_database
from hocba.errors import KeyStoreError
from issuer.keystore import KeyStore, passphrase_for_home


def test_migrations_match_models(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'hocba.db'}")
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection),
                                       SQLModel.metadata)
    assert differences == []


def test_migration_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hocba.db'}"
    open_database(url)
    open_database(url)
    tables = sqlite3.connect(tmp_path / "hocba.db").execute(
        "select version_num from alembic_version").fetchall()
    assert tables == [("0002",)]


@pytest.fixture
def keystore(tmp_path: Path) -> KeyStore:
    return KeyStore(open_database(f"sqlite:///{tmp_path / 'keys.db'}"), "correct horse")


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
