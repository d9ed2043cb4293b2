"""A bounded load test: N concurrent clips against a real `emoreason serve` on 127.0.0.1; none lost or failed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

from tests.batch.clips import make_clips  # noqa: E402

N_REQUESTS = 8
TOKEN = "load-test-token"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_concurrent_uploads_all_finish(tmp_path: Path) -> None:
    clips = make_clips(tmp_path / "clips", 4)
    port = _free_port()
    cmd = [sys.executable, "-m", "emoreason.cli.app", "serve", "--port", str(port), "--concurrency", "2",
           "--time-limit", "60", "--max-upload-mb", "1", "--stages", "voice,text"]
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(cmd, env={**os.environ, "OMP_NUM_THREADS": "1", "EMOREASON_API_TOKEN": TOKEN},
                              stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {TOKEN}"}
    try:
        _wait_until_up(base, server, deadline=time.monotonic() + 60)

        def one(i: int) -> dict:
            clip = clips[i % len(clips)]
            with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
                posted = http.post("/v1/jobs", files={"file": (clip.name, clip.read_bytes(), "video/mp4")},
                                   data={"subtitle": f"request {i}: I am so happy"})
                assert posted.status_code == 202, posted.text
                job_id = posted.json()["id"]
                for _ in range(6):  # up to 6 x 30 s long-polls
                    status = http.get(f"/v1/jobs/{job_id}", params={"wait": 30, "include_result": True}).json()
                    if status["status"] in ("done", "failed"):
                        return status
                return status

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=N_REQUESTS) as pool:
            statuses = list(pool.map(one, range(N_REQUESTS)))
        elapsed = time.monotonic() - started
        assert [s["status"] for s in statuses] == ["done"] * N_REQUESTS, [s.get("error") for s in statuses]
        assert len({s["id"] for s in statuses}) == N_REQUESTS
        assert all(f"request {i}:" in s["result"]["transcript"]["segments"][0]["text"] for i, s in enumerate(statuses))
        health = httpx.get(f"{base}/v1/health").json()
        assert health["jobs"]["done"] == N_REQUESTS and health["jobs"]["failed"] == 0
        assert elapsed < 150
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()
    assert server.returncode is not None


def _wait_until_up(base: str, server: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"server exited with {server.returncode}")
        try:
            if httpx.get(f"{base}/v1/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail("server did not come up within 60 s")
