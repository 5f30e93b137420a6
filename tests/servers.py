"""Servers the tests start on loopback as processes of their own: the fake OpenAI-compatible
provider of the benchmarks (``bench/fake_provider.py``, which counts the calls it gets), and
the service."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx

from .conftest import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_until_up(url: str, tries: int = 300) -> None:
    for _ in range(tries):
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


def start(args: list[str], env: dict[str, str], health: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(args, env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(health)
    except RuntimeError:
        process.kill()
        raise
    return process


@contextlib.contextmanager
def fake_provider() -> Iterator[str]:
    """The fake provider, started; its base URL; ``GET {base}/stats`` counts its calls and the most that
    were in flight at once. It answers after 0.05 s, so that calls overlap."""
    port = free_port()
    env = {**os.environ, "FAKE_PROVIDER_DELAY": "0.05"}
    args = [sys.executable, "-m", "bench.fake_provider", "--port", str(port), "--delay", "0.05"]
    process = start(args, env, f"http://127.0.0.1:{port}/health")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def provider_calls(provider: str) -> int:
    calls: int = httpx.get(f"{provider}/stats").json()["calls"]
    return calls
