"""A wheel holds every package of the service: a sub-package missing from pyproject's list
works in an editable install and fails in a built one."""

from __future__ import annotations

import tomllib

from .conftest import ROOT


def test_every_service_package_is_listed_for_the_wheel() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "service").rglob("__init__.py")
    }
    assert found <= listed, sorted(found - listed)
