"""The baseline for ``bench.http_quotes``: a bare litestar endpoint that runs one regex over
the request body and returns the number of matches. Served exactly like factcheck (uvicorn,
one worker, the same flags), so the ratio of the two measures what factcheck's own work
costs on top of the HTTP stack.

    .venv/bin/python -m uvicorn bench.bare_app:app --host 127.0.0.1 --port 8001
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar, Request, get, post

QUOTE = re.compile(r"[“\"]([^”\"]+)[”\"]")
MAX_BODY_BYTES = 2 * 1024 * 1024
"""factcheck's default body limit, so that both read bodies under the same rule."""


@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


@post("/count", status_code=200)
async def count(request: Request[Any, Any, Any]) -> dict[str, int]:
    """The number of double-quoted passages in the body (one regex)."""
    body = (await request.body()).decode("utf-8")
    return {"quotes": len(QUOTE.findall(body))}


app = Litestar(route_handlers=[health, count], request_max_body_size=MAX_BODY_BYTES, debug=False)
