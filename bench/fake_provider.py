"""A fake OpenAI-compatible model provider for the load benchmarks (loopback only).

``POST /v1/chat/completions`` waits ``FAKE_PROVIDER_DELAY`` seconds (default 0.1), then
answers a fixed, valid ``chat.completion`` whose content is a valid ``ModelAnalysis`` JSON
about the sample article (a summary and statements quoting it, so the checker has work),
with usage numbers (prompt tokens ~ request bytes / 4). ``GET /stats`` tells how many calls
came and the most that were in flight at once (to see the service's concurrency limit at
work); ``POST /stats/reset`` zeroes them.

    .venv/bin/python -m bench.fake_provider --port 8090 --delay 0.1
    # then: FACTCHECK_BASE_URL=http://127.0.0.1:8090/v1 FACTCHECK_PROVIDER_API_KEY=sk-fake ...
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from typing import Any

from litestar import Litestar, Request, get, post

from service.models import ModelAnalysis

ANALYSIS = ModelAnalysis.model_validate(
    {
        "summary": [
            {
                "text": 'NATO Secretary General Jens Stoltenberg said the alliance has "no '
                'intention of sending troops to Ukraine" and that Ukraine needs more military '
                "aid.",
                "paragraphs": [2, 5],
            }
        ],
        "key_points": [
            {
                "text": 'Stoltenberg: "the Ukrainians didn’t ask for NATO troops".',
                "paragraphs": [5],
            },
            {
                "text": "Delays in US and European aid let Russian forces make progress.",
                "paragraphs": [4],
            },
        ],
        "claims": [
            "NATO has no plans to deploy troops in the territory of Ukraine.",
            "Russian forces have been able to make progress in their offensive.",
        ],
        "statements": [
            {
                "speaker": "Jens Stoltenberg",
                "text": "NATO has no intention of sending troops to Ukraine.",
                "direct": True,
            },
            {
                "speaker": "Jens Stoltenberg",
                "text": "to prove on the battlefield that he will not win",
                "direct": True,
            },
            {
                "speaker": "Emmanuel Macron",
                "text": "he had suggested that Western states send troops to Ukraine",
                "direct": False,
            },
        ],
    }
)
CONTENT = ANALYSIS.model_dump_json()
COMPLETION_TOKENS = len(CONTENT) // 4


class Stats:
    def __init__(self) -> None:
        self.calls = 0
        self.in_flight = 0
        self.peak_in_flight = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "calls": self.calls,
            "in_flight": self.in_flight,
            "peak_in_flight": self.peak_in_flight,
        }


def create_app(delay: float | None = None, answer_as: str | None = None) -> Litestar:
    """The fake provider; ``answer_as`` names the model it says answered (as a local server
    does whatever it is asked for), by default the one asked for."""
    wait = float(os.environ.get("FAKE_PROVIDER_DELAY", "0.1")) if delay is None else delay
    stats = Stats()

    @post("/v1/chat/completions", status_code=200)
    async def completions(request: Request[Any, Any, Any]) -> dict[str, Any]:
        stats.calls += 1
        stats.in_flight += 1
        stats.peak_in_flight = max(stats.peak_in_flight, stats.in_flight)
        try:
            raw = await request.body()
            model = answer_as or json.loads(raw).get("model", "fake-model")
            await asyncio.sleep(wait)
        finally:
            stats.in_flight -= 1
        prompt_tokens = len(raw) // 4
        return {
            "id": f"chatcmpl-fake-{stats.calls}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": CONTENT},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": COMPLETION_TOKENS,
                "total_tokens": prompt_tokens + COMPLETION_TOKENS,
            },
        }

    @get("/health", sync_to_thread=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @get("/stats", sync_to_thread=False)
    def get_stats() -> dict[str, int]:
        return stats.as_dict()

    @post("/stats/reset", status_code=200, sync_to_thread=False)
    def reset() -> dict[str, int]:
        stats.calls = 0
        stats.peak_in_flight = stats.in_flight
        return stats.as_dict()

    return Litestar(route_handlers=[completions, health, get_stats, reset], debug=False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, default=8090)
    ap.add_argument("--delay", type=float, default=0.1, help="seconds before each answer")
    ap.add_argument("--answer-as", help="the model named in the answers (default: the one asked)")
    args = ap.parse_args(argv)
    import uvicorn

    uvicorn.run(
        create_app(args.delay, args.answer_as),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
