#!/usr/bin/env bash
# Record the LLM cassettes (tests/cassettes/test_llm_recorded/) from a real model.
#
#   scripts/record_cassettes.sh          local: builds and starts llama.cpp's llama-server
#                                        with Gemma 3 270M (scripts/local_model_server.sh)
#   OPENAI_API_KEY=sk-... scripts/record_cassettes.sh
#   OPENAI_BASE_URL=http://host:8000/v1 FACTCHECK_MODEL=name scripts/record_cassettes.sh
#                                        a hosted or other OpenAI-compatible endpoint
#
# The Authorization header and other credentials are filtered out of every cassette
# (tests/conftest.py); the script checks the result before it finishes.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${PORT:-8080}
if [ -n "${OPENAI_BASE_URL:-}" ] || [ -n "${OPENAI_API_KEY:-}" ]; then
  base=${OPENAI_BASE_URL:-https://api.openai.com/v1}
  model=${FACTCHECK_MODEL:-gpt-4o-mini}
else
  base=http://127.0.0.1:$port/v1
  model=${FACTCHECK_MODEL:-gemma-3-270m-q4_k_m}
  if ! curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
    log=${TMPDIR:-/tmp}/factcheck-llama-server.log
    echo "starting the local model server (first run builds it: ~5 min); log: $log"
    PORT=$port scripts/local_model_server.sh >"$log" 2>&1 &
    server=$!
    trap 'kill $server 2>/dev/null || true' EXIT
    for _ in $(seq 1 900); do
      curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
      kill -0 $server 2>/dev/null || { echo "the model server stopped; see $log" >&2; exit 1; }
      sleep 1
    done
  fi
fi
json_mode=${FACTCHECK_JSON_MODE:-json_schema}
host=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.urlparse(sys.argv[1]).hostname)' "$base")
echo "recording against $base, model $model, $json_mode"

rm -rf tests/cassettes/test_llm_recorded
FACTCHECK_RECORDING=1 FACTCHECK_RECORD_BASE_URL=$base FACTCHECK_RECORD_MODEL=$model \
FACTCHECK_RECORD_JSON_MODE=$json_mode FACTCHECK_RECORD_API_KEY=${OPENAI_API_KEY:-} \
  .venv/bin/pytest tests/test_llm_recorded.py --record-mode=rewrite --allowed-hosts="$host" -q

python3 - "$base" "$model" "$json_mode" <<'PY'
import json, sys
base, model, mode = sys.argv[1:]
with open("tests/cassettes/recording.json", "w") as f:
    json.dump({"base_url": base, "model": model, "json_mode": mode}, f, indent=2)
    f.write("\n")
PY

if grep -rliE "authorization:|bearer [a-z0-9]|sk-[a-z0-9_-]{16,}" tests/cassettes; then
  echo "a cassette holds a credential: not keeping them" >&2
  rm -rf tests/cassettes/test_llm_recorded
  exit 1
fi
if [ -n "${OPENAI_API_KEY:-}" ] && grep -rlF "$OPENAI_API_KEY" tests/cassettes; then
  echo "a cassette holds the API key: not keeping them" >&2
  rm -rf tests/cassettes/test_llm_recorded
  exit 1
fi
echo "cassettes recorded:"; ls -l tests/cassettes/test_llm_recorded
