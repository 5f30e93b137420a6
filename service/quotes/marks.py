"""Pair quotation marks paragraph by paragraph: direct quotations as offsets.

Speakers are not found here (see ``attribution``). Marks are paired with a stack per
paragraph, so an unpaired mark costs at most its own paragraph, never the rest of the
article. A paragraph left open whose successor reopens with the same kind of mark is the
newsroom convention for a quotation running over paragraphs."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Mark families: a quotation closes only with a mark of the family that opened it. Wire
# copy writes a double mark as two single ones: ``‘‘…’’`` and ``\`\`…''`` (AP, the NYT
# archive), and closes with ``’’`` or ``''`` whatever opened.
_DOUBLE, _SINGLE = "double", "single"
_FAMILY = {
    '"': _DOUBLE,
    "“": _DOUBLE,
    "”": _DOUBLE,
    "„": _DOUBLE,
    "«": _DOUBLE,
    "»": _DOUBLE,
    "〝": _DOUBLE,
    "〞": _DOUBLE,
    "‟": _DOUBLE,
    "‘‘": _DOUBLE,
    "’’": _DOUBLE,
    "``": _DOUBLE,
    "''": _DOUBLE,
    "'": _SINGLE,
    "‘": _SINGLE,
    "’": _SINGLE,
    "‚": _SINGLE,
    "‹": _SINGLE,
    "›": _SINGLE,
}
_WIRE_CLOSERS = ("’’", "''")
# Which closing marks end a quotation opened by each mark (German „…“ and ‚…‘ close with
# what English opens with; French guillemets may be reversed in German and Danish).
_CLOSERS: dict[str, tuple[str, ...]] = {
    '"': ('"', "”", "“", *_WIRE_CLOSERS),
    "“": ("”", "“", '"', *_WIRE_CLOSERS),
    "„": ("“", "”", '"'),
    "«": ("»",),
    "»": ("«",),
    "〝": ("〞",),
    "‟": ("”",),
    "”": ("”",),
    "‘‘": (*_WIRE_CLOSERS, "”", '"'),
    "``": (*_WIRE_CLOSERS, "”", '"'),
    "''": (*_WIRE_CLOSERS, "”", '"'),
    "'": ("'", "’"),
    "‘": ("’", "'", "‘"),
    "‚": ("‘", "’"),
    "‹": ("›",),
    "›": ("‹",),
}
_OPENERS = set(_CLOSERS)  # ” opens too: Swedish and Finnish typography
_SURE_OPENERS = frozenset({"“", "„", "‘‘", "``", "«", "»"})
"""Marks that only ever open: one may be followed by a space (“ I love…), as typed."""
_APOSTROPHES = {"'", "’"}
_MARK = re.compile(
    "(?:‘‘|’’|``|'')|[" + re.escape("".join(m for m in _FAMILY if len(m) == 1)) + "]"
)
_OPEN_BEFORE = set("([{/–—―-:") | {"\u00a0"}
_CLOSE_AFTER = set(".,;:!?)]}–—―-…/")
_STRONG_CLOSE_BEFORE = set(".,;:!?…–—-)")


MAX_NESTING = 4
"""Quotations nested deeper than this are not reported on their own (their words stay in
the quotations around them). News seldom goes past a quotation within a quotation; a text
nested a thousand deep would otherwise answer with every level's words again, megabytes
per kilobyte."""


@dataclass(slots=True)
class RawQuote:
    start: int
    end: int
    open_pos: int
    close_pos: int | None
    """Offset of the closing mark's last character (a wire-copy ``’’`` has two); None for a
    piece that runs on into the next paragraph."""
    open_mark: str
    paragraph: int
    nested: bool
    continued: bool = False

    @property
    def close(self) -> int:
        """Where the quotation stops: its closing mark, or its end for a piece that runs
        on into the next paragraph."""
        return self.close_pos if self.close_pos is not None else self.end


@dataclass(slots=True)
class _Open:
    pos: int
    mark: str
    content_start: int
    children: list[RawQuote]


def _can_open(text: str, i: int, j: int, lo: int, hi: int, double_open: bool) -> bool:
    """Whether the mark at ``text[i:j]`` may open a quotation: set off from the word
    before it, and followed by a word, or by a space when it is a mark that only opens
    or a straight double mark while no double quotation is open."""
    mark = text[i:j]
    before = text[i - 1] if i > lo else " "
    after = text[j] if j < hi else " "
    if after.isspace() and not (
        mark in _SURE_OPENERS or (mark == '"' and not double_open and j < hi)
    ):
        return False
    return before.isspace() or before in _OPEN_BEFORE or before in _FAMILY


def _can_close(text: str, i: int, j: int, lo: int, hi: int) -> bool:
    before = text[i - 1] if i > lo else " "
    after = text[j] if j < hi else " "
    if before.isspace() and not after.isspace() and text[i:j] not in "«»":
        return False
    return after.isspace() or after in _CLOSE_AFTER or after in _FAMILY


def _is_apostrophe(text: str, i: int, lo: int, hi: int) -> bool:
    """didn’t, rock’n’roll: a mark between two letters is an apostrophe."""
    before = text[i - 1] if i > lo else " "
    after = text[i + 1] if i + 1 < hi else " "
    return before.isalnum() and after.isalnum()


def _weak_single_close(text: str, i: int, lo: int, hi: int) -> bool:
    """``Ukrainians’ needs``: a closing single mark after a letter and before a space may be
    a plural possessive. It closes only if no better closer follows before the next
    opener in the paragraph."""
    before = text[i - 1] if i > lo else " "
    after = text[i + 1] if i + 1 < hi else " "
    if not (before.isalpha() and (after.isspace() or i + 1 >= hi)):
        return False
    for j in range(i + 1, hi):
        c = text[j]
        if c in ("‘", "'") and _can_open(text, j, j + 1, lo, hi, False) and c != text[i]:
            return False
        if (
            c in ("’", "'")
            and not _is_apostrophe(text, j, lo, hi)
            and _can_close(text, j, j + 1, lo, hi)
        ):
            prev = text[j - 1]
            nxt = text[j + 1] if j + 1 < hi else " "
            if prev in _STRONG_CLOSE_BEFORE or nxt in _CLOSE_AFTER:
                return True
    return False


def _has_words(text: str, start: int, end: int) -> bool:
    return _ALNUM.search(text, start, end) is not None


_ALNUM = re.compile(r"[^\W_]")
"""A character ``str.isalnum`` accepts: a word character other than the underscore."""


def find_quotes(
    text: str, paragraphs: tuple[tuple[int, int], ...] | list[tuple[int, int]]
) -> list[RawQuote]:
    """Every quotation in the given paragraphs, in text order (an outer quotation before
    the quotations nested in it)."""
    found: list[RawQuote] = []
    carried: _Open | None = None
    for index, (lo, hi) in enumerate(paragraphs):
        stack: list[_Open] = []
        i = lo
        if carried is not None:
            # The paragraph reopens the running quotation with its own mark.
            while i < hi and text[i].isspace():
                i += 1
            reopening = _MARK.match(text, i, hi)
            j = reopening.end() if reopening else i + 1
            stack.append(_Open(i, text[i:j], j, []))
            i = j
            carried = None
        # Where each family's openers sit on the stack, so that finding the one a mark
        # would close costs the same however deep the stack is.
        by_family: dict[str, list[int]] = {_DOUBLE: [], _SINGLE: []}
        for at, o in enumerate(stack):
            by_family[_FAMILY[o.mark]].append(at)
        for found_mark in _MARK.finditer(text, i, hi):
            i, j = found_mark.span()
            c = found_mark.group()
            family = _FAMILY[c]
            if c in _APOSTROPHES and _is_apostrophe(text, i, lo, hi):
                continue
            same = by_family[family]
            depth = same[-1] if same and c in _CLOSERS[stack[same[-1]].mark] else None
            if (
                depth is not None
                and _can_close(text, i, j, lo, hi)
                and not (family == _SINGLE and _weak_single_close(text, i, lo, hi) and c in "’'")
            ):
                # Openers above the match were never closed: their children move up.
                while len(stack) - 1 > depth:
                    dropped = stack.pop()
                    by_family[_FAMILY[dropped.mark]].pop()
                    stack[-1].children.extend(dropped.children)
                opened = stack.pop()
                same.pop()
                quote = RawQuote(
                    start=opened.content_start,
                    end=i,
                    open_pos=opened.pos,
                    close_pos=j - 1,
                    open_mark=opened.mark,
                    paragraph=index,
                    nested=bool(stack),
                )
                if len(stack) < MAX_NESTING:
                    _emit(text, quote, opened.children, stack, found)
            elif c in _OPENERS and _can_open(text, i, j, lo, hi, bool(by_family[_DOUBLE])):
                by_family[family].append(len(stack))
                stack.append(_Open(i, c, j, []))
        if stack:
            outer = stack[0]
            nxt = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
            if nxt is not None and _reopens(text, nxt, outer.mark):
                quote = RawQuote(
                    start=outer.content_start,
                    end=hi,
                    open_pos=outer.pos,
                    close_pos=None,
                    open_mark=outer.mark,
                    paragraph=index,
                    nested=False,
                    continued=True,
                )
                children = [q for o in stack for q in o.children]
                _emit(text, quote, children, [], found)
                carried = outer
            else:
                # Unclosed: its closed children stand as top-level quotations; what was
                # nested in one of them stays nested.
                children = sorted((q for o in stack for q in o.children), key=_outer_first)
                reach = -1
                for child in children:
                    if child.start >= reach:
                        child.nested = False
                        reach = child.end
                    found.append(child)
    found.sort(key=_outer_first)
    return found


def _outer_first(q: RawQuote) -> tuple[int, int]:
    return q.start, -q.end


def _reopens(text: str, paragraph: tuple[int, int], mark: str) -> bool:
    lo, hi = paragraph
    first = _MARK.match(text, lo, hi)
    return (
        first is not None and first.group() in _OPENERS and _FAMILY[first.group()] == _FAMILY[mark]
    )


def _emit(
    text: str, quote: RawQuote, children: list[RawQuote], stack: list[_Open], found: list[RawQuote]
) -> None:
    start, end = quote.start, quote.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    quote.start, quote.end = start, end
    if not _has_words(text, start, end):
        return
    if stack:
        stack[-1].children.append(quote)
        stack[-1].children.extend(children)
    else:
        found.append(quote)
        found.extend(children)
