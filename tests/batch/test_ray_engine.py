"""`--engine ray` on a real local Ray cluster (127.0.0.1): the same records as the local engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from emoreason.batch import ClipStatus, ResultStore, comparable, run_batch
from tests.batch.clips import make_clips


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[object]:
    """A local single-node Ray cluster on 127.0.0.1, started and stopped by this test module."""
    ray = pytest.importorskip("ray")
    ray.init(address="local", _node_ip_address="127.0.0.1", include_dashboard=False, num_cpus=2,
             object_store_memory=96 * 2**20, log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()


def test_ray_engine_writes_the_same_records_as_the_local_engine(tmp_path: Path, ray_cluster: object) -> None:
    make_clips(tmp_path / "clips", 2, broken=True)
    ray_summary = run_batch(tmp_path / "clips", tmp_path / "ray", engine="ray", workers=2)
    local_summary = run_batch(tmp_path / "clips", tmp_path / "local", engine="local", workers=1)
    on_ray = {r.id: r for r in ResultStore(tmp_path / "ray").latest()}
    local = {r.id: r for r in ResultStore(tmp_path / "local").latest()}
    assert set(on_ray) == {"clip00.mp4", "clip01.mp4", "broken.mp4"}
    assert {k: comparable(v) for k, v in on_ray.items()} == {k: comparable(v) for k, v in local.items()}
    assert on_ray["broken.mp4"].status is ClipStatus.ERROR and on_ray["clip00.mp4"].status is ClipStatus.OK
    assert all(r.worker.startswith("ray-") for r in on_ray.values())
    assert (ray_summary.ok, ray_summary.errors) == (local_summary.ok, local_summary.errors) == (2, 1)
    again = run_batch(tmp_path / "clips", tmp_path / "ray", engine="ray", workers=2)  # resume on Ray too
    assert (again.skipped, again.done) == (3, 0)
