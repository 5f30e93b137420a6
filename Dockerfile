# factcheck HTTP service. Build and run (elsewhere: no image can be built where this was written):
#   docker build -t factcheck .
#   docker run -p 8000:8000 -e OPENAI_API_KEY=... -e FACTCHECK_API_KEYS=... factcheck
# Stateless: run as many replicas behind a load balancer as needed; probe /ready, scrape /metrics.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY prompts ./prompts
# The wheel carries the prompt templates (package service.prompt_templates).
RUN pip install . && rm -rf service prompts build *.egg-info

RUN useradd --create-home --uid 10001 factcheck
USER factcheck

EXPOSE 8000
# SIGTERM: uvicorn stops accepting connections and lets requests in flight finish
# (--graceful-timeout, 30 s by default); give `docker stop` at least as long (-t 35).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"
CMD ["factcheck", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
