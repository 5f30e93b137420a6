"""Ground what a model or a draft says in the article: quotations through the checker,
statements and claims through the article's sentences and their facts (names, amounts,
dates, polarity). ``facts`` builds on nothing but the text; the rest on ``verify``."""

from .citations import Citation
from .claims import judge_claim
from .statements import ground_statement, quotes_in_text, text_quotes
from .texts import draft_sentences, joined, key_point_findings, summary_sentences

__all__ = [
    "Citation",
    "draft_sentences",
    "ground_statement",
    "joined",
    "judge_claim",
    "key_point_findings",
    "quotes_in_text",
    "summary_sentences",
    "text_quotes",
]
