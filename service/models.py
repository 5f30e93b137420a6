"""The pydantic contract: every request and response of the API, the CLI's JSON and the
Python API. The OpenAPI schema is generated from these models."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    computed_field,
    field_validator,
)
from pydantic.config import JsonDict
from pydantic.json_schema import WithJsonSchema


class Contract(BaseModel):
    """The base of every model here: a model's validators are built when it is first used,
    not when the module is imported, so that a command that needs few of them starts fast."""

    model_config = ConfigDict(defer_build=True)


Verdict = Literal[
    "verified",
    "misquoted",
    "misattributed",
    "unconfirmed",
    "paraphrase",
    "contradicted",
    "unsupported",
]
Method = Literal["exact", "normalized", "fuzzy", "model", "none"]
QuoteKind = Literal["full", "partial", "nested"]
SourceFormat = Literal["text", "json", "html"]
Attribution = Literal["match", "mismatch", "unknown"]
FindingKind = Literal["quotation", "claim", "sentence"]
"""What was judged: a quotation; a claim of the model's (a claim, reported speech, a
sentence of its summary, a key point); a sentence of a draft that quotes nobody."""
Severity = Literal["error", "warning", "note"]

DEFAULT_FAIL_ON: tuple[Severity, ...] = ("error",)
"""What makes a draft's check fail when the caller names nothing: an error."""
SEVERITY: dict[str, Severity] = {
    "verified": "note",
    "paraphrase": "note",
    "misquoted": "error",
    "misattributed": "error",
    "contradicted": "error",
}
"""What an editor must do about a verdict; ``unsupported`` is an error, except for a
draft's own sentence, which may add context that no article holds: a note."""


class Span(Contract):
    """A slice of a text: ``text == source[start:end]``."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str

    @classmethod
    def of(cls, source: str, start: int, end: int) -> Span:
        """``source[start:end]`` with its offsets."""
        return cls(start=start, end=end, text=source[start:end])


class Quote(Contract):
    """A direct quotation found in a text, its marks excluded from the span."""

    text: str = Field(description="The quoted words, without their quotation marks.")
    start: int = Field(ge=0, description="Offset of the first quoted character.")
    end: int = Field(ge=0, description="Offset just past the last quoted character.")
    speaker: str | None = Field(
        description="Who the text says said the words (full name where the text gives one); "
        "null for scare quotes, titles and unattributed quotes."
    )
    speaker_title: str | None = Field(
        default=None,
        description="Title or role kept apart from the name, e.g. 'NATO Secretary General'.",
    )
    speaker_mention: Span | None = Field(
        default=None,
        description="Where the attribution names the speaker (may be a pronoun or a surname).",
    )
    speaker_confidence: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="The speaker model's probability that the speaker (or, when speaker is "
        "null, that nobody) is right; null for nested quotations, whose speaker is not "
        "scored.",
    )
    cue: Span | None = Field(
        default=None, description="The speech verb or phrase: 'said', 'according to'."
    )
    kind: QuoteKind = Field(
        description="full: a whole sentence or more; partial: a fragment inside a sentence; "
        "nested: a quotation inside another quotation."
    )
    open_mark: str = Field(description="The opening quotation mark as it appears in the text.")
    continued: bool = Field(
        default=False,
        description="True when this piece runs on into the next paragraph (no closing mark, "
        "the next paragraph reopens the quote).",
    )
    # What the draft check reads of the attribution and no client needs (see the README's
    # "Who said what"): whether a cue names the speaker in the quotation's own sentence,
    # and the model's probability of each candidate person.
    _explicit: bool = PrivateAttr(default=False)
    _speakers: tuple[tuple[str | None, float], ...] = PrivateAttr(default=())


# What the service refuses as empty or binary, as JSON Schema patterns (ECMA-262 and Python
# alike), so that the schema says what is accepted: text with a character that is not
# whitespace (str.isspace: \s, and the separators \x1c-\x1f and \x85 that ECMA's \s lacks)
# and no NUL. Declared HTML must also have such a character outside its tags.
_SPACE = r"\s\u001c-\u001f\u0085"
TEXT_PATTERN = rf"^[^\u0000]*[^{_SPACE}\u0000][^\u0000]*$"
HTML_TEXT_PATTERN = (
    rf"^(?:<[^>\u0000]*>|[{_SPACE}])*(?:[^{_SPACE}<\u0000]|<[^>\u0000]*$)[^\u0000]*$"
)
NON_BLANK: JsonDict = {"minLength": 1, "pattern": TEXT_PATTERN}


class ArticleIn(Contract):
    """An article sent as JSON."""

    # Strict: a field takes what the schema says it takes (no 0 for false, no "1" for 1).
    model_config = ConfigDict(extra="forbid", strict=True)

    text: str = Field(
        description="The article: plain text, or HTML (detected) whose body is extracted. Not "
        "blank, no NUL characters.",
        json_schema_extra=NON_BLANK,
    )
    title: str | None = None
    url: str | None = None


class CheckIn(ArticleIn):
    """An article, and optionally a draft whose quotes are checked against it."""

    # Absent means "the report"; null is refused (a client that failed to fill its draft
    # would otherwise get a report it did not ask for), so the schema has no null either.
    draft: Annotated[str | None, WithJsonSchema({"type": "string"})] = Field(
        default=None,
        description="The draft checked against the article: each of its quotations, and each "
        "sentence holding none. Without one (the field left out), the response is the full "
        "report on the article (summary, claims, statements, quotes). Not blank, not null, no "
        "NUL characters.",
        json_schema_extra=NON_BLANK,
    )
    quotes_only: bool = Field(
        default=False, description="Check the draft's quotations only, not its other sentences."
    )
    fail_on: list[Severity] = Field(
        default=list(DEFAULT_FAIL_ON),
        description="The severities that make the check fail (`failed` in the response).",
    )

    @field_validator("draft", mode="before")
    @classmethod
    def _draft_not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("a draft must be a string; leave the field out for the report")
        return value


class Ingested(Contract):
    """What the service read: the text that every offset refers to."""

    source_format: SourceFormat
    text: str | None = Field(
        default=None,
        description="For HTML input, the extracted article text that offsets index; null when "
        "offsets index the text exactly as sent.",
    )
    title: str | None = None
    body: list[Span] = Field(
        description="The paragraphs taken as article text; boilerplate (bylines, photo credits, "
        "related-headline lists) is left out."
    )
    skipped: list[Span] = Field(
        default_factory=list, description="Paragraphs left out as boilerplate."
    )


class QuotesOut(Contract):
    article: Ingested
    quotes: list[Quote]
    speaker_model: str = Field(
        description="Version of the trained model that chose the speakers (and their confidence)."
    )


class DiffOp(Contract):
    """One step of a word-level difference between the article's passage and the draft."""

    op: Literal["equal", "replace", "delete", "insert"]
    article: str = Field(description="The article's words in this step (empty for insert).")
    draft: str = Field(description="The draft's words in this step (empty for delete).")


