#!/bin/sh
# Regenerates requirements.lock, what the Docker image installs: every runtime dependency of
# pyproject.toml and the build backend of [build-system], pinned, with the sha256 of every
# file of each pinned release (pip install --require-hashes refuses anything else).
# Run it after changing either list; tests/test_image.py fails until it is run.
#   scripts/lock.sh            # uv from PATH, else the project's venv (uv is a dev extra)
set -eu
cd "$(dirname "$0")/.."
UV=${UV:-$(command -v uv || echo .venv/bin/uv)}
PYTHON=${PYTHON:-$(command -v python3)}
# The build backend goes in too: the image builds the package without build isolation, so
# that no unpinned setuptools is fetched.
"$PYTHON" -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))' |
    "$UV" pip compile pyproject.toml - \
        --universal --python-version 3.11 \
        --generate-hashes \
        --custom-compile-command scripts/lock.sh \
        --quiet \
        --output-file requirements.lock
