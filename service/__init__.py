"""factcheck: check every quote and attribution against the article's own text."""


def version() -> str:
    """The installed version ("0+unknown" in a source tree that is not installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("factcheck")
    except PackageNotFoundError:
        return "0+unknown"
