"""A quotation and its attribution as the quotation stages hand it on: plain dataclasses,
cheap to make and to copy; the pydantic ``Quote`` of the contract is built once, at the
edge (``Quotation.model``)."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Quote, QuoteKind, Span


@dataclass(frozen=True, slots=True)
class Stretch:
    """``source[start:end]`` with its offsets."""

    start: int
    end: int
    text: str

    @classmethod
    def of(cls, source: str, start: int, end: int) -> Stretch:
        return cls(start, end, source[start:end])

    def model(self) -> Span:
        return Span(start=self.start, end=self.end, text=self.text)


@dataclass(frozen=True, slots=True)
class Quotation:
    """What ``Quote`` says, field for field."""

    text: str
    start: int
    end: int
    speaker: str | None
    kind: QuoteKind
    open_mark: str
    speaker_title: str | None = None
    speaker_mention: Stretch | None = None
    cue: Stretch | None = None
    continued: bool = False
    speaker_confidence: float | None = None
    explicit: bool = False
    """Whether the article names the speaker with a speech cue in the quotation's own
    sentence (or in the one introducing it with a colon, or for the running quotation it
    continues): "…,” Smith said", not a pronoun, a paragraph's earlier cue or no cue."""
    speakers: tuple[tuple[str | None, float], ...] = ()
    """The speaker model's probability of each person among the candidates (mentions of
    one person pooled; ``None`` is nobody, or someone unknown), most probable first."""

    def model(self) -> Quote:
        quote = Quote(
            text=self.text,
            start=self.start,
            end=self.end,
            speaker=self.speaker,
            speaker_title=self.speaker_title,
            speaker_mention=self.speaker_mention.model() if self.speaker_mention else None,
            speaker_confidence=self.speaker_confidence,
            cue=self.cue.model() if self.cue else None,
            kind=self.kind,
            open_mark=self.open_mark,
            continued=self.continued,
        )
        quote._explicit = self.explicit
        quote._speakers = self.speakers
        return quote
