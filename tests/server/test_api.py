"""The HTTP API in-process: jobs, results, OpenAPI, token, upload size, allowed root, time limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("multipart")

from fastapi.testclient import TestClient  # noqa: E402

from emoreason.batch.records import ExplainOptions  # noqa: E402
from emoreason.server.app import create_app  # noqa: E402
from emoreason.server.models import ServerSettings  # noqa: E402
from tests.batch.clips import make_clips  # noqa: E402

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("served")
    make_clips(folder / "root", 1)
    (folder / "outside.mp4").write_bytes((folder / "root" / "clip00.mp4").read_bytes())
    (folder / "root" / "link.mp4").symlink_to(folder / "outside.mp4")
    return folder


@pytest.fixture(scope="module")
def client(clips: Path) -> Iterator[TestClient]:
    settings = ServerSettings(
        allowed_roots=[str(clips / "root")], max_upload_bytes=64 * 1024, job_timeout=60, concurrency=1, token=TOKEN,
        explain=ExplainOptions(stages=["voice", "text"]),
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_upload_then_poll_then_result(client: TestClient, clips: Path) -> None:
    data = (clips / "root" / "clip00.mp4").read_bytes()
    posted = client.post("/v1/jobs", headers=AUTH, files={"file": ("my clip.mp4", data, "video/mp4")},
                         data={"subtitle": "I am so happy today", "language": "en"})
    assert posted.status_code == 202, posted.text
    job = posted.json()
    assert job["status"] == "queued" and job["source"] == "upload:my clip.mp4"
    status = client.get(f"/v1/jobs/{job['id']}", params={"wait": 30, "include_result": True}, headers=AUTH).json()
    assert status["status"] == "done", status
    assert status["result"]["emotions"][0]["label"] and status["result"]["media"]["path"] == "my clip.mp4"
    result = client.get(status["result_url"], headers=AUTH)
    assert result.status_code == 200 and result.json()["transcript"]["segments"][0]["text"] == "I am so happy today"


def test_path_under_allowed_root_and_refusals(client: TestClient, clips: Path) -> None:
    inside = client.post("/v1/jobs", headers=AUTH, data={"path": str(clips / "root" / "clip00.mp4")})
    assert inside.status_code == 202
    assert client.get(f"/v1/jobs/{inside.json()['id']}?wait=30", headers=AUTH).json()["status"] == "done"
    for path in (str(clips / "outside.mp4"), str(clips / "root" / ".." / "outside.mp4"), "link.mp4", "/etc/passwd"):
        refused = client.post("/v1/jobs", headers=AUTH, data={"path": path})
        assert refused.status_code == 403 and "outside the allowed root" in refused.json()["detail"], path
    assert client.post("/v1/jobs", headers=AUTH, data={"path": "nope.mp4"}).status_code == 404
    assert client.post("/v1/jobs", headers=AUTH, data={}).status_code == 422


def test_oversize_uploads_are_refused(client: TestClient) -> None:
    big = b"\0" * (200 * 1024)
    declared = client.post("/v1/jobs", headers=AUTH, files={"file": ("big.mp4", big, "video/mp4")})
    assert declared.status_code == 413 and "limit" in declared.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams in
        yield b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.mp4\"\r\n\r\n"
        for _ in range(20):
            yield b"\0" * 16384
        yield b"\r\n--b--\r\n"

    streamed = client.post("/v1/jobs", headers={**AUTH, "Content-Type": "multipart/form-data; boundary=b"},
                           content=chunks())
    assert streamed.status_code == 413


def test_token_is_required_and_openapi_lists_the_endpoints(client: TestClient) -> None:
    assert client.post("/v1/jobs", data={"path": "x"}).status_code == 401
    assert client.post("/v1/jobs", headers={"Authorization": "Bearer wrong"}, data={"path": "x"}).status_code == 401
    assert client.get("/v1/jobs/abc", headers=AUTH).status_code == 404
    assert client.get("/v1/health").json()["status"] == "ok"
    schema = client.get("/openapi.json").json()
    assert {"/v1/jobs", "/v1/jobs/{job_id}", "/v1/jobs/{job_id}/result", "/v1/health"} <= set(schema["paths"])
    assert "HTTPBearer" in schema["components"]["securitySchemes"]


def test_broken_upload_fails_its_job_and_time_limit_kills_the_worker(clips: Path) -> None:
    settings = ServerSettings(job_timeout=0.001, explain=ExplainOptions(stages=["voice"]))
    with TestClient(create_app(settings)) as client:
        broken = client.post("/v1/jobs", files={"file": ("my bad.mp4", b"not a video" * 50, "video/mp4")}).json()
        slow = client.post("/v1/jobs", files={"file": ("a.mp4", (clips / "root" / "clip00.mp4").read_bytes())}).json()
        broken = client.get(f"/v1/jobs/{broken['id']}?wait=30").json()
        slow = client.get(f"/v1/jobs/{slow['id']}?wait=30").json()
    assert broken["status"] == "failed" and ("time limit" in broken["error"] or "not a readable" in broken["error"])
    assert slow["status"] == "failed" and "time limit of 0.001 s exceeded" in slow["error"]
    assert "emoreason-serve-" not in slow["error"] + broken["error"]  # no private server paths leak
    assert "time limit" in broken["error"] or broken["error"].startswith("my bad.mp4: ")  # named as it was sent
