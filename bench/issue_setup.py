"""Throw-away inputs of the issuing benchmark: a school, PKCS#12 signers, a registry, memory."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID
from eth_account import Account
from sqlalchemy import Engine

from hocba.chain import connect_embedded
from hocba.db import open_database
from hocba.registry import RegistryClient
from hocba.settings import load_settings
from issuer.accreditation import (
    DEPARTMENT_KEY,
    SchoolRegistration,
    appoint_accreditor,
    register_school,
)
from issuer.issuance import SchoolSigner
from issuer.keystore import KeyStore
from issuer.pdfsign import Pkcs12Key, SignerSpec
from scripts.sample_data import sample_school_identity

__all__ = ["BenchNetwork", "bench_school", "make_pkcs12_signers", "pss_bytes", "school_network"]

_PASSPHRASE = b"bench-only-passphrase"
_ROLES = (("homeroom_teacher", "Nguyễn Thị Lan"), ("principal", "Trần Văn Minh"),
          ("organisation", "Trường THCS Phú Hòa Đông"))
_COMMUNE = "27010"


@dataclass
class BenchNetwork:
    """A registry on the in-process EVM with one accredited school."""

    registry: RegistryClient
    engine: Engine
    school: SchoolSigner


def bench_school() -> SchoolSigner:
    """Return a school with fresh keys, for runs that never touch a chain."""
    account = Account.create()
    identity = sample_school_identity(f"did:pkh:eip155:31337:{account.address}")
    return SchoolSigner(identity, account, Ed25519PrivateKey.generate())


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_pkcs12_signers(folder: Path, count: int) -> list[SignerSpec]:
    """Write a CA and ``count`` signer certificates as .p12 files; return the signers in order."""
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (x509.CertificateBuilder().subject_name(_name("hocba bench CA"))
               .issuer_name(_name("hocba bench CA")).public_key(ca_key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=1))
               .not_valid_after(now + dt.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .sign(ca_key, hashes.SHA256()))
    specs = []
    for role, display_name in _ROLES[:count]:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(_name(display_name))
                .issuer_name(ca_cert.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=30))
                .add_extension(x509.KeyUsage(
                    digital_signature=True, content_commitment=True, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=False,
                    crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
                .sign(ca_key, hashes.SHA256()))
        path = folder / f"{role}.p12"
        path.write_bytes(pkcs12.serialize_key_and_certificates(
            role.encode("ascii"), key, cert, [ca_cert], BestAvailableEncryption(_PASSPHRASE)))
        specs.append(SignerSpec(role, display_name, Pkcs12Key(path, _PASSPHRASE)))  # type: ignore[arg-type]
    return specs


def school_network(home: Path) -> BenchNetwork:
    """Deploy the registry on the in-process EVM and accredit one school."""
    settings = load_settings(home)
    engine = open_database(settings.database_url)
    keys = KeyStore(engine, "bench passphrase")
    chain = connect_embedded()
    department = keys.account(DEPARTMENT_KEY, create=True)
    chain.fund(department.address)
    registry = RegistryClient.deploy(chain, department)
    appoint_accreditor(keys, registry, admin_unit_code=_COMMUNE, name="UBND xã Phú Hòa Đông")
    school = register_school(keys, registry, engine,
                             SchoolRegistration("79785401", _COMMUNE, "Trường THCS Phú Hòa Đông",
                                                "Trần Văn Minh"),
                             accreditor_unit_code=_COMMUNE)
    return BenchNetwork(registry, engine, school)


def pss_bytes(pid: int | None = None) -> int:
    """Return the memory of ``pid`` (default: this process) plus its child processes (PSS)."""
    pid = os.getpid() if pid is None else pid
    total = _rss_of(pid)
    children = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        child_pids = [int(text) for text in children.read_text(encoding="ascii").split()]
    except OSError:
        child_pids = []
    return total + sum(_rss_of(child) for child in child_pids)


def _rss_of(pid: int) -> int:
    """Return the proportional set size (PSS) of ``pid``: pages shared after fork count once."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text(encoding="ascii")
    except OSError:
        return 0
    for line in rollup.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0
