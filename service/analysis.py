"""The LLM stage: one structured call per article (one per part of an article too long for
the model's context), answers cached by article, model and prompt version.

Nothing the model says is trusted here; ``grounding`` checks it against the article."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from .errors import BudgetExhaustedError, ProviderTimeoutError
from .ingest import Article
from .llm import CallUsage, ChatModel, chat_request, schema_instructions
from .models import EngineInfo, ModelAnalysis, ModelStatement, Usage
from .normalize import fold
from .offline import offline_analysis
from .prompts import Prompt, load_prompt
from .sentences import sentence_spans
from .settings import Settings
from .state import LocalState, SharedState
from .tokens import count_tokens
from .verify import ArticleIndex

PROMPT = "analyze"
_SAFETY_TOKENS = 64
"""Chat templates add a few tokens per message that tiktoken cannot see."""

OFFLINE_NOTICE = (
    "Offline engine: an extractive summary and the article's own quotations, no language "
    "model. Set OPENAI_API_KEY (or OPENAI_BASE_URL for a local server) to use one."
)


@dataclass(frozen=True, slots=True)
class Analysis:
    result: ModelAnalysis
    engine: EngineInfo


@dataclass(frozen=True, slots=True)
class PromptPlan:
    """What will be sent: the article split into parts that fit the context window, each
    paragraph opened by its number in the whole article ("[3] ")."""

    prompt: Prompt
    parts: list[str]
    prompt_tokens: list[int]
    article_tokens: int
    """The article's own tokens, without the numbers."""


class Analyzer:
    """Runs the analysis with the configured engine; keeps the answer cache."""

    def __init__(
        self,
        settings: Settings,
        model: ChatModel | None = None,
        state: SharedState | None = None,
    ) -> None:
        self.settings = settings
        self.model = model if model is not None or not settings.use_llm else ChatModel(settings)
        self.state: SharedState = state if state is not None else LocalState(settings)
        """Where answers are cached and spending is counted (shared by replicas in Redis)."""
        self.on_ask: Callable[[int, int], None] | None = None
        """Called with (part, parts), 0-based, before each model call (the CLI says on a
        terminal what it is waiting for)."""

    async def close(self) -> None:
        if self.model is not None:
            await self.model.close()
        await self.state.close()

    async def analyze(self, index: ArticleIndex) -> Analysis:
        article = index.article
        if self.model is None:  # in a worker thread, like all work on a whole article
            return await asyncio.to_thread(offline, index)
        prompt = load_prompt(PROMPT)
        key = self._key(article, prompt)
        cached = await self.state.answer(key)
        if cached is not None:  # before planning: counting tokens costs more than the look-up
            kept = _Cached.model_validate_json(cached)
            usage = CallUsage(models=kept.models)  # who answered, though no call was made now
            return Analysis(kept.result, self._info(prompt, kept.parts, usage, cached=True))
        await self._within_budget()
        plan = await asyncio.to_thread(self.plan, article)  # counting tokens takes a while
        usage = CallUsage()
        try:
            async with asyncio.timeout(self.settings.deadline_seconds):
                answers = await asyncio.gather(
                    *(self._ask(self.model, plan, i, usage) for i in range(len(plan.parts)))
                )
        except TimeoutError:
            raise ProviderTimeoutError(
                f"the analysis did not finish within {self.settings.deadline_seconds:g} s"
            ) from None
        result = merge(list(answers))
        await self.state.keep_answer(
            key,
            _Cached(parts=len(plan.parts), models=usage.models, result=result)
            .model_dump_json()
            .encode(),
        )
        return Analysis(result, self._info(plan.prompt, len(plan.parts), usage, cached=False))

    async def _within_budget(self) -> None:
        budget = self.settings.budget_usd_per_day
        if budget is not None and await self.state.spent_today() >= budget:
            raise BudgetExhaustedError(
                f"the model calls of today (UTC) have used the budget of {budget:g} USD "
                "(FACTCHECK_BUDGET_USD_PER_DAY)"
            )

    async def _ask(
        self, model: ChatModel, plan: PromptPlan, i: int, usage: CallUsage
    ) -> ModelAnalysis:
        if self.on_ask is not None:
            self.on_ask(i, len(plan.parts))
        answer, call = await model.structured(part_request(self.settings, plan, i), ModelAnalysis)
        usage.add(call)
        cost = cost_usd(self.settings, call)
        if cost:
            await self.state.spend(cost)
        return answer

    def plan(self, article: Article) -> PromptPlan:
        return plan_parts(self.settings, article)

    def _key(self, article: Article, prompt: Prompt) -> str:
        digest = hashlib.sha256()
        for piece in (
            article.text,
            self.settings.model,
            prompt.ref,
            self.settings.json_mode,
            str(self.settings.base_url),
        ):
            digest.update(piece.encode("utf-8", "surrogatepass"))
            digest.update(b"\x00")
        return digest.hexdigest()

    def _info(self, prompt: Prompt, parts: int, usage: CallUsage, *, cached: bool) -> EngineInfo:
        return engine_info(self.settings, prompt.ref, parts, usage, cached=cached)


def offline(index: ArticleIndex) -> Analysis:
    """The offline engine's analysis of an article: no model, nothing to wait for."""
    return Analysis(
        offline_analysis(index),
        EngineInfo(
            engine="offline",
            model=None,
            prompt=None,
            cached=False,
            chunks=1,
            usage=Usage(calls=0, prompt_tokens=0, completion_tokens=0),
            notice=OFFLINE_NOTICE,
        ),
    )


