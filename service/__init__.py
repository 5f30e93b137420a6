"""factcheck: check every quote and attribution against the article's own text."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("factcheck")
except PackageNotFoundError:  # a source tree that is not installed
    __version__ = "0+unknown"