class Finding(Contract):
    """One quotation or statement judged against the article."""

    text: str = Field(
        description="The quoted words or statement as the draft (or model) gives them."
    )
    speaker: str | None = Field(description="Who the draft (or model) says said them.")
    verdict: Verdict
    method: Method = Field(description="How the evidence was found.")
    score: float = Field(ge=0, le=100, description="Similarity of the evidence to the text, 0-100.")
    evidence: list[Span] = Field(description="Where the article supports (or nearly supports) it.")
    article_speaker: str | None = Field(
        default=None, description="Who the article says said the evidence."
    )
    article_speaker_confidence: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="The speaker model's probability of article_speaker (null when the "
        "evidence is no quotation, or its speaker is not scored).",
    )
    draft_speaker_confidence: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="The speaker model's probability that the person the draft names said "
        "the evidence (its mentions pooled); null when the draft names nobody or the "
        "evidence is no scored quotation.",
    )
    attribution: Attribution = Field(
        default="unknown",
        description="Whether the speaker agrees with the article's attribution of the evidence.",
    )
    diff: list[DiffOp] | None = Field(
        default=None, description="Word-level difference, for misquoted findings."
    )
    message: str = Field(description="One line for people.")
    draft_start: int | None = Field(
        default=None,
        ge=0,
        description="Offset of the quote or sentence in the draft (or in the model's summary).",
    )
    draft_end: int | None = Field(default=None, ge=0)
    cited: list[Span] | None = Field(
        default=None,
        description="For a sentence of the model's summary or a key point: the article "
        "paragraphs the model cited for it (those of Ingested.body it named by number; empty "
        "when it cited none the article has). It was judged against these alone. Null for "
        "what is judged without a citation (quotations, claims, statements, draft sentences).",
    )
    kind: FindingKind = Field(
        default="quotation",
        description="quotation; claim (the model's claims, reported speech, summary sentences "
        "and key points); sentence (a sentence of a draft that holds no quotation).",
    )

    @computed_field(  # type: ignore[prop-decorator]
        description="error (misquoted, misattributed, contradicted, an unsupported quotation "
        "or claim), warning, or note (verified, paraphrase, an unsupported draft sentence)."
    )
    @property
    def severity(self) -> Severity:
        if self.verdict == "unsupported":
            return "note" if self.kind == "sentence" else "error"
        return SEVERITY.get(self.verdict, "warning")


