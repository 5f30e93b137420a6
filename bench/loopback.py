"""Shared plumbing for the loopback load benchmarks (``bench.http_quotes``, ``bench.load``,
``bench.soak``): servers as uvicorn subprocesses on 127.0.0.1, wrk runs driven by a generated
Lua script, RSS from ``/proc``, markdown tables. Nothing here talks to anything but loopback.

Every server gets a clean environment: ``OPENAI_*``, ``FACTCHECK_*`` and proxy variables of
the caller are dropped (a benchmark must never reach a real provider), then the benchmark's
own settings are added."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_ARTICLE = ROOT / "examples" / "nato-stoltenberg-2024-05-08.txt"
SAMPLE_DRAFT = ROOT / "examples" / "nato-draft.md"
HOST = "127.0.0.1"
MARKER = "@@REQ@@"
"""Where a varying body gets its per-request token (see :func:`write_lua`)."""

_DROPPED_ENV = ("OPENAI_", "FACTCHECK_", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(_DROPPED_ENV)}
    env["NO_PROXY"] = env["no_proxy"] = f"{HOST},localhost"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


def rss_kib(pid: int, field_name: str = "VmRSS") -> int:
    """Resident set size (or ``VmHWM``, the peak) of a process in KiB, from /proc."""
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field_name} for pid {pid}")


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log_path: Path
    command: list[str]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def rss_kib(self, field_name: str = "VmRSS") -> int:
        return rss_kib(self.proc.pid, field_name)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def problems(self) -> list[str]:
        """Log lines that say something went wrong (tracebacks, errors, warnings)."""
        keys = ("Traceback", "ERROR", "WARNING", "Exception", "error:")
        return [line for line in self.log().splitlines() if any(k in line for k in keys)]


def start_uvicorn(
    name: str,
    app: str,
    *,
    workdir: Path,
    env: Mapping[str, str] | None = None,
    factory: bool = False,
    access_log: bool = False,
    ready_path: str = "/health",
    timeout: float = 60.0,
) -> Server:
    """``python -m uvicorn APP`` with one worker on a free loopback port; returns once
    ``ready_path`` answers 200."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        "1",
        "--log-level",
        "warning",
    ]
    if factory:
        command.append("--factory")
    if not access_log:
        command.append("--no-access-log")
    log_path = workdir / f"{name}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env=clean_env(env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(name, port, proc, log_path, command)
    deadline = time.monotonic() + timeout
    with httpx.Client(trust_env=False, timeout=2.0) as client:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited ({proc.returncode}):\n{server.log()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if client.get(server.url + ready_path).status_code == 200:
                    return server
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"{name} not ready after {timeout:g} s:\n{server.log()[-3000:]}")
            time.sleep(0.1)


def start_fake_provider(workdir: Path, delay: float) -> tuple[Server, dict[str, str]]:
    """The fake OpenAI-compatible server (``bench/fake_provider.py``) answering after
    ``delay`` seconds, and the settings that point factcheck's model engine at it."""
    provider = start_uvicorn(
        "fake-provider",
        "bench.fake_provider:create_app",
        workdir=workdir,
        env={"FAKE_PROVIDER_DELAY": str(delay)},
        factory=True,
    )
    return provider, {
        "FACTCHECK_ENGINE": "llm",
        "FACTCHECK_BASE_URL": provider.url + "/v1",
        "FACTCHECK_PROVIDER_API_KEY": "sk-fake",
        "FACTCHECK_MODEL": "fake-model",
    }


@contextlib.contextmanager
def running(servers: list[Server]) -> Iterator[list[Server]]:
    """Stops every server in ``servers`` (appended to by the body) on the way out."""
    try:
        yield servers
    finally:
        for server in reversed(servers):
            server.stop()


# -- wrk ------------------------------------------------------------------------------

WRK_HELP = "wrk is not installed: apt-get update && apt-get install -y wrk"


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit(WRK_HELP)
    return path


