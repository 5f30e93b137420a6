"""The Docker image is reproducible: it installs requirements.lock, which pins every runtime
dependency of pyproject.toml (and the build backend) with hashes; where a container engine
is usable, the image is built and served from on loopback."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .conftest import ROOT, SAMPLE
from .servers import free_port, wait_until_up

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1", "localhost", "::1"])

LOCK = ROOT / "requirements.lock"
REGENERATE = "requirements.lock is stale: regenerate it with scripts/lock.sh"
DIRECT = "factcheck (pyproject.toml)"
"""What uv writes after ``# via`` for a requirement of pyproject.toml itself."""

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)(?:\s*;.*?)?\s*\\?$")


@dataclass
class Pin:
    version: str
    hashes: list[str] = field(default_factory=list)
    via: list[str] = field(default_factory=list)


def read_lock(text: str) -> dict[str, Pin]:
    """Each pinned package of a pip requirements file with hashes, as ``uv pip compile``
    writes it: ``name==version [; marker] \\``, its ``--hash`` lines, its ``# via`` lines."""
    pins: dict[str, Pin] = {}
    current: Pin | None = None
    in_via = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if m := _PIN.match(raw):
            current = pins[canonicalize_name(m.group(1))] = Pin(m.group(2))
            in_via = False
        elif current is None:
            assert line.startswith("#"), f"requirements.lock: unexpected line {raw!r}"
        elif line.startswith("--hash="):
            current.hashes.append(line.removeprefix("--hash=").rstrip(" \\"))
        elif line.startswith("# via"):
            rest = line.removeprefix("# via").strip()
            in_via = not rest
            if rest:
                current.via.append(rest)
        elif in_via and line.startswith("#   "):
            current.via.append(line.removeprefix("#").strip())
        else:
            assert line.startswith("#"), f"requirements.lock: unexpected line {raw!r}"
    return pins


def _pyproject() -> dict[str, list[str]]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {
        "runtime": data["project"]["dependencies"],
        "build": data["build-system"]["requires"],
    }


def test_read_lock_reads_pins_hashes_and_who_wants_them() -> None:
    pins = read_lock(
        "# header\n"
        "anyio==4.16.0 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n"
        "    # via\n    #   httpx\n    #   factcheck (pyproject.toml)\n"
        "colorama==0.4.6 ; sys_platform == 'win32' \\\n    --hash=sha256:cc\n    # via click\n"
    )
    assert pins["anyio"] == Pin("4.16.0", ["sha256:aa", "sha256:bb"], ["httpx", DIRECT])
    assert pins["colorama"] == Pin("0.4.6", ["sha256:cc"], ["click"])


def test_the_lock_pins_every_runtime_dependency_with_hashes() -> None:
    pins = read_lock(LOCK.read_text(encoding="utf-8"))
    wanted = _pyproject()
    for kind, requirements in wanted.items():
        for spec in requirements:
            req = Requirement(spec)
            name = canonicalize_name(req.name)
            assert name in pins, f"{REGENERATE} ({kind} requirement {spec!r} is not in it)"
            version = pins[name].version
            assert req.specifier.contains(version, prereleases=True), (
                f"{REGENERATE} (it pins {name}=={version}, pyproject.toml wants {spec!r})"
            )
    direct = {n for n, pin in pins.items() if DIRECT in pin.via}
    runtime = {canonicalize_name(Requirement(s).name) for s in wanted["runtime"]}
    assert direct == runtime, f"{REGENERATE} (no longer wanted: {sorted(direct - runtime)})"
    unhashed = [n for n, pin in pins.items() if not pin.hashes]
    assert not unhashed, f"{REGENERATE} (pinned without hashes: {unhashed})"
    assert all(h.startswith("sha256:") for pin in pins.values() for h in pin.hashes)


def test_the_dockerfile_installs_the_lock_and_the_package_without_dependencies() -> None:
    steps = [
        line.strip()
        for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if line.startswith("RUN pip install")
    ]
    assert steps == [
        "RUN pip install --require-hashes --no-deps -r requirements.lock",
        "RUN pip install --no-deps --no-build-isolation . && rm -rf service prompts build *.egg-info",
    ]


# -- the image, where a container engine is usable -------------------------------------------


def _docker() -> str:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no container engine: docker is not installed")
    info = subprocess.run([docker, "info"], capture_output=True, text=True, timeout=60)
    if info.returncode != 0:
        reason = (info.stderr.strip().splitlines() or ["docker info failed"])[-1]
        pytest.skip(f"the docker daemon is not usable here: {reason}")
    return docker


@pytest.fixture
def image() -> Iterator[tuple[str, str]]:
    docker = _docker()
    tag = f"factcheck-test:{uuid.uuid4().hex[:12]}"
    build = subprocess.run(
        [docker, "build", "-t", tag, str(ROOT)], capture_output=True, text=True, timeout=1800
    )
    if build.returncode != 0 and re.search(
        r"pull access denied|failed to resolve source metadata|failed to do request|"
        r"dial tcp|no such host|TLS handshake timeout",
        build.stderr,
    ):
        pytest.skip(f"the base image python:3.11-slim cannot be pulled: {build.stderr[-300:]}")
    assert build.returncode == 0, build.stderr[-3000:]
    try:
        yield docker, tag
    finally:
        subprocess.run([docker, "rmi", "-f", tag], capture_output=True, timeout=120)


@pytest.mark.timeout(2400)
def test_the_image_builds_and_serves(image: tuple[str, str]) -> None:
    docker, tag = image
    port = free_port()
    name = f"factcheck-test-{uuid.uuid4().hex[:12]}"
    run = [docker, "run", "-d", "--rm", "--name", name, "-p", f"127.0.0.1:{port}:8000"]
    subprocess.run([*run, "-e", "FACTCHECK_ENGINE=offline", tag], check=True, timeout=120)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(f"{url}/health", tries=1200)
        article = SAMPLE.read_bytes()
        r = httpx.post(f"{url}/quotes", content=article, headers={"content-type": "text/plain"})
        assert r.status_code == 200 and r.json()["quotes"]
        metrics = httpx.get(f"{url}/metrics").text
        assert 'route="/quotes",method="POST",status="200"' in metrics
    finally:
        subprocess.run([docker, "rm", "-f", name], capture_output=True, timeout=120)