def plan_parts(settings: Settings, article: Article) -> PromptPlan:
    """Split the article's body on paragraph boundaries into parts that fit the context
    window with the prompt and the answer; every part's prompt is counted."""
    prompt = load_prompt(PROMPT)
    model = settings.model
    schema = schema_instructions(ModelAnalysis, settings)
    empty_system, empty_user = prompt.render(article="", part="", schema=schema)
    overhead = count_tokens(empty_system, model) + count_tokens(empty_user, model) + _SAFETY_TOKENS
    budget = settings.context_tokens - settings.max_output_tokens - overhead
    text = article.text
    # (paragraph number, start, end): the numbers are the article's, whichever part a
    # paragraph lands in, so that a citation reads the same in every part.
    pieces: list[tuple[int, int, int]] = []
    for n, (s, e) in enumerate(article.paragraphs, 1):
        if count_tokens(text[s:e], model) <= budget:
            pieces.append((n, s, e))
        else:  # a paragraph longer than a part: cut it between sentences
            pieces += [(n, a, b) for a, b in sentence_spans(text, s, e)]
    sizes = [count_tokens(text[s:e], model) for _, s, e in pieces]
    parts: list[str] = []
    current: list[tuple[int, int, int]] = []
    used = 0
    for piece, size in zip(pieces, sizes, strict=True):
        size += _NUMBER_TOKENS
        if current and used + size > budget:
            parts.append(_numbered(text, current))
            current, used = [], 0
        current.append(piece)
        used += size + 1
    if current:
        parts.append(_numbered(text, current))
    prompt_tokens = []
    for i, part in enumerate(parts):
        system, user = prompt.render(article=part, part=_part_note(i, len(parts)), schema=schema)
        prompt_tokens.append(count_tokens(system, model) + count_tokens(user, model))
    return PromptPlan(prompt, parts, prompt_tokens, sum(sizes))


_NUMBER_TOKENS = 4
"""What "[12] " costs a paragraph, at most (3 tokens in tiktoken's encodings up to [999])."""


def _numbered(text: str, pieces: list[tuple[int, int, int]]) -> str:
    """The pieces of a part as the prompt gives them: each paragraph opened by its number,
    the sentences of one cut between parts joined again within a part."""
    out: list[str] = []
    last = 0
    for n, s, e in pieces:
        if n == last:
            out[-1] += " " + text[s:e]
        else:
            out.append(f"[{n}] {text[s:e]}")
        last = n
    return "\n\n".join(out)


def part_request(settings: Settings, plan: PromptPlan, i: int) -> dict[str, Any]:
    """The chat completion request for part ``i`` of a planned article: what a live call
    sends, and what a provider batch uploads."""
    system, user = plan.prompt.render(
        article=plan.parts[i],
        part=_part_note(i, len(plan.parts)),
        schema=schema_instructions(ModelAnalysis, settings),
    )
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    return chat_request(settings, messages, ModelAnalysis)


def _part_note(i: int, parts: int) -> str:
    return f"This is part {i + 1} of {parts} of a longer article." if parts > 1 else ""


def engine_info(
    settings: Settings,
    prompt_ref: str,
    parts: int,
    usage: CallUsage,
    *,
    cached: bool = False,
    notice: str | None = None,
) -> EngineInfo:
    """What a response says about the model's work: the model that answered (the provider's
    word for it; the one asked for when the provider named none) and the one asked for,
    prompt, parts, usage and the estimated cost where prices are configured."""
    cost = cost_usd(settings, usage)
    return EngineInfo(
        engine="llm",
        model=", ".join(usage.models) or settings.model,
        requested_model=settings.model,
        prompt=prompt_ref,
        cached=cached,
        chunks=parts,
        usage=Usage(
            calls=usage.calls,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            cost_usd=cost,
        ),
        notice=notice,
    )


def cost_usd(settings: Settings, usage: CallUsage) -> float | None:
    """What ``usage`` cost at the configured prices; None without them."""
    if settings.price_input_per_mtok is None or settings.price_output_per_mtok is None:
        return None
    return round(
        (
            usage.prompt_tokens * settings.price_input_per_mtok
            + usage.completion_tokens * settings.price_output_per_mtok
        )
        / 1e6,
        6,
    )


class _Cached(BaseModel):
    """A cached answer, as the shared state keeps it."""

    parts: int
    models: list[str] = []
    """The models that answered (an answer cached before they were kept has none)."""
    result: ModelAnalysis


def merge(answers: list[ModelAnalysis]) -> ModelAnalysis:
    """The answers for the parts of one article as one: summaries joined in order, lists
    concatenated without repeats. Deterministic, so a long article costs one call per part
    and no more."""
    if len(answers) == 1:
        return answers[0]
    seen: set[str] = set()

    def fresh(text: str) -> bool:
        key = " ".join(fold(text).split())
        if key in seen:
            return False
        seen.add(key)
        return True

    statements: list[ModelStatement] = []
    for a in answers:
        statements += [s for s in a.statements if fresh(f"{s.speaker}|{s.text}")]
    return ModelAnalysis.model_construct(
        summary=[s for a in answers for s in a.summary],
        key_points=[k for a in answers for k in a.key_points if fresh(k.text)],
        claims=[c for a in answers for c in a.claims if fresh(c)],
        statements=statements,
    )
