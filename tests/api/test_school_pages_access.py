"""Staff pages: login, logout, CSRF and which role can open which page of which school."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from api.page_auth import safe_next
from tests.api.school_pages_world import (
    MISSING,
    PASSWORD,
    SCHOOL_A,
    SCHOOL_B,
    PageWorld,
    TestClient,
    build_world,
    login,
)

ROLES = ("anonymous", "department", "accreditor", "staff_a", "principal_a", "principal_b")
_BASE = f"/school/{SCHOOL_A}"
_CRED = f"{_BASE}/credentials/{MISSING}"
_READERS = ("staff_a", "principal_a")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageWorld]:
    yield from build_world(tmp_path_factory.mktemp("pages"))


def _file(world: PageWorld, role: str) -> dict[str, Any]:
    return {"files": {"file": ("lop.csv", world.bad_csv, "text/csv")},
            "data": {"csrf_token": world.csrf(role), "record_type": "transcript-thcs-tt22"}}


def _form(world: PageWorld, role: str) -> dict[str, Any]:
    return {"data": {"csrf_token": world.csrf(role), "reason": "kiểm tra quyền"}}


def _none(world: PageWorld, role: str) -> dict[str, Any]:
    return {}


def _reissue(world: PageWorld, role: str) -> dict[str, Any]:
    return {"files": {"file": ("d.csv", world.class_csv, "text/csv")},
            "data": {"csrf_token": world.csrf(role), "reason": "đính chính"}}


# (method, path, request factory, {role: status}); roles not listed get 403 and
# anonymous is redirected to the login form.
MATRIX: list[tuple[str, str, Any, dict[str, int]]] = [
    ("GET", _BASE, _none, dict.fromkeys(_READERS, 200)),
    ("GET", f"{_BASE}/imports/new", _none, dict.fromkeys(_READERS, 200)),
    ("POST", f"{_BASE}/imports", _file, dict.fromkeys(_READERS, 303)),
    ("GET", f"{_BASE}/imports/999999", _none, dict.fromkeys(_READERS, 404)),
    ("POST", f"{_BASE}/imports/999999/approve", _form, {"principal_a": 404}),
    ("GET", f"{_BASE}/credentials", _none, dict.fromkeys(_READERS, 200)),
    ("GET", _CRED, _none, dict.fromkeys(_READERS, 404)),
    ("GET", f"{_CRED}/pdf", _none, dict.fromkeys(_READERS, 404)),
    ("POST", f"{_CRED}/revoke", _form, {"principal_a": 404}),
    ("POST", f"{_CRED}/suspend", _form, {"principal_a": 404}),
    ("POST", f"{_CRED}/reinstate", _form, {"principal_a": 404}),
    ("POST", f"{_CRED}/reissue", _reissue, {"principal_a": 404}),
    ("GET", f"{_BASE}/audit", _none, {"principal_a": 200, "department": 200}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "kwargs", "allowed"), MATRIX,
                         ids=[f"{m} {p.removeprefix(_BASE) or '/'}" for m, p, _, _ in MATRIX])
def test_page_role_matrix(world: PageWorld, role: str, method: str, path: str, kwargs: Any,
                          allowed: dict[str, int]) -> None:
    expected = 303 if role == "anonymous" else allowed.get(role, 403)
    response = world.clients[role].request(method, path, **kwargs(world, role))
    assert response.status_code == expected, response.text[:500]


@pytest.mark.parametrize(("method", "path", "kwargs", "allowed"), MATRIX,
                         ids=[f"{m} {p.removeprefix(_BASE) or '/'}" for m, p, _, _ in MATRIX])
def test_anonymous_goes_to_login(world: PageWorld, method: str, path: str, kwargs: Any,
                                 allowed: dict[str, int]) -> None:
    response = world.clients["anonymous"].request(method, path)
    assert response.headers["location"].startswith("/login?next=%2Fschool%2F")


def test_other_school_page_is_html(world: PageWorld) -> None:
    response = world.clients["principal_b"].get(_BASE)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "không thuộc trường" in response.text


def test_own_school_b_dashboard(world: PageWorld) -> None:
    response = world.clients["principal_b"].get(f"/school/{SCHOOL_B}")
    assert response.status_code == 200


@pytest.mark.parametrize(("path", "kwargs"), [
    (f"{_BASE}/imports", lambda w: {"files": {"file": ("lop.csv", w.bad_csv, "text/csv")},
                                    "data": {"record_type": "transcript-thcs-tt22"}}),
    (f"{_CRED}/revoke", lambda w: {"data": {"reason": "thử"}}),
    (f"{_CRED}/suspend", lambda w: {"data": {"reason": "thử", "csrf_token": "sai"}}),
    ("/logout", lambda w: {"data": {}}),
])
def test_csrf_missing_forbidden(world: PageWorld, path: str, kwargs: Any) -> None:
    response = world.clients["principal_a"].post(path, **kwargs(world))
    assert response.status_code == 403
    assert "chống giả mạo" in response.text


def test_login_redirects_by_role(world: PageWorld) -> None:
    expected = {"so-gd": "/department", "xa-phu-hoa-dong": "/accreditor",
                "giao-vu-a": f"/school/{SCHOOL_A}", "hieu-truong-b": f"/school/{SCHOOL_B}"}
    for login_name, target in expected.items():
        with TestClient(world.clients["anonymous"].app, follow_redirects=False) as client:
            assert login(client, login_name).headers["location"] == target


def test_login_sets_session_cookie(world: PageWorld) -> None:
    with TestClient(world.clients["anonymous"].app, follow_redirects=False) as client:
        response = login(client, "giao-vu-a")
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("hocba_session="))
    assert "httponly" in session.lower()
    assert "samesite=strict" in session.lower()


def test_login_follows_safe_next(world: PageWorld) -> None:
    with TestClient(world.clients["anonymous"].app, follow_redirects=False) as client:
        response = client.post("/login", data={"login": "giao-vu-a", "password": PASSWORD,
                                               "next": f"{_BASE}/credentials?class=6A1"})
    assert response.headers["location"] == f"{_BASE}/credentials?class=6A1"


def test_login_ignores_foreign_next(world: PageWorld) -> None:
    with TestClient(world.clients["anonymous"].app, follow_redirects=False) as client:
        response = client.post("/login", data={"login": "giao-vu-a", "password": PASSWORD,
                                               "next": "//evil.example/x"})
    assert response.headers["location"] == _BASE


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example",
                                    "evil", "/ok\r\nSet-Cookie: x=1", "javascript:alert(1)", ""])
def test_safe_next_rejects(target: str) -> None:
    assert safe_next(target) is None


def test_safe_next_keeps_local_path() -> None:
    assert safe_next("/school/1/credentials?status=revoked") == \
        "/school/1/credentials?status=revoked"


def test_wrong_password_message(world: PageWorld) -> None:
    with TestClient(world.clients["anonymous"].app, follow_redirects=False) as client:
        response = login(client, "giao-vu-a", "sai mật khẩu rồi")
    assert response.status_code == 200
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.text
    assert "hocba_session" not in response.headers.get("set-cookie", "")


def test_unknown_login_same_message(world: PageWorld) -> None:
    with TestClient(world.clients["anonymous"].app, follow_redirects=False) as client:
        wrong_login = login(client, "khong-co-ai", PASSWORD)
        wrong_password = login(client, "giao-vu-a", "sai mật khẩu rồi")
    assert _error_text(wrong_login.text) == _error_text(wrong_password.text)


def _error_text(page: str) -> str:
    start = page.index('data-error="login">')
    return page[start:page.index("</p>", start)]


def test_login_page_english(world: PageWorld) -> None:
    response = world.clients["anonymous"].get("/login?lang=en")
    assert "Log in" in response.text


def test_dashboard_english(world: PageWorld) -> None:
    response = world.clients["staff_a"].get(f"{_BASE}?lang=en")
    assert "Upload a class file" in response.text


def test_login_rate_limited(world: PageWorld) -> None:
    from api import create_app

    with TestClient(create_app(world.instance, requests_per_minute=2),
                    follow_redirects=False) as client:
        statuses = [login(client, "khong-co-ai", "sai").status_code for _ in range(3)]
    assert statuses[-1] == 429


def test_logout_ends_session(world: PageWorld) -> None:
    with TestClient(world.clients["anonymous"].app, follow_redirects=False) as client:
        login(client, "giao-vu-a")
        token = client.cookies.get("hocba_csrf")
        out = client.post("/logout", data={"csrf_token": token})
        assert out.headers["location"] == "/login?out=1"
        assert client.get(_BASE).status_code == 303


def test_pages_have_security_headers(world: PageWorld) -> None:
    response = world.clients["staff_a"].get(_BASE)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
