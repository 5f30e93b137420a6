"""Servers the tests start on loopback: as processes of their own, the fake OpenAI-compatible
provider of the benchmarks (``bench/fake_provider.py``, which counts the calls it gets) and
the service; in a thread of the test, an ASGI app under uvicorn."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import uvicorn

from .conftest import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class _Server(uvicorn.Server):
    """A uvicorn server that says when it has started or given up."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.settled = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets)
        finally:
            self.settled.set()

    def run(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            super().run(sockets)
        finally:
            self.settled.set()


@contextlib.contextmanager
def serving_app(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port in a thread; its base URL, without
    a trailing slash."""
    port = free_port()
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    server.settled.wait()  # pytest-timeout is the hang guard
    if not server.started:
        raise RuntimeError("the app did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()


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
