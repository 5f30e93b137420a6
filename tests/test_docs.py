"""The API docs page works without internet: every script, style sheet and icon it loads is
served by the app from the package. The suite runs with the network blocked
(``--block-network``), and the page is checked for any address outside the app."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from service.api import DOCS_ASSETS, create_app
from service.settings import Settings

_ASSET_REF = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)=["']([^"']+)["']""")


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient[Any]]:
    with TestClient(app=create_app(Settings(engine="offline"))) as c:
        yield c


@pytest.mark.parametrize("path", ["/schema", "/schema/swagger"])
def test_the_docs_page_loads_only_what_the_app_serves(client: TestClient[Any], path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200
    assert "SwaggerUIBundle(" in page.text
    refs = _ASSET_REF.findall(page.text)
    assert len(refs) == 4, refs  # style sheet, icon, bundle, preset
    for ref in refs:
        assert ref.startswith("/schema/assets/"), f"{ref} is not served by the app"
        asset = client.get(ref)
        assert asset.status_code == 200, ref
        assert asset.content == (DOCS_ASSETS / ref.rsplit("/", 1)[1]).read_bytes()
    assert "http://" not in page.text.split("<body>")[0]
    assert "https://" not in page.text.split("<body>")[0]


def test_the_assets_are_open_with_api_keys() -> None:
    """Like the schema, the docs' files need no key: a browser loads them without one."""
    settings = Settings(engine="offline", api_keys="k1")
    with TestClient(app=create_app(settings)) as c:
        assert c.get("/schema/swagger").status_code == 200
        assert c.get("/schema/assets/swagger-ui-bundle.js").status_code == 200
        assert c.post("/quotes", content=b"text").status_code == 401


def test_an_unknown_asset_is_a_404_problem(client: TestClient[Any]) -> None:
    r = client.get("/schema/assets/missing.js")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