class CheckOut(Contract):
    article: Ingested
    findings: list[Finding]
    counts: dict[str, int] = Field(description="Number of findings per verdict.")
    speaker_model: str = Field(
        description="Version of the trained model that chose the article's speakers."
    )
    failed: bool = Field(
        default=False,
        description="True when a finding has one of the severities the request's `fail_on` "
        "lists (by default: an error).",
    )


# -- the LLM stages -------------------------------------------------------------------

ShortText = Annotated[str, StringConstraints(max_length=400)]


class ModelStatement(Contract):
    """An attributed statement as the model reports it; never trusted, always checked."""

    model_config = ConfigDict(extra="forbid")

    speaker: str | None = Field(
        description="Who said it, as the article names them; null if nobody."
    )
    text: str = Field(
        max_length=600,
        description="Direct quotation: the exact words between the quotation marks. Reported "
        "speech: the statement as the article reports it.",
    )
    direct: bool = Field(description="True when the article puts these words in quotation marks.")


# A sentence of the model's summary, or a key point, with the numbers of the article
# paragraphs it rests on: the prompt numbers them [1], [2], ... in the order of
# Ingested.body. Never trusted: the checker reads what it cites. The docstring is the
# schema's description, which the model reads: it speaks to the model, briefly.
class ModelCited(Contract):
    """A sentence and the numbers of the article paragraphs that state it."""

    model_config = ConfigDict(extra="forbid")

    text: ShortText
    paragraphs: list[int] = Field(max_length=6)


class ModelAnalysis(Contract):
    """What one model call returns for an article (the structured-output schema)."""

    model_config = ConfigDict(extra="forbid")

    summary: list[ModelCited] = Field(max_length=6)
    key_points: list[ModelCited] = Field(max_length=5)
    claims: list[ShortText] = Field(max_length=8)
    statements: list[ModelStatement] = Field(max_length=12)


class Usage(Contract):
    calls: int = Field(description="Model calls made for this response (0 when cached or offline).")
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None = Field(
        default=None, description="Estimated cost, where the model's prices are configured."
    )


class EngineInfo(Contract):
    engine: Literal["llm", "offline"]
    model: str | None = Field(
        description="The model that answered, as the provider names it in its answer (several, "
        "comma-separated, if the parts of a long article were answered by different ones); "
        "null for the offline engine."
    )
    requested_model: str | None = Field(
        default=None,
        description="The model that was asked for (FACTCHECK_MODEL); differs from `model` when "
        "the provider answers with another one. Null for the offline engine.",
    )
    prompt: str | None = Field(description="The prompt template and its version, name@version.")
    cached: bool = Field(description="True when the model's answer came from the cache.")
    chunks: int = Field(description="Parts the article was split into to fit the model's context.")
    usage: Usage
    notice: str | None = Field(
        default=None, description="What people should know about this answer."
    )


_SUMMARY_FINDINGS = (
    "Each sentence of the summary judged like a claim against the article paragraphs the model "
    "cited for it (`cited`) and nothing else: paraphrase (with the passage of them that "
    "supports it), contradicted or unsupported (also when it cites nothing, or only paragraphs "
    "the article lacks); draft_start/draft_end index the summary."
)
_KEY_POINT_FINDINGS = (
    "Each key point judged like a summary sentence, against what it cites, in the order of "
    "key_points."
)
_GROUNDED = (
    "True when at least one sentence, key point or quotation of the summary was checked, every "
    "sentence and key point is supported by the article and no quotation in them is an error "
    "(or, for the offline engine, the summary is the article's own sentences); "
    "grounded_reason says which."
)
GroundedReason = Literal[
    "supported", "extractive", "nothing_checked", "contradicted", "quotation_error", "unsupported"
]
_GROUNDED_REASON = (
    "Why grounded is what it is: supported (everything checked stands in the article); "
    "extractive (the offline engine's summary, the article's own sentences, not checked "
    "against themselves); nothing_checked (no sentence, key point or quotation to check); "
    "contradicted (a sentence or key point says something the article says otherwise); "
    "quotation_error (a quotation is misquoted, misattributed or not in the article); "
    "unsupported (a sentence or key point the article does not support). The first that "
    "applies of the last four, in that order."
)


