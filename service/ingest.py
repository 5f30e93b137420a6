"""Read an article: decode, extract HTML, split paragraphs with offsets, set boilerplate aside.

Offsets index ``Article.text``: the text exactly as the client sent it, or for HTML the
extracted text that the response returns."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .charset import declared_charset, decode_as, media_type
from .errors import (
    EmptyInputError,
    InputTooLargeError,
    InvalidJsonError,
    InvalidRequestError,
    UndecodableInputError,
)
from .models import Ingested, SourceFormat


@dataclass(frozen=True, slots=True)
class Article:
    text: str
    source_format: SourceFormat
    paragraphs: tuple[tuple[int, int], ...]
    """Body paragraphs as ``(start, end)`` into ``text``, in order."""
    skipped: tuple[tuple[int, int], ...] = ()
    title: str | None = None
    url: str | None = None
    extracted: bool = field(default=False)

    def describe(self) -> Ingested:
        # One validation of plain data in pydantic-core is cheaper than a Span(...) call
        # per paragraph.
        return Ingested.model_validate(self.description())

    def description(self) -> dict[str, Any]:
        """``describe()`` in its JSON form (``model_dump(mode="json")``), built directly:
        for responses that are serialized without building the models."""
        text = self.text
        return {
            "source_format": self.source_format,
            "text": text if self.extracted else None,
            "title": self.title,
            "body": [{"start": s, "end": e, "text": text[s:e]} for s, e in self.paragraphs],
            "skipped": [{"start": s, "end": e, "text": text[s:e]} for s, e in self.skipped],
        }


def decode(raw: bytes, *, limit: int, charset: str | None = None) -> str:
    """Bytes from a client or a file as text, in the declared ``charset`` (UTF-8 when None);
    refuses oversize, binary and undecodable input."""
    if len(raw) > limit:
        raise InputTooLargeError(f"input is {len(raw):,} bytes; the limit is {limit:,} bytes")
    text = decode_as(raw, charset)
    if "\x00" in text:
        raise UndecodableInputError("input contains NUL bytes: binary data, not an article")
    return text


def parse_request_body(
    raw: bytes, content_type: str, *, limit: int
) -> tuple[str, str | None, str | None, SourceFormat]:
    """The article text, title, url and format of a request body, by its content type:
    ``html`` only when declared (``text`` bodies are looked at by ``read_article``)."""
    text = decode(raw, limit=limit, charset=declared_charset(content_type))
    media = media_type(content_type)
    if media == "application/json" or (not media and text.lstrip().startswith("{")):
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidJsonError(
                f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from None
        if not isinstance(payload, dict) or not isinstance(payload.get("text"), str):
            raise InvalidRequestError('JSON input must be an object with a string "text"')
        title, url = payload.get("title"), payload.get("url")
        return payload["text"], _opt_str(title), _opt_str(url), "json"
    if media == "text/html":
        return text, None, None, "html"
    return text, None, None, "text"


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


_HTML_HINT = re.compile(r"<(?:!doctype\s+html|html|body|article|p|div|h1)\b", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:2048]
    return head.startswith("<") and bool(_HTML_HINT.search(head))


def read_article(
    text: str,
    *,
    title: str | None = None,
    url: str | None = None,
    source_format: SourceFormat | None = None,
    plain: SourceFormat = "text",
) -> Article:
    """An article from text. ``source_format="html"`` (declared) or ``None`` with text that
    looks like HTML: reduced to its body text first; ``None`` otherwise, or any other format:
    read as it is, and reported as ``plain`` when it was not given.

    HTML in which no article text is found is read as it is (reported as ``plain``): a
    fragment like ``<p>Hi</p>`` has text that the extractor, made for whole pages, does not
    take. Only HTML that was declared and is nothing but markup and whitespace is empty. So
    what is refused is exactly what the OpenAPI schema's patterns say (``models``)."""
    fmt: SourceFormat = source_format or ("html" if looks_like_html(text) else plain)
    extracted = False
    if fmt == "html":
        body, html_title = _extract_html(text)
        if body.strip():
            text, title, extracted = body, title or html_title, True
        elif source_format == "html" and is_markup_only(text):
            raise EmptyInputError("no article text found in the HTML")
        else:
            fmt = plain
    if not text.strip():
        raise EmptyInputError("the article is empty")
    paragraphs = split_paragraphs(text)
    body_spans, skipped = _set_boilerplate_aside(text, paragraphs)
    if not body_spans:
        body_spans, skipped = paragraphs, []
    return Article(
        text=text,
        source_format=fmt,
        paragraphs=tuple(body_spans),
        skipped=tuple(skipped),
        title=title,
        url=url,
        extracted=extracted,
    )


_TAG = re.compile(r"<[^>]*>")


def is_markup_only(html: str) -> bool:
    """Whether ``html`` is tags and whitespace only (the ``HTML_TEXT_PATTERN`` of the schema
    says the opposite)."""
    return not _TAG.sub("", html).strip()


def _extract_html(html: str) -> tuple[str, str | None]:
    import trafilatura  # imported here: it costs ~0.3 s and plain text never needs it

    extracted = trafilatura.bare_extraction(
        html, include_comments=False, include_tables=False, with_metadata=True
    )
    if extracted is None:
        return "", None
    body = getattr(extracted, "text", None) or ""
    title = getattr(extracted, "title", None)
    return body, title if isinstance(title, str) else None


