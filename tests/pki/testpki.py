"""A throw-away PKI for PAdES tests: Certomancer certificates, OCSP and a TSA on 127.0.0.1.

Keys are generated fresh into a temporary folder, so nothing secret is
committed. The OCSP responder, the CRL of the root and the timestamp authority
are served by Certomancer's aiohttp application in a background thread on a
free port of 127.0.0.1; the certificates point at that port.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from asn1crypto import x509
from certomancer.integrations.aiohttp_illusionist import AsyncIllusionist
from certomancer.registry import CertomancerConfig, PKIArchitecture
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

__all__ = ["CONFIG", "KEY_LABELS", "TestPki", "start_test_pki"]

CONFIG = Path(__file__).with_name("certomancer.yml")
KEY_LABELS = ("root", "interm", "ocsp", "tsa", "school", "teacher", "principal")
ARCH = "hocba-test"
TEST_PASSPHRASE = b"test-only-passphrase"


def _write_keys(folder: Path) -> None:
    for label in KEY_LABELS:
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        (folder / f"{label}.key.pem").write_bytes(pem)


class _Server:
    """Certomancer's service application served by an event loop in a daemon thread."""

    def __init__(self, app: web.Application, listener: socket.socket) -> None:
        self._loop = asyncio.new_event_loop()
        self._runner = web.AppRunner(app, access_log=None)
        self._listener = listener
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)

    async def _start(self) -> None:
        await self._runner.setup()
        await web.SockSite(self._runner, self._listener).start()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


@dataclass
class TestPki:
    """The test PKI architecture, its served URLs and PKCS#12 files for the signers."""

    __test__ = False

    arch: PKIArchitecture
    base_url: str
    folder: Path
    server: _Server

    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/{ARCH}/tsa/tsa"

    def cert(self, label: str) -> x509.Certificate:
        return self.arch.get_cert(label)

    @property
    def root(self) -> x509.Certificate:
        return self.cert("root")

    def pkcs12(self, label: str, passphrase: bytes = TEST_PASSPHRASE) -> Path:
        """Write the key and certificate chain of ``label`` to a .p12 file."""
        path = self.folder / f"{label}.p12"
        if not path.exists():
            data = self.arch.package_pkcs12(label, certs_to_embed=["interm", "root"],
                                            password=passphrase)
            path.write_bytes(data)
        return path

    def key_pem(self, label: str) -> bytes:
        return (self.folder / f"{label}.key.pem").read_bytes()

    def close(self) -> None:
        self.server.stop()


def start_test_pki(folder: Path) -> TestPki:
    """Generate keys in ``folder``, build the PKI and serve its OCSP, CRL and TSA."""
    _write_keys(folder)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    config = CertomancerConfig.from_file(str(CONFIG), key_search_dir=str(folder),
                                         external_url_prefix=base_url)
    arch = config.get_pki_arch(ARCH)
    server = _Server(AsyncIllusionist(arch).build_app(), listener)
    return TestPki(arch=arch, base_url=base_url, folder=folder, server=server)
