"""``factcheck serve --workers 2`` on loopback: ``/metrics`` reports the sum over both
worker processes (prometheus-client's multiprocess mode), with the exposition format's
Content-Type, each parameter once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families

from .servers import free_port, start

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1", "localhost", "::1"])

REQUESTS = 40


@dataclass
class Served:
    url: str
    tmp: Path
    """The server's TMPDIR, where it makes its metrics directory."""
    process: subprocess.Popen[bytes]


def _env(tmp: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FACTCHECK_", "OPENAI_", "PROMETHEUS_"))
    }
    return env | {
        "FACTCHECK_ENGINE": "offline",
        "FACTCHECK_LOG_LEVEL": "WARNING",
        "TMPDIR": str(tmp),
    }


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[Served]:
    port = free_port()
    args = [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--workers", "2"]
    process = start(args, _env(tmp_path), f"http://127.0.0.1:{port}/health")
    try:
        yield Served(f"http://127.0.0.1:{port}", tmp_path, process)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _worker_pids(directory: Path) -> set[str]:
    return {p.stem.rsplit("_", 1)[1] for p in directory.glob("*.db")}


def _wait_for_both_workers(tmp: Path) -> Path:
    """The metrics directory, once both workers have made their files (each makes them when
    it builds the app, before it takes a request)."""
    for _ in range(600):
        dirs = list(tmp.glob("factcheck-metrics-*"))
        if len(dirs) == 1 and len(_worker_pids(dirs[0])) == 2:
            return dirs[0]
        time.sleep(0.05)
    raise AssertionError(f"two workers' metrics files never appeared in {tmp}")


def strict_media_type(value: str) -> tuple[str, dict[str, str]]:
    """``type/subtype`` and its parameters, refusing what Go's mime.ParseMediaType refuses
    (so Prometheus's scraper does): a parameter given twice, one without a value."""
    kind, *params = (part.strip() for part in value.split(";"))
    assert kind.count("/") == 1 and " " not in kind, value
    parsed: dict[str, str] = {}
    for param in params:
        name, sep, val = param.partition("=")
        assert sep and name and val, f"malformed parameter {param!r} in {value!r}"
        assert name.lower() not in parsed, f"duplicate parameter {name!r} in {value!r}"
        parsed[name.lower()] = val
    return kind.lower(), parsed


def test_strict_media_type_refuses_a_parameter_given_twice() -> None:
    with pytest.raises(AssertionError, match="duplicate parameter 'charset'"):
        strict_media_type("text/plain; version=1.0.0; charset=utf-8; charset=utf-8")


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_two_workers_report_the_sum_of_their_counts(two_workers: Served) -> None:
    directory = _wait_for_both_workers(two_workers.tmp)
    for _ in range(REQUESTS):
        # A connection each: the workers take turns accepting them, as the kernel decides.
        assert httpx.get(f"{two_workers.url}/health").status_code == 200
    health = (
        "factcheck_http_requests_total",
        (("method", "GET"), ("route", "/health"), ("status", "200")),
    )
    for _ in range(4):  # whichever worker answers the scrape reports both
        r = httpx.get(f"{two_workers.url}/metrics")
        assert r.status_code == 200
        kind, params = strict_media_type(r.headers["content-type"])
        assert (kind, params) == strict_media_type(CONTENT_TYPE_LATEST)
        assert params["charset"] == "utf-8"
        assert len(r.headers.get_list("content-type")) == 1
        m = _samples(r.text)
        # wait_until_up's one answered /health, then ours
        assert m[health] == REQUESTS + 1
        assert (
            m[
                (
                    "factcheck_http_request_duration_seconds_count",
                    (("method", "GET"), ("route", "/health")),
                )
            ]
            == REQUESTS + 1
        )
        # livesum: the scrape itself in one worker, none in the other
        assert m[("factcheck_http_requests_in_flight", ())] == 1
        assert m[("factcheck_shared_state_up", (("backend", "process"),))] == 1
    assert len(_worker_pids(directory)) == 2


def test_the_metrics_directory_is_removed_when_the_server_stops(two_workers: Served) -> None:
    directory = _wait_for_both_workers(two_workers.tmp)
    two_workers.process.terminate()
    assert two_workers.process.wait(timeout=30) == 0
    assert not directory.exists()
