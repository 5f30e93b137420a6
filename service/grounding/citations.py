"""What the model cites for a sentence of its summary or a key point: the numbers of the
article's paragraphs (the prompt numbers ``Article.paragraphs`` from 1), read as spans of
the article, with what makes a citation point at nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Citation:
    numbers: tuple[int, ...]
    """What the model cited, each number once, in its order."""
    spans: tuple[tuple[int, int], ...]
    """The cited paragraphs that the article has, as ``(start, end)`` into its text."""
    outside: tuple[int, ...]
    """The cited numbers that name no paragraph of the article."""
    paragraphs: int
    """How many paragraphs the article has."""

    @classmethod
    def of(cls, numbers: Sequence[int], paragraphs: Sequence[tuple[int, int]]) -> Citation:
        cited = tuple(dict.fromkeys(numbers))
        inside = [n for n in cited if 1 <= n <= len(paragraphs)]
        return cls(
            cited,
            tuple(paragraphs[n - 1] for n in inside),
            tuple(n for n in cited if n not in inside),
            len(paragraphs),
        )

    @property
    def problem(self) -> str | None:
        """Why the citation gives nothing to read, or None when it gives a passage."""
        if not self.numbers:
            return "the model cited no paragraph of the article for this"
        if not self.spans:
            return self.outside_note
        return None

    @property
    def outside_note(self) -> str:
        """What the citation names that the article lacks ('' when nothing)."""
        if not self.outside:
            return ""
        which = ", ".join(f"[{n}]" for n in self.outside)
        one = len(self.outside) == 1
        return (
            f"it cites paragraph{'' if one else 's'} {which}, which the article does not "
            f"have (it has {self.paragraphs})"
        )

    @property
    def what(self) -> str:
        """The cited passage, named for a message: "paragraph [3]", "paragraphs [3], [4]"."""
        inside = [n for n in self.numbers if n not in self.outside]
        return f"paragraph{'' if len(inside) == 1 else 's'} " + ", ".join(f"[{n}]" for n in inside)
