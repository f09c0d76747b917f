"""A learner's history: function, CLI and API, across schools and years."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from starlette.exceptions import StarletteDeprecationWarning
from typer.testing import CliRunner

from api import create_app
from hocba.accounts import create_user
from hocba.chain import connect_embedded
from hocba.cli import app as cli_app
from hocba.errors import InputError
from hocba.instance import Instance
from issuer.issuance import SchoolSigner, anchor_batch, prepare_batch
from issuer.learner import learner_records
from issuer.records import ClassRecords
from scripts.sample_data import generate_school
from tests.network import Network, build_network

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

LEARNER = "7926012345"
OTHER = "7926099999"
SCHOOL_B = "79785402"
PASSWORD = "mật khẩu thử nghiệm 2026"


def one_class(school_year: str, grade: int, student_id: str) -> ClassRecords:
    """Return a two-student class whose first student has ``student_id``."""
    classes = next(item for item in generate_school(3, school_year) if item.grade == grade)
    first = replace(classes.students[0], student_id=student_id)
    return replace(classes, students=[first, classes.students[1]])


def issue(network: Network, signer: SchoolSigner, classes: ClassRecords) -> None:
    prepared = prepare_batch(classes, signer)
    anchor_batch(prepared, signer, registry=network.registry, engine=network.engine)


@dataclass
class World:
    network: Network
    home: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    home = tmp_path_factory.mktemp("learner") / "home"
    network = build_network(connect_embedded(), home)
    school_b = network.register(SCHOOL_B, "Trường THCS Tân An Hội")
    issue(network, network.school, one_class("2025-2026", 8, LEARNER))
    issue(network, school_b, one_class("2024-2025", 7, LEARNER))
    issue(network, network.school, one_class("2023-2024", 6, OTHER))
    return World(network, home)


def test_oldest_first(world: World) -> None:
    records = learner_records(world.network.engine, LEARNER)
    assert [record.school_year for record in records] == ["2024-2025", "2025-2026"]


def test_across_schools(world: World) -> None:
    records = learner_records(world.network.engine, LEARNER)
    assert [record.school_code for record in records] == [SCHOOL_B, "79785401"]


def test_fields_of_record(world: World) -> None:
    record = learner_records(world.network.engine, LEARNER)[0]
    assert (record.grade, record.record_type, record.status) == (7, "ext:YearTranscript",
                                                                  "active")
    assert record.terms == ("hk1", "hk2", "cn")
    assert record.transfer is None
    assert record.backfilled is False


def test_one_school_only(world: World) -> None:
    records = learner_records(world.network.engine, LEARNER, school_code=SCHOOL_B)
    assert [record.school_year for record in records] == ["2024-2025"]


def test_other_learner_apart(world: World) -> None:
    records = learner_records(world.network.engine, OTHER)
    assert [record.school_year for record in records] == ["2023-2024"]


def test_unknown_learner_empty(world: World) -> None:
    assert learner_records(world.network.engine, "0123456789") == []


def test_invalid_key_rejected(world: World) -> None:
    with pytest.raises(InputError) as caught:
        learner_records(world.network.engine, "12345")
    assert caught.value.code == "invalid_learner_id"


def test_cli_history_json(world: World) -> None:
    result = CliRunner().invoke(cli_app, ["learner", "history", "--student-id", LEARNER,
                                          "--json", "--home", str(world.home)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [row["school_year"] for row in rows] == ["2024-2025", "2025-2026"]


def test_cli_history_table(world: World) -> None:
    result = CliRunner().invoke(cli_app, ["learner", "history", "--student-id", LEARNER,
                                          "--home", str(world.home)])
    assert result.exit_code == 0, result.output
    assert "Trường THCS Tân An Hội" in result.output
    assert "2 hồ sơ" in result.output


def test_cli_invalid_id(world: World) -> None:
    result = CliRunner().invoke(cli_app, ["learner", "history", "--student-id", "abc",
                                          "--home", str(world.home)])
    assert result.exit_code == 2


@pytest.fixture(scope="module")
def client(world: World) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    network = world.network
    settings = replace(network.settings, key_passphrase="test passphrase")
    instance = Instance(settings, _chain=network.chain,
                        _registry_address=network.registry.address)
    logins = {"department": ("so-gd-hs", "department", None),
              "principal_a": ("ht-a-hs", "principal", "79785401"),
              "principal_b": ("ht-b-hs", "principal", SCHOOL_B),
              "staff_a": ("gv-a-hs", "school_staff", "79785401")}
    for login, role, school in logins.values():
        create_user(network.engine, login=login, display_name=login, role=role,
                    password=PASSWORD, school_code=school)
    with TestClient(create_app(instance)) as test_client:
        headers = {}
        for name, (login, _, _) in logins.items():
            response = test_client.post("/v1/session", json={"login": login,
                                                             "password": PASSWORD})
            headers[name] = {"Cookie": f"hocba_session={response.cookies['hocba_session']}"}
            test_client.cookies.clear()
        headers["anonymous"] = {}
        yield test_client, headers


def test_api_department_all(client: tuple[TestClient, dict]) -> None:
    test_client, headers = client
    response = test_client.get(f"/v1/learners/{LEARNER}/records",
                               headers=headers["department"])
    assert response.status_code == 200
    years = [row["school_year"] for row in response.json()["records"]]
    assert years == ["2024-2025", "2025-2026"]


def test_api_no_store(client: tuple[TestClient, dict]) -> None:
    test_client, headers = client
    response = test_client.get(f"/v1/learners/{LEARNER}/records",
                               headers=headers["department"])
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(("role", "status"), [("principal_a", 403), ("staff_a", 403),
                                              ("anonymous", 401)])
def test_api_all_forbidden(client: tuple[TestClient, dict], role: str, status: int) -> None:
    test_client, headers = client
    response = test_client.get(f"/v1/learners/{LEARNER}/records", headers=headers[role])
    assert response.status_code == status


def test_api_principal_own(client: tuple[TestClient, dict]) -> None:
    test_client, headers = client
    response = test_client.get(f"/v1/schools/{SCHOOL_B}/learners/{LEARNER}/records",
                               headers=headers["principal_b"])
    assert [row["school_code"] for row in response.json()["records"]] == [SCHOOL_B]


def test_api_principal_other(client: tuple[TestClient, dict]) -> None:
    test_client, headers = client
    response = test_client.get(f"/v1/schools/{SCHOOL_B}/learners/{LEARNER}/records",
                               headers=headers["principal_a"])
    assert response.status_code == 403


def test_api_invalid_id(client: tuple[TestClient, dict]) -> None:
    test_client, headers = client
    response = test_client.get("/v1/learners/12/records", headers=headers["department"])
    assert response.status_code == 422
