"""Decompression and pixel bombs sent to the API: 413 or 422, bounded memory, service healthy."""

from __future__ import annotations

import resource
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from api import create_app
from bench.corpus import Corpus, build_corpus
from hocba.chain import connect_embedded
from hocba.instance import Instance
from tests.api.bombs import (
    flate_zeros,
    pdf_with_attachment,
    pdf_with_page_content,
    pdf_with_xref_stream,
    png_header_only,
)

# NOTE: Starlette 1.10 warns when its TestClient runs on httpx instead of httpx2.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

GIB = 1 << 30
MIB = 1 << 20
PROBLEM = "application/problem+json"


@dataclass
class Served:
    corpus: Corpus
    client: TestClient


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    corpus = build_corpus(connect_embedded(), Path(tmp_path_factory.mktemp("limits")) / "home",
                          students=2)
    instance = Instance(corpus.settings, _chain=corpus.chain, _registry_address=corpus.registry)
    with TestClient(create_app(instance, requests_per_minute=0)) as client:
        yield Served(corpus, client)


def _upload(served: Served, data: bytes, media_type: str = "application/pdf"
            ) -> tuple[int, dict]:
    response = served.client.post("/v1/verify", files={"file": ("bomb", data, media_type)})
    return response.status_code, response.json()


def _still_verifies(served: Served) -> bool:
    response = served.client.post("/v1/verify", content=served.corpus.credentials[0],
                                  headers={"Content-Type": "application/json"})
    return response.status_code == 200 and response.json()["status"] == "valid"


def test_nested_flate_attachment_422(served: Served) -> None:
    pdf = pdf_with_attachment(flate_zeros(GIB, layers=2), "[/FlateDecode /FlateDecode]")
    status, body = _upload(served, pdf)
    assert len(pdf) < 10_000
    assert status == 422
    assert body["code"] == "pdf_invalid"
    assert _still_verifies(served)


def test_flate_attachment_bomb_413(served: Served) -> None:
    status, body = _upload(served, pdf_with_attachment(flate_zeros(256 * MIB), "/FlateDecode"))
    assert status == 413
    assert body["code"] == "pdf_too_large"
    assert _still_verifies(served)


def test_page_content_bomb_413(served: Served) -> None:
    pdf = pdf_with_page_content(flate_zeros(GIB, byte=b" "), "/FlateDecode",
                                attachment=served.corpus.credentials[0])
    status, body = _upload(served, pdf)
    assert status == 413
    assert body["code"] == "pdf_too_large"
    assert _still_verifies(served)


def test_nested_page_content_bomb_413(served: Served) -> None:
    pdf = pdf_with_page_content(flate_zeros(GIB, byte=b" ", layers=2),
                                "[/FlateDecode /FlateDecode]",
                                attachment=served.corpus.credentials[0])
    status, body = _upload(served, pdf)
    assert len(pdf) < 100_000
    assert status == 413
    assert body["code"] == "pdf_too_large"


def test_xref_stream_bomb_422(served: Served) -> None:
    status, body = _upload(served, pdf_with_xref_stream(GIB))
    assert status == 422
    assert body["code"] == "pdf_invalid"
    assert _still_verifies(served)


def test_problem_media_type(served: Served) -> None:
    response = served.client.post("/v1/verify", files={
        "file": ("bomb", pdf_with_attachment(flate_zeros(64 * MIB), "/FlateDecode"),
                 "application/pdf")})
    assert response.headers["content-type"] == PROBLEM


@pytest.mark.parametrize("size", [(30_000, 30_000), (7_000, 7_000)])
def test_pixel_bomb_413(served: Served, size: tuple[int, int]) -> None:
    status, body = _upload(served, png_header_only(*size), "image/png")
    assert status == 413
    assert body["code"] == "image_too_large"
    assert _still_verifies(served)


def test_broken_png_422(served: Served) -> None:
    status, body = _upload(served, b"\x89PNG\r\n\x1a\n" + b"\0" * 200, "image/png")
    assert status == 422
    assert body["code"] == "image_invalid"


def test_real_pdf_still_valid(served: Served) -> None:
    status, body = _upload(served, served.corpus.pdf)
    assert status == 200
    assert body["status"] == "valid"


def test_real_qr_image_still_valid(served: Served) -> None:
    status, body = _upload(served, served.corpus.qr_png, "image/png")
    assert status == 200
    assert body["status"] == "valid"


def test_bombs_keep_memory_bounded(served: Served) -> None:
    bombs = [
        pdf_with_attachment(flate_zeros(4 * GIB, layers=2), "[/FlateDecode /FlateDecode]"),
        pdf_with_page_content(flate_zeros(2 * GIB, byte=b" ", layers=2),
                              "[/FlateDecode /FlateDecode]",
                              attachment=served.corpus.credentials[0]),
        pdf_with_xref_stream(2 * GIB),
        png_header_only(60_000, 60_000),
    ]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    statuses = [_upload(served, bomb, "application/octet-stream")[0] for bomb in bombs]
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    assert set(statuses) <= {413, 422}
    assert grown < 300 * MIB
    assert _still_verifies(served)
