"""Ground what a model said in the article: every quotation and attributed statement gets
a verdict and article offsets from the checker, never from the model."""

from __future__ import annotations

import re

from ..ingest import read_article
from ..models import Finding, ModelStatement, Quote
from ..quotes import quotes_in
from ..verify import ArticleIndex, SpeakerEvidence, same_person
from .claims import judge_claim


def ground_statement(index: ArticleIndex, statement: ModelStatement) -> Finding:
    """A direct quotation is judged like a draft's; reported speech must be supported by
    an article sentence, and its speaker must not contradict the article's."""
    if statement.direct:
        return index.judge(statement.text, statement.speaker)
    finding = judge_claim(index, statement.text, statement.speaker)
    if finding.verdict != "paraphrase" or not statement.speaker:
        return finding
    [evidence] = finding.evidence
    quoted = [
        q for q in index.quotes if evidence.start <= q.start and q.end <= evidence.end and q.speaker
    ]
    if quoted and not any(same_person(statement.speaker, q.speaker or "") for q in quoted):
        other = quoted[0].speaker
        said = SpeakerEvidence.of(quoted, statement.speaker)
        update = {
            "article_speaker": other,
            "attribution": "mismatch",
            "article_speaker_confidence": said.confidence,
            "draft_speaker_confidence": said.draft_confidence,
        }
        if not said.contradicts():
            # Too uncertain who the article gives it to for calling the model wrong.
            return finding.model_copy(
                update=update
                | {
                    "verdict": "unconfirmed",
                    "message": f"the article's words, but {said.why_unsure(statement.speaker)}",
                }
            )
        return finding.model_copy(
            update=update
            | {
                "verdict": "misattributed",
                "message": f"the article gives this to {other}, not {statement.speaker}",
            }
        )
    surname = statement.speaker.split()[-1]
    if quoted or re.search(rf"\b{re.escape(surname)}\b", evidence.text, re.IGNORECASE):
        return finding.model_copy(
            update={
                "attribution": "match",
                "article_speaker": quoted[0].speaker if quoted else statement.speaker,
            }
        )
    return finding


def quotes_in_text(index: ArticleIndex, texts: list[str]) -> list[Finding]:
    """Every quotation inside model-written text (a summary, key points), checked."""
    return [index.judge(q.text, q.speaker) for text in texts for q in text_quotes(text)]


def text_quotes(text: str) -> list[Quote]:
    """The quotations of a text the model wrote, nested ones aside; offsets index ``text``."""
    if not text.strip():
        return []
    return [q for q in quotes_in(read_article(text, source_format="text")) if q.kind != "nested"]
