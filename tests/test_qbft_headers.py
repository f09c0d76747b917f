"""Block headers of QBFT networks (extraData longer than 32 bytes) are read correctly.

A small JSON-RPC server on 127.0.0.1 serves constructed QBFT headers (see
tests/vectors/qbft/PROVENANCE.md), since no Besu node can run here.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from web3 import HTTPProvider, Web3
from web3.exceptions import ExtraDataLengthError

from hocba.chain import connect_rpc

VECTORS = json.loads((Path(__file__).parent / "vectors" / "qbft" / "blocks.json")
                     .read_text(encoding="utf-8"))


class _QbftNode(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        method, params = request["method"], request.get("params", [])
        if method == "eth_chainId":
            result: object = VECTORS["chainId"]
        elif method == "eth_getBlockByNumber":
            blocks = {block["number"]: block for block in VECTORS["blocks"]}
            wanted = params[0]
            result = VECTORS["blocks"][-1] if wanted == "latest" else blocks.get(wanted)
        else:
            result = None
        body = json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": result}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def qbft_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _QbftNode)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_vectors_have_long_extra_data() -> None:
    for block in VECTORS["blocks"]:
        assert len(bytes.fromhex(block["extraData"][2:])) > 32


def test_pinned_block_reads_qbft_header(qbft_url: str) -> None:
    chain = connect_rpc(qbft_url, expected_chain_id=2026)
    number, timestamp = chain.pinned_block()
    assert number == 1024
    assert timestamp == 1767225600 + 1024 * 2


def test_block_by_number_reads_qbft_header(qbft_url: str) -> None:
    chain = connect_rpc(qbft_url)
    block = chain.call(lambda: chain.w3.eth.get_block(1023))
    assert block["number"] == 1023
    assert len(block["proofOfAuthorityData"]) > 32


def test_without_middleware_fails(qbft_url: str) -> None:
    """Shows why connect_rpc adds the proof-of-authority middleware."""
    plain = Web3(HTTPProvider(qbft_url))
    with pytest.raises(ExtraDataLengthError):
        plain.eth.get_block("latest")