class SummarizeOut(Contract):
    article: Ingested
    engine: EngineInfo
    summary: str
    key_points: list[str]
    quotes: list[Finding] = Field(
        description="Every quotation in the summary and key points, checked."
    )
    summary_findings: list[Finding] = Field(default_factory=list, description=_SUMMARY_FINDINGS)
    key_point_findings: list[Finding] = Field(default_factory=list, description=_KEY_POINT_FINDINGS)
    grounded: bool = Field(default=True, description=_GROUNDED)
    grounded_reason: GroundedReason = Field(default="supported", description=_GROUNDED_REASON)
    counts: dict[str, int]


class ClaimsOut(Contract):
    article: Ingested
    engine: EngineInfo
    claims: list[Finding] = Field(
        description="Claims, each supported by an article sentence or not."
    )
    statements: list[Finding] = Field(
        description="Who said what, each checked against the article."
    )
    counts: dict[str, int]


class ReportOut(Contract):
    """The full report on an article: summary, claims, statements and the quotations."""

    article: Ingested
    engine: EngineInfo
    summary: str
    key_points: list[str]
    summary_quotes: list[Finding]
    summary_findings: list[Finding] = Field(default_factory=list, description=_SUMMARY_FINDINGS)
    key_point_findings: list[Finding] = Field(default_factory=list, description=_KEY_POINT_FINDINGS)
    grounded: bool = Field(default=True, description=_GROUNDED)
    grounded_reason: GroundedReason = Field(default="supported", description=_GROUNDED_REASON)
    claims: list[Finding]
    statements: list[Finding]
    quotes: list[Quote] = Field(
        description="The article's direct quotations, found deterministically."
    )
    counts: dict[str, int]


class Health(Contract):
    status: Literal["ok"]
    version: str


class Problem(Contract):
    """An RFC 9457 problem detail: the body of every error response of the HTTP API
    (media type ``application/problem+json``)."""

    type: str = Field(
        pattern=r"^urn:factcheck:problem:[a-z0-9-]+$",
        description="A URN naming the kind of problem, the same for every problem with this "
        "title: 'urn:factcheck:problem:' and the title in kebab case "
        "(urn:factcheck:problem:too-many-requests).",
    )
    title: str = Field(description="A short summary of the kind of problem, the same every time.")
    status: int = Field(ge=400, le=599, description="The HTTP status code.")
    detail: str | None = Field(default=None, description="What went wrong with this request.")
    instance: str | None = Field(default=None, description="The request path.")
    request_id: str | None = Field(
        default=None, description="The request's id, as in the X-Request-ID header and the logs."
    )
    errors: list[dict[str, str]] | None = Field(
        default=None,
        description="For a request body that does not match its model: one entry per field, "
        "with a JSON pointer to it ('pointer') and what is wrong ('detail').",
    )


# -- factcheck batch ----------------------------------------------------------------------


class BatchItemError(Contract):
    """Why one article of a batch has no result: the problem's title, status and detail."""

    title: str
    status: int = Field(description="The HTTP status the API would answer with.")
    detail: str


BatchOperation = Literal["report", "summarize", "claims", "quotes", "check"]

SEVERITY_ORDER: tuple[Severity, ...] = ("error", "warning", "note")
"""Severities from the most to the least urgent."""


def worst_severity(findings: list[Finding]) -> Severity | None:
    """The most urgent severity among ``findings``; None when there are none."""
    found = {f.severity for f in findings}
    return next((s for s in SEVERITY_ORDER if s in found), None)


class BatchResult(Contract):
    """One line of ``factcheck batch`` output: an article's result."""

    id: str | int | float
    ok: Literal[True] = True
    line: int = Field(ge=1, description="The input line.")
    operation: BatchOperation = Field(description="The operation that produced the result.")
    result: ReportOut | SummarizeOut | ClaimsOut | QuotesOut | CheckOut


class BatchCheckResult(BatchResult):
    """One line of ``factcheck batch --operation check`` output: a draft's check, with what
    a script needs to tell the drafts that fail from the others without reading the findings."""

    result: CheckOut

    failed: bool = Field(
        description="True when a finding has one of the severities of the run's --fail-on "
        "(by default: an error); the same as `result.failed`."
    )
    severity: Severity | None = Field(
        description="The most urgent severity among the findings (error, warning, note); null "
        "when the draft has none."
    )


class BatchFailure(Contract):
    """One line of ``factcheck batch`` output: an article (or a line) that failed."""

    id: str | int | float | None = Field(description="Null when the line has no readable id.")
    ok: Literal[False] = False
    line: int = Field(ge=1, description="The input line.")
    operation: BatchOperation = Field(description="The operation that was attempted.")
    error: BatchItemError