def _lua_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_LUA = r"""
local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end
local head = slurp(%(head)s)
local tail = %(tail)s
wrk.method = "POST"
wrk.path = %(path)s
wrk.headers["Content-Type"] = %(ctype)s
if tail == nil then wrk.body = head end

local threads = {}
local nthreads = 0
function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  sent = 0
  run = args[1] or "run"
end

if tail ~= nil then
  -- every request a different body: HEAD .. "<run>-<thread>-<n>" .. TAIL
  function request()
    sent = sent + 1
    return wrk.format(nil, nil, nil, head .. run .. "-" .. tid .. "-" .. sent .. tail)
  end
end

function response(status, headers, body)
  local k = tostring(status)
  statuses[k] = (statuses[k] or 0) + 1
end

function done(summary, latency, requests)
  local agg = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do agg[k] = (agg[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(agg) do table.insert(parts, string.format('"%%s":%%d', k, v)) end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%%d,"duration_us":%%d,"bytes":%%d,"connect":%%d,"read":%%d,' ..
    '"write":%%d,"status":%%d,"timeout":%%d,"p50_us":%%d,"p90_us":%%d,"p99_us":%%d,' ..
    '"max_us":%%d,"mean_us":%%f,"statuses":{%%s}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, table.concat(parts, ",")))
end
"""


def write_lua(workdir: Path, name: str, *, path: str, content_type: str, body: bytes) -> Path:
    """A wrk script that POSTs ``body`` to ``path``. A body containing :data:`MARKER` is
    sent with the marker replaced by a token unique to each request (run, thread, count), so
    that no two requests are the same (caches miss); otherwise the body is fixed."""
    marker = MARKER.encode()
    if marker in body:
        head, tail = body.split(marker, 1)
        (workdir / f"{name}.tail").write_bytes(tail)
        tail_expr = f"slurp({_lua_str(str(workdir / f'{name}.tail'))})"
    else:
        head, tail_expr = body, "nil"
    (workdir / f"{name}.head").write_bytes(head)
    script = _LUA % {
        "head": _lua_str(str(workdir / f"{name}.head")),
        "tail": tail_expr,
        "path": _lua_str(path),
        "ctype": _lua_str(content_type),
    }
    lua = workdir / f"{name}.lua"
    lua.write_text(script, encoding="utf-8")
    return lua


@dataclass
class WrkResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[str, int]
    socket_errors: dict[str, int]
    non_2xx: int
    command: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_wrk(
    url: str,
    script: Path,
    *,
    threads: int,
    connections: int,
    seconds: float,
    timeout_s: float = 10.0,
) -> WrkResult:
    command = [
        wrk_path(),
        "-t",
        str(threads),
        "-c",
        str(max(connections, threads)),
        "-d",
        f"{seconds:g}s",
        "--timeout",
        f"{timeout_s:g}s",
        "-s",
        str(script),
        url,
        "--",
        uuid.uuid4().hex[:12],  # the run's id, in every varying body
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + timeout_s + 30, check=False
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    raw = json.loads(line.removeprefix("WRKJSON "))
    secs = raw["duration_us"] / 1e6
    statuses = {k: int(v) for k, v in sorted(raw["statuses"].items())}
    return WrkResult(
        requests=raw["requests"],
        seconds=round(secs, 2),
        rps=round(raw["requests"] / secs, 1) if secs else 0.0,
        p50_ms=round(raw["p50_us"] / 1000, 2),
        p90_ms=round(raw["p90_us"] / 1000, 2),
        p99_ms=round(raw["p99_us"] / 1000, 2),
        max_ms=round(raw["max_us"] / 1000, 2),
        statuses=statuses,
        socket_errors={k: raw[k] for k in ("connect", "read", "write", "timeout") if raw[k]},
        non_2xx=sum(v for k, v in statuses.items() if not k.startswith("2")),
        command=command,
    )


# -- reporting ------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (``p`` in 0-100) of ``values``; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _pkg(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


def machine() -> dict[str, Any]:
    cpu = platform.processor() or "?"
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    wrk = shutil.which("wrk")
    wrk_version = "-"
    if wrk:
        out = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
        wrk_version = (out.stdout or out.stderr).split("[")[0].strip()
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "litestar": _pkg("litestar"),
        "uvicorn": _pkg("uvicorn"),
        "uvicorn_http": "httptools" if _pkg("httptools") != "-" else "h11",
        "uvicorn_loop": "uvloop" if _pkg("uvloop") != "-" else "asyncio",
        "wrk": wrk_version,
    }


def machine_line(info: Mapping[str, Any]) -> str:
    return (
        f"Machine: {info['cpu']}, {info['cpus']} CPUs; Python {info['python']}, litestar "
        f"{info['litestar']}, uvicorn {info['uvicorn']} ({info['uvicorn_http']}, "
        f"{info['uvicorn_loop']}), {info['wrk']}"
    )


def reproduce(module: str, argv: Sequence[str]) -> str:
    return " ".join([".venv/bin/python", "-m", module, *(shlex.quote(a) for a in argv)])
