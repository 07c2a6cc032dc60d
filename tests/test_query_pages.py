"""The query library in a real browser: the list, a form per query, results, the CSV link and the SPARQL text."""

from __future__ import annotations

import csv
import io
import json
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from innograph.queries.catalogue import load_library

from .browser import chromium

pytestmark = pytest.mark.backends


@pytest.fixture(scope="module")
def site(demo_service: str) -> str:
    return demo_service


@pytest.fixture(scope="module")
def browser_page(site: str) -> Iterator[Page]:
    with chromium() as browser:
        page = browser.new_page()
        yield page
        page.close()


def api(site: str, path: str) -> dict:
    with urllib.request.urlopen(site + path) as response:
        return json.load(response)


def test_the_library_page_links_to_a_page_for_every_query(site: str, browser_page: Page) -> None:
    browser_page.goto(f"{site}/queries")
    links = browser_page.locator("ul.library a")
    assert sorted(links.evaluate_all("els => els.map(e => e.getAttribute('href'))")) == sorted(
        f"/queries/{name}" for name in load_library())
    expect(browser_page.get_by_text("Collaboration network")).to_be_visible()
    expect(browser_page.get_by_text("合作网络")).to_be_visible()


def test_the_form_runs_the_query_with_the_parameters_typed_in(site: str, browser_page: Page) -> None:
    """Typing a research base's code and a year into the form gives the rows the API gives for the same values."""
    browser_page.goto(f"{site}/queries/projects")
    browser_page.fill("#param-component", "B3")
    browser_page.fill("#param-from_year", "2022")
    browser_page.get_by_role("button", name="Run").click()
    browser_page.wait_for_selector("#results table")
    expected = api(site, "/api/queries/projects?component=B3&from_year=2022")
    assert expected["row_count"] > 0
    codes = browser_page.locator("#results tbody tr td:nth-child(2)").all_inner_texts()
    assert codes == [row["code"] for row in expected["rows"]]
    assert "component=B3" in browser_page.url


def test_the_csv_link_downloads_the_same_rows(site: str, browser_page: Page) -> None:
    browser_page.goto(f"{site}/queries/projects?component=B3&run=1")
    href = browser_page.get_attribute("#download-csv", "href")
    assert href is not None and "format=csv" in href
    with urllib.request.urlopen(site + href) as response:
        rows = list(csv.DictReader(io.StringIO(response.read().decode("utf-8"))))
    shown = browser_page.locator("#results tbody tr").count()
    assert len(rows) == shown > 0
    assert [r["code"] for r in rows] == browser_page.locator("#results tbody tr td:nth-child(2)").all_inner_texts()


def test_the_page_shows_the_sparql_as_run_with_the_values_bound(site: str, browser_page: Page) -> None:
    browser_page.goto(f"{site}/queries/organisations-at-base?base=B2&run=1")
    text = browser_page.inner_text("#sparql-text")
    assert "VALUES (?base)" in text
    assert "/programme/5568/base/" in text


def test_a_bad_value_is_explained_on_the_page_and_never_run_as_markup(site: str, browser_page: Page) -> None:
    hostile = '"}<img src=x onerror="window.hacked=1">'
    browser_page.goto(f"{site}/queries/organisations-at-base?run=1&base={urllib.request.quote(hostile)}")
    expect(browser_page.get_by_role("alert")).to_contain_text("parameter 'base'")
    assert browser_page.evaluate("window.hacked") is None
    assert browser_page.locator("img").count() == 0


def test_a_required_parameter_is_asked_for_before_running(site: str, browser_page: Page) -> None:
    browser_page.goto(f"{site}/queries/organisations-at-base")
    assert browser_page.locator("#results").count() == 0
    assert browser_page.get_attribute("#param-base", "required") is not None
