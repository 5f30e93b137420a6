"""The editors' page at ``/``: served by the app (always tested), and used in a real browser,
Debian's Chromium driven by selenium through the system's chromedriver (nothing downloads a
browser). Without Chromium the browser tests skip, except in CI (``CI=true``), where a
missing browser is a failure: ``.ci/run`` installs it."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver import Chrome as WebDriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from bench.fake_provider import create_app as fake_provider_app
from service.api import create_app
from service.models import Finding
from service.pipeline import check_draft, read_article
from service.quotes import quotes_in
from service.settings import Settings

from .conftest import ROOT, SAMPLE
from .servers import free_port, serving_app

DRAFT = ROOT / "examples" / "nato-draft.md"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
KEY = "page-test-key"
WAIT = 120.0
"""Seconds a browser wait may last before the test fails as hung: a hang guard, an order of
magnitude above what a page takes, not a timing claim."""

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    # The closed network refuses background connections; without these Chromium retries them.
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1600",
]

# The browser talks to chromedriver and to the app on loopback; nothing else is reachable.
pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1", "localhost", "::1"])


# -- the page as the app serves it (no browser) -----------------------------------------


def test_page_and_its_files_are_served() -> None:
    with TestClient(app=create_app(Settings(engine="offline"))) as client:
        page = client.get("/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert '<script src="page/app.js"' in page.text
        for path, media in (("/page/app.js", "javascript"), ("/page/style.css", "text/css")):
            r = client.get(path)
            assert r.status_code == 200 and media in r.headers["content-type"], path
        assert client.get("/page/missing.js").status_code == 404
        # No CDN, no build step: every file the page loads is the app's own.
        assert "http" not in page.text.replace('href="data:,"', "")
        assert "/" not in client.get("/schema/openapi.json").json()["paths"]


def test_the_page_is_open_when_the_api_needs_a_key() -> None:
    with TestClient(app=create_app(Settings(engine="offline", api_keys=KEY))) as client:
        assert client.get("/").status_code == 200
        assert client.get("/page/app.js").status_code == 200
        assert client.post("/quotes", json={"text": "x"}).status_code == 401
        r = client.post(
            "/quotes", json={"text": "He said “hi”."}, headers={"Authorization": f"Bearer {KEY}"}
        )
        assert r.status_code == 200


# -- in the browser ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        message = f"needs Debian's chromium and chromium-driver ({CHROMIUM}, {CHROMEDRIVER})"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: .ci/run installs them")
        pytest.skip(message)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    with tempfile.TemporaryDirectory() as profile:
        options.add_argument(f"--user-data-dir={profile}")
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        try:
            yield driver
        finally:
            driver.quit()


def _serve(settings: Settings) -> Iterator[str]:
    with serving_app(create_app(settings)) as base:
        yield base + "/"


LIMIT = 64 * 1024


@pytest.fixture(scope="module")
def offline_url() -> Iterator[str]:
    yield from _serve(Settings(engine="offline", max_body_bytes=LIMIT))


@pytest.fixture(scope="module")
def keyed_url() -> Iterator[str]:
    """An app that needs a key and whose model provider is down (a closed loopback port)."""
    yield from _serve(
        Settings(
            engine="llm",
            api_key="unused",
            base_url=f"http://127.0.0.1:{free_port()}/v1",
            max_retries=0,
            api_keys=KEY,
        )
    )


def _wait(driver: WebDriver, css: str) -> WebElement:
    try:
        WebDriverWait(driver, WAIT).until(
            lambda d: any(e.is_displayed() for e in d.find_elements(By.CSS_SELECTOR, css))
        )
    except TimeoutException:
        shown = driver.find_element(By.TAG_NAME, "main").text
        raise AssertionError(f"{css} never showed; the page shows: {shown}") from None
    return next(e for e in driver.find_elements(By.CSS_SELECTOR, css) if e.is_displayed())


def _fill(driver: WebDriver, url: str, article: str, draft: str = "") -> None:
    driver.get(url)
    # Typed into the fields as a person would paste (the article is set in one go: typing
    # three thousand characters one by one proves nothing more).
    driver.execute_script(
        "const a = document.getElementById('article'); a.value = arguments[0];"
        "a.dispatchEvent(new Event('input'));",
        article,
    )
    field = driver.find_element(By.ID, "draft")
    field.clear()
    if draft:
        field.send_keys(draft)


def _expected() -> tuple[str, str, list[Finding]]:
    article = SAMPLE.read_text(encoding="utf-8")
    draft = DRAFT.read_text(encoding="utf-8")
    return article, draft, check_draft(read_article(article), draft).findings


def _active(driver: WebDriver) -> WebElement:
    element: WebElement = driver.switch_to.active_element
    return element


def test_draft_marked_by_verdict_with_evidence_by_keyboard(
    browser: WebDriver, offline_url: str
) -> None:
    article, draft, findings = _expected()
    # The sample draft: a quotation verified, misquoted, misattributed and unsupported, a
    # contradicted sentence and one the article does not hold, in the draft's order.
    verdicts = [f.verdict for f in findings]
    assert {"verified", "misquoted", "misattributed", "unsupported", "contradicted"} <= set(
        verdicts
    )
    assert [f.draft_start for f in findings] == sorted(f.draft_start or 0 for f in findings)
    _fill(browser, offline_url, article, draft)

    # Keyboard only: from the draft field, Tab past the key box to the button, Enter.
    browser.find_element(By.ID, "draft").click()
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    assert _active(browser).tag_name == "summary"  # the API key box, closed
    _active(browser).send_keys(Keys.TAB)
    assert _active(browser).get_attribute("id") == "check"
    _active(browser).send_keys(Keys.ENTER)

    first = _wait(browser, "mark.finding")
    marks = browser.find_elements(By.CSS_SELECTOR, "mark.finding")
    assert [m.get_attribute("data-verdict") for m in marks] == [f.verdict for f in findings]
    for mark, f in zip(marks, findings, strict=True):
        # Each passage is marked where the draft has it, and says its verdict in words.
        words = browser.execute_script(
            "return Array.from(arguments[0].childNodes).filter(n => n.nodeType === 3)"
            ".map(n => n.textContent).join('')",
            mark,
        )
        assert f.draft_start is not None and words == draft[f.draft_start : f.draft_end]
        assert f.verdict in mark.text
        assert f.verdict in (mark.get_attribute("aria-label") or "")
    counts = browser.find_element(By.ID, "counts").text
    assert all(f"{verdict} {n}" in counts for verdict, n in Counter(verdicts).items())

    # The results take the focus on the first passage; the arrow keys go to the next.
    assert _active(browser) == first
    at = verdicts.index("misquoted")
    for _ in range(at):
        _active(browser).send_keys(Keys.ARROW_RIGHT)
    misquoted = findings[at]
    assert _active(browser) == marks[at]
    _active(browser).send_keys(Keys.ENTER)
    detail = _wait(browser, "#detail")
    assert _active(browser) == detail  # the evidence is read next
    evidence = detail.find_element(By.CSS_SELECTOR, "mark.evidence")
    [span] = misquoted.evidence
    assert (evidence.get_attribute("data-start"), evidence.get_attribute("data-end")) == (
        str(span.start),
        str(span.end),
    )
    assert evidence.text == article[span.start : span.end]
    assert f"characters {span.start}–{span.end}" in detail.text
    assert detail.find_element(By.CSS_SELECTOR, ".diff del").text.endswith("not win,")
    assert detail.find_element(By.CSS_SELECTOR, ".diff ins").text.endswith("lose,")
    assert marks[at].get_attribute("aria-pressed") == "true"

    # Tab reaches the next passage too; a click works as well as the keyboard.
    assert verdicts[at + 1] == "misattributed"
    marks[at].send_keys(Keys.TAB)
    assert _active(browser) == marks[at + 1]
    marks[at + 1].click()
    misattributed = findings[at + 1]
    speaker = _wait(browser, "#detail .article-speaker")
    assert speaker.text == misattributed.article_speaker == "Jens Stoltenberg"
    assert "Emmanuel Macron" in browser.find_element(By.ID, "detail").text
    unsupported = next(
        i for i, f in enumerate(findings) if f.verdict == "unsupported" and not f.evidence
    )
    marks[unsupported].send_keys(Keys.ENTER)
    _wait(browser, "#detail .no-evidence")
    # A contradicted sentence: the article's sentence at its offsets, the differing words.
    contradicted = verdicts.index("contradicted")
    marks[contradicted].send_keys(Keys.ENTER)
    evidence = _wait(browser, "#detail mark.evidence")
    [span] = findings[contradicted].evidence
    assert evidence.get_attribute("data-start") == str(span.start)
    if findings[contradicted].diff:
        _wait(browser, "#detail .diff")

    # Who said what: the article's quotations with their speakers and offsets.
    rows = browser.find_elements(By.CSS_SELECTOR, "#quotes-view tbody tr")
    said = quotes_in(read_article(article))
    assert len(rows) == len(said) == 4
    for row, q in zip(rows, said, strict=True):
        cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
        assert cells[0].startswith(q.speaker or "speaker unknown")
        assert cells[2] == f"{q.start}–{q.end}"
        if q.speaker_confidence is not None:  # rounded for people
            assert cells[3] == f"{int(q.speaker_confidence * 100 + 0.5)}%"  # as JS rounds

    shot = os.environ.get("PAGE_SCREENSHOT")
    if shot:  # the README's picture: PAGE_SCREENSHOT=docs/page.png pytest -k keyboard
        marks[at].click()
        browser.save_screenshot(shot)


def test_article_alone_from_a_file(browser: WebDriver, offline_url: str, tmp_path: Path) -> None:
    article = SAMPLE.read_text(encoding="utf-8")
    browser.get(offline_url)
    path = tmp_path / "article.txt"
    path.write_text(article, encoding="utf-8")
    browser.find_element(By.ID, "article-file").send_keys(str(path))
    WebDriverWait(browser, WAIT).until(
        lambda d: d.find_element(By.ID, "article").get_attribute("value") == article
    )
    # A file dropped on a field fills it too (the event a drag from the desktop fires).
    browser.execute_script(
        "const data = new DataTransfer();"
        "data.items.add(new File([arguments[0]], 'draft.md', {type: 'text/markdown'}));"
        "document.getElementById('draft').dispatchEvent("
        "  new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));",
        "A dropped draft.",
    )
    WebDriverWait(browser, WAIT).until(
        lambda d: d.find_element(By.ID, "draft").get_attribute("value") == "A dropped draft."
    )
    browser.find_element(By.ID, "alone").click()
    report = _wait(browser, "#report-view")
    assert "Jens Stoltenberg has once again stressed" in report.text
    assert "Offline engine" in report.text
    # The offline engine's claims are the article's own sentences: no verdict on them.
    assert "Claims to check" in report.text
    claims = report.find_elements(By.CSS_SELECTOR, "ul.findings button")
    assert claims and not report.find_elements(By.CSS_SELECTOR, ".tag")
    claims[0].click()
    evidence = _wait(browser, "#detail mark.evidence")
    start, end = (
        int(evidence.get_attribute("data-start") or -1),
        int(evidence.get_attribute("data-end") or -1),
    )
    assert evidence.text == article[start:end] == claims[0].text.strip("“”")
    rows = browser.find_elements(By.CSS_SELECTOR, "#quotes-view tbody tr")
    assert len(rows) == 4


def test_the_report_names_the_model_that_answered(browser: WebDriver) -> None:
    # A FAKE provider that answers as another model than the one asked for, as a local
    # server does.
    with serving_app(fake_provider_app(delay=0, answer_as="gemma-3-270m")) as provider:
        settings = Settings(
            engine="llm",
            api_key="unused",
            base_url=provider + "/v1",
            model="gpt-4o-mini",
            max_retries=0,
        )
        with serving_app(create_app(settings)) as base:
            _fill(browser, base + "/", SAMPLE.read_text(encoding="utf-8"))
            browser.find_element(By.ID, "alone").click()
            report = _wait(browser, "#report-view")
            assert "Language model gemma-3-270m (asked for gpt-4o-mini)." in report.text


def _problem(driver: WebDriver) -> str:
    box = _wait(driver, "#problem")
    assert not driver.find_element(By.ID, "results").is_displayed()  # no stale results
    return box.text


def test_problems_are_shown_not_a_blank_result(
    browser: WebDriver, offline_url: str, keyed_url: str
) -> None:
    article, draft, _ = _expected()
    # 422: an empty article.
    _fill(browser, offline_url, "   ", draft)
    browser.find_element(By.ID, "check").click()
    text = _problem(browser)
    assert "422" in text and "the article is empty" in text

    # 413: above the service's size limit; a good request afterwards clears the message.
    _fill(browser, offline_url, article * (LIMIT // len(article) + 1), draft)
    browser.find_element(By.ID, "check").click()
    text = _problem(browser)
    assert "413" in text and "FACTCHECK_MAX_BODY_BYTES" in text
    browser.execute_script("document.getElementById('article').value = arguments[0];", article)
    browser.find_element(By.ID, "check").click()
    _wait(browser, "mark.finding")
    assert not browser.find_element(By.ID, "problem").is_displayed()

    # 401 without the key the service asks for; with it, the draft is checked.
    _fill(browser, keyed_url, article, draft)
    browser.find_element(By.ID, "check").click()
    assert "401" in _problem(browser) and "API key" in _problem(browser)
    # The key field opens and takes the focus: type the key, Enter sends the form again.
    assert _active(browser).get_attribute("id") == "key"
    _active(browser).send_keys(KEY + Keys.ENTER)
    assert len(_marks(browser)) == len(_expected()[2])

    # 503: the model provider is down.
    browser.find_element(By.ID, "alone").click()
    text = _problem(browser)
    assert "503" in text and "language model is unavailable" in text


def _marks(driver: WebDriver) -> list[Any]:
    _wait(driver, "mark.finding")
    return driver.find_elements(By.CSS_SELECTOR, "mark.finding")


def test_reflows_at_200_percent_zoom(browser: WebDriver, offline_url: str) -> None:
    """A 1280-pixel window at 200% zoom lays out like a 640-pixel one: one column, no
    sideways scrolling, the verdict words still there."""
    article, draft, findings = _expected()
    size = browser.get_window_size()
    browser.set_window_size(640, 1000)
    try:
        _fill(browser, offline_url, article, draft)
        browser.find_element(By.ID, "check").click()
        marks = _marks(browser)
        marks[1].send_keys(Keys.ENTER)
        _wait(browser, "#detail mark.evidence")
        width = browser.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert width[0] <= width[1], width
        assert [m.text.split()[-1] for m in marks] == [f.verdict for f in findings]
        shot = os.environ.get("PAGE_SCREENSHOT_NARROW")
        if shot:
            browser.save_screenshot(shot)
    finally:
        browser.set_window_size(size["width"], size["height"])


def test_any_verdict_the_service_returns_is_shown(browser: WebDriver, offline_url: str) -> None:
    """Verdicts the page has no sign for (a newer service's), with or without a severity,
    and findings nested in a judged sentence: shown by name, in place."""
    draft = "The mayor said “we will rebuild” on Monday. Rain fell. It was cold."
    inner = draft.index("we will rebuild")
    findings = [
        {
            "text": draft[:43],
            "verdict": "contradicted",
            "severity": "error",
            "draft_start": 0,
            "draft_end": 43,
            "evidence": [],
            "message": "the article says Tuesday",
        },
        {
            "text": "we will rebuild",
            "verdict": "unconfirmed",
            "severity": "warning",
            "draft_start": inner,
            "draft_end": inner + 15,
            "evidence": [],
            "message": "who?",
        },
        {
            "text": "Rain fell.",
            "verdict": "brand-new",
            "draft_start": 44,
            "draft_end": 54,
            "evidence": [],
            "message": "a verdict from the future",
        },
        {
            "text": "It was cold.",
            "verdict": "unsupported",
            "severity": "note",
            "evidence": [],
            "message": "no offsets: listed below the draft",
        },
    ]
    answer = {"article": {"text": None}, "findings": findings, "counts": {}}
    _fill(browser, offline_url, "The article.", draft)
    # The service's answer is replaced in the page: what is tested is how it is shown.
    browser.execute_script(
        "const answer = arguments[0];"
        "window.fetch = async (path) => new Response(JSON.stringify("
        "  path === 'quotes' ? {quotes: []} : answer), {status: 200});",
        answer,
    )
    browser.find_element(By.ID, "check").click()
    marks = _marks(browser)
    assert [m.get_attribute("data-verdict") for m in marks] == [
        "contradicted",
        "unconfirmed",
        "brand-new",
    ]
    outer, nested, new = marks
    assert nested in outer.find_elements(By.CSS_SELECTOR, "mark.finding")
    assert "s-error" in (outer.get_attribute("class") or "")
    assert "s-warning" in (nested.get_attribute("class") or "")
    assert new.text.endswith("brand-new") and "v-brand-new" in (new.get_attribute("class") or "")
    unplaced = browser.find_element(By.CSS_SELECTOR, ".unplaced")
    assert "unsupported" in unplaced.text and "It was cold." in unplaced.text
    nested.send_keys(Keys.ENTER)  # the inner one, not the sentence around it
    detail = _wait(browser, "#detail")
    assert "who?" in detail.text and "the article says Tuesday" not in detail.text


def test_unconfirmed_quotation_in_the_page(browser: WebDriver, offline_url: str) -> None:
    """The sample's quotations all have a confident speaker, so an unconfirmed one needs an
    article of its own: words that stand in it, said by nobody it names."""
    article = (
        "The council met on Monday to discuss the bridge.\n\n"
        'The plan was described as "a bridge too far" in a report circulated before the '
        "vote.\n\nMayor Ana Ruiz said the vote would go ahead.\n"
    )
    draft = 'Mayor Ana Ruiz called the plan "a bridge too far".'
    [expected] = check_draft(read_article(article), draft).findings
    assert expected.verdict == "unconfirmed"
    _fill(browser, offline_url, article, draft)
    browser.find_element(By.ID, "check").click()
    [mark] = _marks(browser)
    assert mark.get_attribute("data-verdict") == "unconfirmed" and "unconfirmed" in mark.text
    mark.send_keys(Keys.ENTER)
    evidence = _wait(browser, "#detail mark.evidence")
    [span] = expected.evidence
    assert evidence.get_attribute("data-start") == str(span.start)
    assert evidence.text == "a bridge too far"
    assert "does not say who said them" in browser.find_element(By.ID, "detail").text


def _colour(driver: WebDriver, variable: str) -> str:
    """The computed colour a style sheet variable stands for, as the browser writes it."""
    colour: str = driver.execute_script(
        "const probe = document.createElement('span');"
        "probe.style.color = `var(${arguments[0]})`;"
        "document.body.append(probe);"
        "const c = getComputedStyle(probe).color; probe.remove(); return c;",
        variable,
    )
    return colour


def _style(driver: WebDriver, element: WebElement, prop: str) -> str:
    value: str = driver.execute_script(
        "return getComputedStyle(arguments[0]).getPropertyValue(arguments[1]);", element, prop
    )
    return value


def test_colour_follows_the_verdict_unsupported_is_amber(
    browser: WebDriver, offline_url: str
) -> None:
    """An unsupported sentence of the draft is only a note, yet drawn amber like its legend
    chip and every other unsupported finding, never in the green of verified."""
    article, draft, findings = _expected()
    notes = [f for f in findings if f.verdict == "unsupported" and f.severity == "note"]
    errors = [f for f in findings if f.verdict == "unsupported" and f.severity == "error"]
    assert notes and errors  # the sample draft has both kinds
    _fill(browser, offline_url, article, draft)
    browser.find_element(By.ID, "check").click()
    marks = _marks(browser)
    amber, amber_bg = _colour(browser, "--warn"), _colour(browser, "--warn-bg")
    green, green_bg = _colour(browser, "--ok"), _colour(browser, "--ok-bg")
    assert len({amber, green, amber_bg, green_bg}) == 4
    by_verdict: dict[str, list[WebElement]] = {}
    for mark in marks:
        by_verdict.setdefault(mark.get_attribute("data-verdict") or "", []).append(mark)
    assert len(by_verdict["unsupported"]) == len(notes) + len(errors)
    for mark in by_verdict["unsupported"]:
        assert _style(browser, mark, "border-bottom-color") == amber
        assert _style(browser, mark, "background-color") == amber_bg
        assert _style(browser, mark.find_element(By.CSS_SELECTOR, ".badge"), "color") == amber
    for mark in by_verdict["verified"]:
        assert _style(browser, mark, "border-bottom-color") == green
    chip = browser.find_element(By.CSS_SELECTOR, "#counts .tag.v-unsupported")
    assert _style(browser, chip, "color") == amber
    # The detail of the note says its verdict in amber too.
    note = next(
        m for m in by_verdict["unsupported"] if "s-note" in (m.get_attribute("class") or "")
    )
    note.send_keys(Keys.ENTER)
    tag = _wait(browser, "#detail .tag.v-unsupported")
    assert _style(browser, tag, "color") == amber


def test_the_page_says_every_sentence_is_checked(browser: WebDriver, offline_url: str) -> None:
    browser.get(offline_url)
    intro = browser.find_element(By.CSS_SELECTOR, "header p").text
    hint = browser.find_element(By.ID, "draft-hint").text
    assert "every sentence of the draft is checked" in intro
    assert "every sentence is checked" in hint
    # The sample draft: its sentences without a quotation are judged and shown as well.
    article, draft, findings = _expected()
    assert any(f.kind == "sentence" for f in findings)
    _fill(browser, offline_url, article, draft)
    browser.find_element(By.ID, "check").click()
    marked = [m.get_attribute("data-verdict") for m in _marks(browser)]
    assert marked == [f.verdict for f in findings if f.draft_start is not None]
    for text in (intro, hint):
        assert "quotations are checked" not in text and "whose quotations" not in text
