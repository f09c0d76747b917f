"""Purging personal data (issuer.retention, `hocba school purge`) on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, SQLModel, select
from typer.testing import CliRunner

from hocba.chain import connect_embedded
from hocba.cli import app
from hocba.db import AuditEvent, Batch, CredentialRecord
from hocba.errors import InputError
from hocba.settings import load_settings
from hocba.status import Status
from issuer.issuance import AnchoredBatch, file_slug, write_pdfs
from issuer.retention import PURGED_PATH, is_tombstone, purge_credentials
from tests.network import Network, build_network
from tests.pgcluster import EngineTracker, PostgresCluster
from tests.test_issue_verify import context_for, issue, small_class
from verifier.inputs import verify_path


@dataclass
class Issued:
    network: Network
    batch: AnchoredBatch
    pdfs: list[Path]
    student_copy: Path


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shared_network(request: pytest.FixtureRequest,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    """One registry and database per module and database kind (deploying takes seconds)."""
    home = tmp_path_factory.mktemp("retention") / "home"
    if request.param == "sqlite":
        yield build_network(connect_embedded(), home)
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    url = cluster.create_database()
    with EngineTracker(url.rsplit("/", 1)[1]):
        yield build_network(connect_embedded(), home, database_url=url)
    cluster.drop_database(url)


@pytest.fixture
def issued(shared_network: Network, tmp_path: Path) -> Issued:
    network = shared_network
    batch = issue(network, class_records=small_class(3))
    pdfs = write_pdfs(batch, tmp_path / "out", verify_base_url="http://127.0.0.1:8000",
                      issued_on=date(2026, 6, 1), engine=network.engine)
    student_copy = tmp_path / "student" / "hoc-ba.pdf"
    student_copy.parent.mkdir()
    shutil.copyfile(pdfs[0], student_copy)
    return Issued(network, batch, pdfs, student_copy)


def purge_all(issued: Issued) -> None:
    purge_credentials(issued.network.engine, actor="test", older_than_days=0,
                      now=datetime.now(UTC) + timedelta(seconds=1))


def every_cell(network: Network) -> str:
    """All rows of every table, as one text."""
    cells = []
    with network.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for row in connection.execute(text(f'SELECT * FROM "{table.name}"')):
                cells.extend(str(value) for value in row)
    return "\n".join(cells)


def personal_values(issued: Issued) -> list[str]:
    values = []
    for item in issued.batch.credentials:
        record = item.record
        values += [record.full_name, file_slug(record.full_name),
                   record.birth_date.isoformat(), record.birth_date.strftime("%d/%m/%Y")]
    return values


def test_personal_data_present_before(issued: Issued) -> None:
    found = every_cell(issued.network)
    record = issued.batch.credentials[0].record
    assert record.full_name in found
    assert record.birth_date.isoformat() in found


def test_purge_leaves_no_personal_data(issued: Issued) -> None:
    purge_all(issued)
    found = every_cell(issued.network)
    assert [value for value in personal_values(issued) if value in found] == []


def test_purge_deletes_salts_and_pdfs(issued: Issued) -> None:
    purge_all(issued)
    with Session(issued.network.engine) as db:
        rows = list(db.exec(select(CredentialRecord)
                            .where(CredentialRecord.batch_id == issued.batch.batch_id)))
    assert {(row.leaf_salt, row.field_seed, row.pdf_path) for row in rows} == {
        (None, None, PURGED_PATH)}
    assert all(is_tombstone(row.credential_json) for row in rows)
    assert [path for path in issued.pdfs if path.exists()] == []


def test_student_pdf_still_valid(issued: Issued) -> None:
    purge_all(issued)
    result = verify_path(issued.student_copy, context_for(issued.network))
    assert result.status is Status.VALID


def test_root_and_batch_kept(issued: Issued) -> None:
    purge_all(issued)
    record = issued.network.registry.batch(issued.batch.root)
    with Session(issued.network.engine) as db:
        batch = db.get(Batch, issued.batch.batch_id)
    assert int(record["anchoredBlock"]) == issued.batch.tx.block_number
    assert batch is not None and batch.merkle_root == "0x" + issued.batch.root.hex()


def test_purge_audited(issued: Issued) -> None:
    purge_all(issued)
    targets = {f"credential:{item.credential_id}" for item in issued.batch.credentials}
    with Session(issued.network.engine) as db:
        events = list(db.exec(select(AuditEvent).where(AuditEvent.action == "purge")))
    assert {event.target for event in events} >= targets


def test_recent_credentials_kept(issued: Issued) -> None:
    result = purge_credentials(issued.network.engine, actor="test", older_than_days=30)
    assert result.purged == []


def test_purge_by_id_only_that_one(issued: Issued) -> None:
    target = issued.batch.credentials[1].credential_id
    purge_credentials(issued.network.engine, actor="test", credential_ids=[target])
    with Session(issued.network.engine) as db:
        purged = [row.id for row in db.exec(select(CredentialRecord).where(
                  CredentialRecord.batch_id == issued.batch.batch_id))
                  if row.purged_at is not None]
    assert purged == [target]


def test_second_purge_skips(issued: Issued) -> None:
    target = issued.batch.credentials[0].credential_id
    purge_credentials(issued.network.engine, actor="test", credential_ids=[target])
    again = purge_credentials(issued.network.engine, actor="test", credential_ids=[target])
    assert again.skipped == [target]


def test_unfinished_batch_refused(network: Network) -> None:
    from tests.test_outbox import stored_batch

    batch_id, _ = stored_batch(network)
    with Session(network.engine) as db:
        credential_id = db.exec(select(CredentialRecord.id)
                                .where(CredentialRecord.batch_id == batch_id)).first()
    with pytest.raises(InputError) as caught:
        purge_credentials(network.engine, actor="test", credential_ids=[str(credential_id)])
    assert caught.value.code == "purge_batch_unfinished"


def test_nothing_selected_refused(network: Network) -> None:
    with pytest.raises(InputError) as caught:
        purge_credentials(network.engine, actor="test")
    assert caught.value.code == "purge_nothing_selected"


def test_retention_setting_read(tmp_path: Path) -> None:
    (tmp_path / "hocba.toml").write_text("[data]\npersonal_data_retention_days = 1825\n",
                                         encoding="utf-8")
    assert load_settings(tmp_path).personal_data_retention_days == 1825


def test_retention_setting_invalid(tmp_path: Path) -> None:
    (tmp_path / "hocba.toml").write_text("[data]\npersonal_data_retention_days = 0\n",
                                         encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_settings(tmp_path)
    assert caught.value.code == "settings_invalid"


def test_cli_purge_one(network: Network) -> None:
    batch = issue(network, class_records=small_class(2))
    target = batch.credentials[0].credential_id
    outcome = CliRunner().invoke(app, ["school", "purge", "--credential", target,
                                       "--home", str(network.settings.home)])
    with Session(network.engine) as db:
        row = db.get(CredentialRecord, target)
    assert outcome.exit_code == 0, outcome.output
    assert row is not None and row.purged_at is not None


def test_cli_purge_uses_setting(network: Network) -> None:
    issue(network, class_records=small_class(2))
    (network.settings.home / "hocba.toml").write_text(
        "[data]\npersonal_data_retention_days = 30\n", encoding="utf-8")
    outcome = CliRunner().invoke(app, ["school", "purge", "--home",
                                       str(network.settings.home)])
    assert "purged 0 credentials" in outcome.output
