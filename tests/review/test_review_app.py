"""The review page over HTTP: auth, CSRF, escaping, media confinement, limits, concurrent writes, exports."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from emoreason.review.app import create_app
from emoreason.review.auth import ReviewError, load_tokens
from emoreason.review.db import DB_NAME, ReviewDB
from tests.review.conftest import TOKENS, XSS

ALICE = {"Authorization": f"Bearer {TOKENS['alice']}"}
BOB = {"Authorization": f"Bearer {TOKENS['bob']}"}


@pytest.fixture
def client(dataset: Path, tokens_file: Path) -> TestClient:
    return TestClient(create_app(dataset, load_tokens(tokens_file)))


def _key(client: TestClient, clip: str) -> str:
    page = client.get("/", headers=ALICE).text
    return re.search(rf'href="/clip/([^"]+)">{re.escape(clip)}<', page).group(1)


@pytest.mark.parametrize("path", ["/", "/agreement", "/export/ratings.csv", "/export/ratings.json",
                                  "/media/media/x.mp4"])
def test_no_or_wrong_token_is_401(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"Authorization": "Bearer wrong-token-999"}).status_code == 401
    assert client.get(path, headers={"Authorization": f"Basic {TOKENS['alice']}"}).status_code == 401
    assert client.get(path, cookies={"emoreason_review": "forged"}).status_code == 401


def test_writes_need_auth(client: TestClient) -> None:
    key = _key(client, "two")
    assert client.post(f"/clip/{key}/rate", data={"score": "4"}).status_code == 401
    assert ReviewDB(client.app.state.dataset.root / DB_NAME).rows("ratings") == []


def test_login_cookie_and_csrf(client: TestClient) -> None:
    key = _key(client, "two")
    assert client.post("/login", data={"token": "nope-nope-nope"}).status_code == 401
    response = client.post("/login", data={"token": TOKENS["bob"]}, follow_redirects=False)
    assert response.status_code == 303
    cookie = response.cookies["emoreason_review"]
    assert "httponly" in response.headers["set-cookie"].lower() and "samesite=strict" in response.headers[
        "set-cookie"].lower()
    client.cookies.set("emoreason_review", cookie)
    page = client.get(f"/clip/{key}").text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    assert client.post(f"/clip/{key}/rate", data={"score": "4"}).status_code == 403  # no CSRF token
    assert client.post(f"/clip/{key}/rate", data={"score": "4", "csrf": "0" * 64}).status_code == 403
    ok = client.post(f"/clip/{key}/rate", data={"score": "4", "csrf": csrf}, follow_redirects=False)
    assert ok.status_code == 303
    rows = ReviewDB(client.app.state.dataset.root / DB_NAME).rows("ratings")
    assert [(r["annotator"], r["score"]) for r in rows] == [("bob", 4)]


def test_stored_strings_are_escaped(client: TestClient) -> None:
    key = _key(client, "two")
    client.post(f"/clip/{key}/edit", data={"text": f"edited {XSS}", "base_id": ""}, headers=ALICE)
    page = client.get(f"/clip/{key}", headers=ALICE)
    assert "<script>" not in page.text and "onerror=alert(1)>" not in page.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page.text
    assert "script-src 'none'" in page.headers["content-security-policy"]
    index = client.get("/", headers=ALICE).text
    assert "<script>" not in index


@pytest.mark.parametrize("path", ["/media/../secret.txt", "/media/%2e%2e/secret.txt", "/media/media/../../secret.txt",
                                  "/media/media/%2e%2e/%2e%2e/secret.txt", "/media/annotations.jsonl",
                                  "/media/review.sqlite", "/media/%2Fetc%2Fpasswd", "/media//etc/passwd",
                                  "/media/media/..%2f..%2fsecret.txt"])
def test_media_cannot_escape_the_dataset(client: TestClient, path: str) -> None:
    response = client.get(path, headers=ALICE)
    assert 400 <= response.status_code < 500
    assert "TOP SECRET" not in response.text and "root:" not in response.text


def test_media_inside_is_served(client: TestClient) -> None:
    page = client.get(f"/clip/{_key(client, 'two')}", headers=ALICE).text
    src = re.search(r'<video id="player"[^>]* src="([^"]+)"', page).group(1)
    video = client.get(src, headers=ALICE)
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4" and len(video.content) > 500


def test_request_size_limit(client: TestClient) -> None:
    key = _key(client, "two")
    big = client.post(f"/clip/{key}/edit", data={"text": "x" * 200_000}, headers=ALICE)
    assert big.status_code == 413
    assert client.post(f"/clip/{key}/rate", data={"score": "9"}, headers=ALICE).status_code == 422


def test_rate_prefer_edit_history_and_exports(client: TestClient) -> None:
    key = _key(client, "clip/one")
    assert client.post(f"/clip/{key}/rate", data={"score": "3"}, headers=ALICE).status_code == 200
    client.post(f"/clip/{key}/rate", data={"score": "2"}, headers=BOB)
    client.post(f"/clip/{key}/prefer", data={"choice": "right"}, headers=ALICE)
    client.post(f"/clip/{key}/edit", data={"text": "First edit.", "base_id": ""}, headers=ALICE)
    page = client.get(f"/clip/{key}", headers=BOB).text
    base = re.search(r'name="base_id" value="(\d+)"', page).group(1)
    client.post(f"/clip/{key}/edit", data={"text": "Second edit.", "base_id": base}, headers=BOB)
    page = client.get(f"/clip/{key}", headers=ALICE).text
    assert re.search(r'id="description">Second edit\.<', page)
    assert page.index("Second edit.") < page.index("First edit.")  # history, newest first
    csv_text = client.get("/export/ratings.csv", headers=ALICE).text
    assert "rating,clip/one,alice,3" in csv_text and "preference,clip/one,alice,right" in csv_text
    data = client.get("/export/ratings.json", headers=ALICE).json()
    assert len(data["ratings"]) == 2 and data["edits"][1]["conflict"] == 0
    assert data["agreement"]["raters"] == 2


def test_two_annotators_at_once_lose_nothing(client: TestClient) -> None:
    key = _key(client, "two")
    errors: list[int] = []

    def work(headers: dict[str, str], who: str) -> None:
        local = TestClient(client.app)
        for i in range(15):
            for response in (local.post(f"/clip/{key}/rate", data={"score": str(1 + i % 4)}, headers=headers),
                             local.post(f"/clip/{key}/edit", data={"text": f"{who} {i}", "base_id": ""},
                                        headers=headers)):
                if response.status_code != 200:
                    errors.append(response.status_code)

    threads = [threading.Thread(target=work, args=(h, n)) for h, n in ((ALICE, "alice"), (BOB, "bob"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db = ReviewDB(client.app.state.dataset.root / DB_NAME)
    assert len(db.rows("ratings")) == 30
    edits = db.rows("edits")
    assert sorted(e["text"] for e in edits) == sorted(f"{n} {i}" for n in ("alice", "bob") for i in range(15))
    assert any(e["conflict"] for e in edits)  # edits on a stale base are kept and marked


def test_bad_tokens_files(tmp_path: Path) -> None:
    for content, message in (("alice\n", "not 'name:token'"), ("alice:short\n", "shorter than"),
                             ("a:token-aaaa-1\nb:token-aaaa-1\n", "appears twice"), ("# none\n", "no 'name:token'")):
        path = tmp_path / "t.txt"
        path.write_text(content)
        with pytest.raises(ReviewError, match=message):
            load_tokens(path)
    with pytest.raises(ReviewError, match="not a dataset folder"):
        create_app(tmp_path, {"token-aaaa-1": "a"})
