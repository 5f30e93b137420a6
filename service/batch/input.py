"""Reading the input: one JSON object a line, ``{"id", "text", "title"?, "url"?}``, and a
``"draft"`` string too for ``--operation check``; ``id`` is a string or a number (``1`` and
``"1"`` are the same id); other keys are ignored; blank lines are skipped. A line that cannot be read becomes an item with the error to record."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import (
    FactcheckError,
    InputError,
    InputTooLargeError,
    InvalidRequestError,
    UndecodableInputError,
)
from ..ingest import Article, looks_like_html
from ..models import ArticleIn, CheckIn
from ..pipeline import OFFLOAD_CHARS, read_json_article
from .options import CheckOptions

BatchId = str | int | float


@dataclass(frozen=True, slots=True)
class Item:
    """One input line: an article to process, or the reason it cannot be."""

    line: int
    id: BatchId | None
    payload: ArticleIn | None = None
    error: FactcheckError | None = None

    @property
    def key(self) -> str | None:
        return None if self.id is None else id_key(self.id)


def id_key(value: BatchId) -> str:
    """The id as results are matched on: a string as it is, a number as JSON writes it."""
    return value if isinstance(value, str) else json.dumps(value)


def valid_id(value: object) -> BatchId | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return None


def parse_line(line: int, raw: bytes, *, limit: int, check: CheckOptions | None = None) -> Item:
    """An input line as an article (with its draft, a :class:`CheckIn`, when ``check`` is
    given), or as a per-line error naming what is wrong."""
    if len(raw) > limit:
        return Item(
            line,
            None,
            error=InputTooLargeError(
                f"the line is larger than the limit of {limit:,} bytes (FACTCHECK_MAX_BODY_BYTES)"
            ),
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Item(line, None, error=UndecodableInputError(f"not valid UTF-8 (byte {exc.start})"))
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return Item(line, None, error=InputError(f"invalid JSON: {exc.msg} at column {exc.colno}"))
    if not isinstance(obj, dict):
        return Item(
            line, None, error=InputError('not a JSON object {"id", "text", "title"?, "url"?}')
        )
    if obj.get("id") is None:
        return Item(
            line,
            None,
            error=InvalidRequestError('no "id": every line needs one (a string or a number)'),
        )
    item_id = valid_id(obj["id"])
    if item_id is None:
        return Item(
            line,
            None,
            error=InvalidRequestError(
                f'"id" must be a non-empty string or a number, not {json.dumps(obj["id"])[:80]}'
            ),
        )
    body = obj.get("text")
    if not isinstance(body, str):
        what = 'no "text"' if body is None else '"text" must be a string'
        return Item(line, item_id, error=InvalidRequestError(what))
    for name in ("title", "url"):
        if obj.get(name) is not None and not isinstance(obj[name], str):
            return Item(
                line, item_id, error=InvalidRequestError(f'"{name}" must be a string or null')
            )
    article = ArticleIn(text=body, title=obj.get("title"), url=obj.get("url"))
    if check is None:
        return Item(line, item_id, article)
    draft = obj.get("draft")
    if not isinstance(draft, str):
        what = 'no "draft"' if draft is None else '"draft" must be a string'
        return Item(line, item_id, error=InvalidRequestError(f"{what}: check needs one a line"))
    return Item(
        line,
        item_id,
        CheckIn(
            **article.model_dump(),
            draft=draft,
            quotes_only=check.quotes_only,
            fail_on=list(check.fail_on),
        ),
    )


def raw_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """The non-blank lines of a file with their 1-based numbers."""
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            stripped = raw.strip()
            if stripped:
                yield number, stripped


def items(path: Path, limit: int, check: CheckOptions | None = None) -> Iterator[Item]:
    for number, raw in raw_lines(path):
        yield parse_line(number, raw, limit=limit, check=check)


def line_key(raw: bytes) -> str | None:
    """The id of a line without reading the rest of it: for counting, and matching results."""
    try:
        obj = json.loads(raw)
    except ValueError:
        return None
    value = valid_id(obj.get("id")) if isinstance(obj, dict) else None
    return None if value is None else id_key(value)


@dataclass(slots=True)
class Plan:
    """What the first pass over the input found."""

    lines: int = 0
    keys: set[str] = field(default_factory=set)
    to_do: int = 0


def scan(path: Path, done: set[str]) -> Plan:
    plan = Plan()
    for _, raw in raw_lines(path):
        plan.lines += 1
        key = line_key(raw)
        if key is None:
            plan.to_do += 1
        elif key not in plan.keys:
            plan.keys.add(key)
            plan.to_do += key not in done
    return plan


async def read(payload: ArticleIn) -> Article:
    """The article (HTML extracted); long or HTML ones in a worker thread."""
    if len(payload.text) > OFFLOAD_CHARS or looks_like_html(payload.text):
        return await asyncio.to_thread(read_json_article, payload)
    return read_json_article(payload)