_BLOCK = re.compile(r"\S(?:.|\n(?![ \t\r]*\n))*")


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """Paragraphs as trimmed ``(start, end)`` spans: one per line, unless the text is
    hard-wrapped (most lines of similar width), where blank lines separate paragraphs."""
    lines: list[tuple[int, int]] = []  # with text, as they are (their widths tell)
    trimmed: list[tuple[int, int]] = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        stripped = line.strip()  # strips what _trim does: str.isspace() characters
        if stripped:
            lines.append((start, end))
            first = end - len(line.lstrip())
            trimmed.append((first, first + len(stripped)))
        start = end + 1
    if not _hard_wrapped(text, lines):
        return trimmed
    spans = (_trim(text, *m.span()) for m in _BLOCK.finditer(text))
    return [s for s in spans if s[1] > s[0]]


def _hard_wrapped(text: str, lines: list[tuple[int, int]]) -> bool:
    if len(lines) < 6 or "\n\n" not in text.replace("\r", ""):
        return False
    widths = [b - a for a, b in lines]
    wrapped = sum(1 for w in widths if 50 <= w <= 100)
    return wrapped / len(widths) > 0.6 and max(widths) <= 110


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


_DATE = re.compile(
    r"\b(?:\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}"
    r"|\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\s+\d{4}"
    r"|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b)"
)
_CREDIT = re.compile(
    r"(?:\b(?:Photo(?:graph)?s?|Image|Picture|Pic|Credit|Illustration|Video)\s*(?:by\b|:|/)"
    r"|\bGetty Images\b|\bAP Photo\b|/\s?(?:AFP|Reuters|AP|EPA)\b|\bShutterstock\b)",
    re.IGNORECASE,
)
_CREDIT_WORDS = (
    "/",
    "photo",
    "image",
    "pic",
    "credit",
    "illustration",
    "video",
    "getty",
    "shutterstock",
)
_CREDIT_WORD = re.compile("|".join(map(re.escape, _CREDIT_WORDS)))
_ODD_CASE = "\u0130\u0131\u017f\u212a"
"""The only non-ASCII letters that IGNORECASE equates with ASCII ones."""
_BYLINE = re.compile(r"^(?:By|Written by|Reporting by|Words by)\s+[A-Z]", re.UNICODE)
_PROMO = re.compile(
    r"^(?:Read more|Related|Also read|Read also|See also|More from|Sign up|Subscribe|Share this|"
    r"Follow us|Advertisement|Most read|Recommended|Click here|Read the rest)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?…:;]['\"’”»)\]]*$")
_AD_MARKER = re.compile(
    r"\b(?:advertisement|advertising|sponsored|(?:story|article|text) continues"
    r"|continues? (?:reading|below|after)|scroll (?:down )?to continue)\b",
    re.IGNORECASE,
)
"""What a page says around an advertisement ("Story continues below advertisement",
"Article continues after this advertisement"): a line of its own, never prose."""


def _set_boilerplate_aside(
    text: str, paragraphs: list[tuple[int, int]]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Bylines, datelines, photo credits and captions, promotional lines and trailing lists
    of headlines are not article text."""
    skip = [False] * len(paragraphs)
    screen = not any(letter in text for letter in _ODD_CASE)  # `in` beats a regex tenfold
    for i, (a, b) in enumerate(paragraphs):
        para = text[a:b]
        short = len(para) <= 160
        if short and (
            _BYLINE.match(para)
            or _PROMO.match(para)
            or _is_credit(para, screen)
            or _is_dateline(para)
            or _is_ad_marker(para)
        ):
            skip[i] = True
    # A run of headline-like lines (short, no closing punctuation) at the end of the
    # article, or after a promo label, is a list of related links.
    i = len(paragraphs) - 1
    run: list[int] = []
    while i >= 0:
        a, b = paragraphs[i]
        if (skip[i] and run) or _headline_like(text[a:b]):
            run.append(i)
        else:
            break
        i -= 1
    if len([j for j in run if not skip[j]]) >= 3:
        for j in run:
            skip[j] = True
    body = [p for p, s in zip(paragraphs, skip, strict=True) if not s]
    skipped = [p for p, s in zip(paragraphs, skip, strict=True) if s]
    return body, skipped


def _headline_like(para: str) -> bool:
    return (
        len(para) <= 160
        and not _SENTENCE_END.search(para)
        and (para[:1].isupper() or para[:1].isdigit())
    )


def _is_credit(para: str, screen: bool) -> bool:
    # _CREDIT has no literal prefix, so a search tries every position of the paragraph: the
    # slowest step of reading an article. Every credit has one of _CREDIT_WORDS at its
    # start, or 3 characters in ("AP Photo"), so the search starts 3 characters before the
    # first such word, if any. lower() finds the words wherever IGNORECASE would, offsets
    # unchanged, unless the article has an _ODD_CASE letter (``screen`` False).
    start = 0
    if screen:
        lowered = para.lower()
        for word in _CREDIT_WORDS:  # `in` is quicker than _CREDIT_WORD on lines without one
            if word in lowered:
                break
        else:
            return False
        first = _CREDIT_WORD.search(lowered)
        assert first is not None
        start = max(0, first.start() - 3)
    return _CREDIT.search(para, start) is not None


def _is_ad_marker(para: str) -> bool:
    """A short line that is no sentence and speaks of advertising or of the story going on."""
    return len(para) <= 80 and not para.rstrip().endswith(".") and bool(_AD_MARKER.search(para))


def _is_dateline(para: str) -> bool:
    """A short line that is mostly a date or time stamp with a name or section: no sentence."""
    # The date search, the slowest test, last: most lines fail one of the cheap ones.
    if len(para) > 100 or len(para.split()) > 8 or _SENTENCE_END.search(para):
        return False
    return _DATE.search(para) is not None
