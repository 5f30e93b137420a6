"""Shared fixtures. Tests never reach the network: see ``vcr_config`` for cassettes."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "nato-stoltenberg-2024-05-08.txt"
ARTICLES = ROOT / "tests" / "data" / "articles"


@pytest.fixture(scope="session")
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")
