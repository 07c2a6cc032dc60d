"""HTML pages carry a Content-Security-Policy that lets only our own scripts run, and every answer says nosniff."""

from __future__ import annotations

import urllib.request

import pytest

from .browser import chromium


@pytest.fixture(scope="module")
def site(demo_service: str) -> str:
    return demo_service


def headers(url: str) -> dict[str, str]:
    with urllib.request.urlopen(url) as response:
        return dict(response.headers)


def test_a_page_allows_scripts_only_from_itself(site: str) -> None:
    page = headers(f"{site}/queries")
    policy = {d.split()[0]: d.split()[1:] for d in page["Content-Security-Policy"].split("; ")}
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin"


def test_data_answers_say_nosniff_without_a_page_policy(site: str) -> None:
    answer = headers(f"{site}/api/queries/components")
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in answer


def test_the_browser_refuses_an_inline_script_on_our_pages(site: str) -> None:
    """The policy is enforced: a script added inline to a served page does not run, and says so in the console."""
    with chromium() as browser:
        page = browser.new_page()
        messages: list[str] = []
        page.on("console", lambda message: messages.append(message.text))
        page.goto(f"{site}/queries")
        page.evaluate("""() => { const s = document.createElement('script');
                                 s.textContent = 'window.ran = true'; document.body.appendChild(s); }""")
        assert page.evaluate("window.ran") is None
        assert any("Content Security Policy" in m for m in messages)
