"""Quality floor on the PolNeAR dev split (real annotated news), read from
``../shared/data/polnear-dev``; skipped where that data is absent. The full report is
``python -m bench.polnear``; the draft check's is ``python -m bench.drafts``."""

from __future__ import annotations

import pytest

from bench.polnear import DEFAULT_DATA, load_articles, run_ours, score, speakers_by_kind

pytestmark = pytest.mark.skipif(not DEFAULT_DATA.is_dir(), reason="PolNeAR dev data not present")


def test_quote_spans_and_speakers_do_not_regress() -> None:
    articles = load_articles(DEFAULT_DATA)
    run = run_ours(articles, "service.quotes:extract_quotes")
    assert not run.failed, run.failed
    counts = score(articles, run)
    _, recall_all, _ = counts["all"].prf("overlap")
    precision, _, f1 = counts["attributed"].prf("overlap")
    assert recall_all >= 0.99  # every gold quotation span is found
    assert precision >= 0.975
    assert f1 >= 0.97
    right, n = speakers_by_kind(articles, run)["strict"]
    assert n > 600
    assert right / n >= 0.935  # measured 0.938 (see README); the target is 0.95
