# factcheck HTTP service. Build and run (README, "Docker image"):
#   docker build -t factcheck .
#   docker run -p 8000:8000 -e OPENAI_API_KEY=... -e FACTCHECK_API_KEYS=... factcheck
# Stateless: run as many replicas behind a load balancer as needed; probe /ready, scrape /metrics.
# Reproducible: every package installed comes from requirements.lock, pinned with its hashes
# (scripts/lock.sh regenerates it); the package itself is installed without dependencies.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# The dependencies first, in a layer of their own that a change of the code leaves cached.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock
COPY pyproject.toml README.md ./
COPY service ./service
COPY prompts ./prompts
# The wheel carries the prompt templates (package service.prompt_templates). No build
# isolation: the build backend is the lock's setuptools, not whatever is newest today.
RUN pip install --no-deps --no-build-isolation . && rm -rf service prompts build *.egg-info

RUN useradd --create-home --uid 10001 factcheck
USER factcheck

EXPOSE 8000
# SIGTERM: uvicorn stops accepting connections and lets requests in flight finish
# (--graceful-timeout, 30 s by default); give `docker stop` at least as long (-t 35).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"
CMD ["factcheck", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
