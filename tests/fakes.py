"""Test doubles for the model provider: a FAKE OpenAI-compatible endpoint, in process, on
``httpx2.MockTransport``. It answers what a test tells it to (a chosen analysis, an HTTP
error, a timeout, a truncated answer); it is never a recording of a real model and is never
stored as a cassette. The real client (``service.llm.ChatModel`` on ``openai``) talks to it,
so the request, the parsing and the error mapping are the real ones."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2

from service.analysis import Analyzer
from service.llm import ChatModel
from service.models import ModelAnalysis, ModelCited, ModelStatement
from service.settings import Settings

FAKE_BASE_URL = "http://fake-llm.test/v1"
FAKE_API_KEY = "sk-test-secret-123"
FAKE_MODEL = "fake-model"

Reply = httpx2.Response | Callable[[httpx2.Request], httpx2.Response]


def fake_settings(**overrides: Any) -> Settings:
    """Settings that point the real client at the fake provider, with no retries."""
    values: dict[str, Any] = {
        "engine": "llm",
        "base_url": FAKE_BASE_URL,
        "api_key": FAKE_API_KEY,
        "model": FAKE_MODEL,
        "max_retries": 0,
    }
    values.update(overrides)
    return Settings(**values)


def fake_completion(
    content: str, *, finish_reason: str = "stop", model: str = FAKE_MODEL
) -> httpx2.Response:
    """An OpenAI-shaped ``chat.completion`` whose message is ``content``."""
    return httpx2.Response(
        200,
        json={
            "id": "chatcmpl-fake-0001",
            "object": "chat.completion",
            "created": 1715212800,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": finish_reason,
                }
            ],
            "usage": {"prompt_tokens": 812, "completion_tokens": 164, "total_tokens": 976},
        },
    )


def fake_answer(analysis: ModelAnalysis, *, finish_reason: str = "stop") -> httpx2.Response:
    return fake_completion(analysis.model_dump_json(), finish_reason=finish_reason)


def fake_error(status: int, message: str = "fake provider failure") -> httpx2.Response:
    """An OpenAI-shaped error response."""
    return httpx2.Response(
        status, json={"error": {"message": message, "type": "server_error", "code": None}}
    )


def fake_timeout(request: httpx2.Request) -> httpx2.Response:
    raise httpx2.ReadTimeout("fake provider: read timed out", request=request)


class FakeProvider:
    """A fake chat completions endpoint. Replies are given in order; the last one repeats.
    Every request it receives is kept in ``requests``."""

    def __init__(self) -> None:
        self.requests: list[httpx2.Request] = []
        self._replies: list[Reply] = [fake_error(500, "the fake provider was given no reply")]

    def reply(self, *replies: Reply) -> None:
        self._replies = list(replies)

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        reply = self._replies.pop(0) if len(self._replies) > 1 else self._replies[0]
        return reply(request) if callable(reply) else reply

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]

    def analyzer(self, settings: Settings | None = None) -> Analyzer:
        """An analyzer whose real ChatModel talks to this fake (a new client each time: the
        analyzer's ``close`` closes it)."""
        settings = settings or fake_settings()
        client = httpx2.AsyncClient(transport=httpx2.MockTransport(self.handler))
        return Analyzer(settings, model=ChatModel(settings, http_client=client))


def cite(text: str, *paragraphs: int) -> ModelCited:
    """A summary sentence or key point as a model gives it, citing paragraphs by number."""
    return ModelCited(text=text, paragraphs=list(paragraphs))


# -- a model answer about examples/nato-stoltenberg-2024-05-08.txt -----------------------
# Its body paragraphs, as the prompt numbers them: [1] the headline, [2] "NATO Secretary
# General Jens Stoltenberg has once again stressed ...", [3] "Source: ...", [4] "Details:
# ...", [5] the quotation "NATO has no intention ...", [6] "He added that Vladimir Putin
# ...", [7] "Background:", [8] Macron's suggestion, [9] "He recently reopened ...".

TRUE_QUOTE = "NATO has no intention of sending troops to Ukraine."
INVENTED_QUOTE = "We will win this war by Christmas, whatever it takes."
WRONG_SPEAKER_QUOTE = "the situation is changing now"
SUPPORTED_CLAIM = (
    "Delays in US and European military aid to Ukraine allowed Russian forces to make "
    "progress in their offensive."
)
INVENTED_CLAIM = "NATO agreed to send 5,000 soldiers to Kharkiv next month."
REPORTED_STATEMENT = "The Alliance has no plans to deploy troops in the territory of Ukraine."

NATO_ANALYSIS = ModelAnalysis(
    summary=[
        cite(
            "NATO Secretary General Jens Stoltenberg said the Alliance has no plans to deploy "
            f'troops in Ukraine: "{TRUE_QUOTE}"',
            2,
            5,
        ),
        cite("He said Ukraine needs more military aid.", 2),
    ],
    key_points=[
        cite("NATO has no plans to send troops to Ukraine.", 1, 2),
        cite("Ukraine asked for more military aid, not troops.", 5),
    ],
    claims=[SUPPORTED_CLAIM, INVENTED_CLAIM],
    statements=[
        ModelStatement(speaker="Jens Stoltenberg", text=TRUE_QUOTE, direct=True),
        ModelStatement(speaker="Jens Stoltenberg", text=INVENTED_QUOTE, direct=True),
        ModelStatement(speaker="Emmanuel Macron", text=WRONG_SPEAKER_QUOTE, direct=True),
        ModelStatement(speaker="Jens Stoltenberg", text=REPORTED_STATEMENT, direct=False),
    ],
)
"""One true quote (verified), one invented quote (unsupported), one quote given to the
wrong speaker (misattributed), one reported statement the article supports (paraphrase),
one supported claim (paraphrase), one invented claim (unsupported)."""
NATO_SUMMARY = (
    "NATO Secretary General Jens Stoltenberg said the Alliance has no plans to deploy troops "
    f'in Ukraine: "{TRUE_QUOTE}" He said Ukraine needs more military aid.'
)
"""The summary as the service gives it: the model's sentences as one text."""
NATO_KEY_POINTS = [k.text for k in NATO_ANALYSIS.key_points]
