#!/usr/bin/env bash
# The loopback HTTP benchmarks (issues 2 and 4), one after the other, each printing a markdown
# report: POST /quotes vs a bare regex endpoint, load on /quotes /check /summarize against a
# fake model provider, and a 10,000-request soak with the server's RSS. Loopback only; about
# 4 minutes with the defaults. Extra arguments go to every script (e.g. --json).
#
#   bash scripts/bench_http.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null; then
    echo "installing wrk (Debian package) ..." >&2
    apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

.venv/bin/python -m bench.http_quotes "$@"
echo
.venv/bin/python -m bench.load "$@"
echo
.venv/bin/python -m bench.soak "$@"
