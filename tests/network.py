"""A deployed registry with the Department, one commune and one accredited school."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from hocba.chain import Chain
from hocba.db import open_database
from hocba.registry import RegistryClient
from hocba.settings import RegistryRef, Settings, load_settings
from issuer.accreditation import (
    DEPARTMENT_KEY,
    SchoolRegistration,
    appoint_accreditor,
    register_school,
)
from issuer.issuance import SchoolSigner
from issuer.keystore import KeyStore

COMMUNE = "27010"


@dataclass
class Network:
    """A deployed registry with the Department, one commune and one accredited school."""

    chain: Chain
    registry: RegistryClient
    keys: KeyStore
    settings: Settings
    engine: Engine
    school: SchoolSigner

    def register(self, code: str, name: str) -> SchoolSigner:
        registration = SchoolRegistration(code, COMMUNE, name, "Nguyễn Văn Hiệu Trưởng")
        return register_school(self.keys, self.registry, self.engine, registration,
                               accreditor_unit_code=COMMUNE)


def build_network(chain: Chain, home: Path, *, database_url: str | None = None) -> Network:
    settings = load_settings(home) if database_url is None \
        else load_settings(home, database_url=database_url)
    engine = open_database(settings.database_url)
    keys = KeyStore(engine, "test passphrase")
    department = keys.account(DEPARTMENT_KEY, create=True)
    chain.fund(department.address)
    registry = RegistryClient.deploy(chain, department)
    settings = settings.with_trusted(RegistryRef(chain.chain_id, registry.address))
    appoint_accreditor(keys, registry, admin_unit_code=COMMUNE, name="UBND xã Phú Hòa Đông")
    network = Network(chain, registry, keys, settings, engine, None)  # type: ignore[arg-type]
    network.school = network.register("79785401", "Trường THCS Phú Hòa Đông")
    return network
