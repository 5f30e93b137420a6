"""The trained speaker scorer: a weight per feature, read from ``speaker_model.json``
(written by ``python -m service.quotes.train``). A candidate's score is the sum of its
features' weights; the choice among a quotation's candidates, "nobody" included, is a
softmax over the scores, and the chosen candidate's probability is its confidence."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

MODEL_FILE = "speaker_model.json"


@dataclass(frozen=True, slots=True)
class SpeakerModel:
    version: str
    weights: dict[str, float]
    temperature: float = 1.0
    """Divides the scores before the softmax; fitted across leave-one-publisher-out folds
    so that the confidence is calibrated on news from outlets the model did not see."""
    threshold: float = 0.5
    """Below this confidence a draft check does not contradict the draft's speaker."""
    draft_threshold: float = 0.05
    """A draft's speaker whose probability (its mentions pooled) is at least this is one
    of the plausible candidates, and a draft check does not contradict it."""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SpeakerModel:
        return cls(
            str(data["version"]),
            {str(k): float(v) for k, v in data["weights"].items()},
            float(data.get("temperature", 1.0)),
            float(data.get("threshold", 0.5)),
            float(data.get("draft_threshold", 0.05)),
        )

    def score(self, features: list[str]) -> float:
        w = self.weights
        return sum(w.get(f, 0.0) for f in features)

    def probabilities(self, choices: list[list[str]]) -> list[float]:
        scores = [self.score(f) / self.temperature for f in choices]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return [e / total for e in exps]


MODEL_ENV = "FACTCHECK_SPEAKER_MODEL"
"""A model file to use instead of the shipped one (one trained on a newsroom's own
annotations, or on a fold held out for measurement)."""


@cache
def speaker_model() -> SpeakerModel:
    """The model shipped with the package, or the file ``$FACTCHECK_SPEAKER_MODEL`` names."""
    override = os.environ.get(MODEL_ENV)
    if override:
        raw = Path(override).read_text(encoding="utf-8")
    else:
        raw = resources.files(__package__).joinpath(MODEL_FILE).read_text(encoding="utf-8")
    return SpeakerModel.from_dict(json.loads(raw))
