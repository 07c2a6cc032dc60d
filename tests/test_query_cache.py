"""Library answers are kept per data version: asked again, the same bytes come back without the engine;
after the data changes, the new answer."""

from __future__ import annotations

import json
import urllib.request

import pytest

from innograph.queries.cache import ResultCache

from .conftest import WRITE_TOKEN

pytestmark = pytest.mark.backends


class CountingEngine:
    """An engine whose answer names the call, so a cached answer is told apart from a fresh one."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, sparql: str, media_type: str) -> bytes:
        self.calls += 1
        return f"{sparql}|{media_type}|{self.calls}".encode()


def test_the_same_question_on_the_same_data_is_answered_once() -> None:
    engine = CountingEngine()
    cached = ResultCache().wrap(engine, lambda: "g1")
    first = cached("ASK {}", "text/csv")
    assert cached("ASK {}", "text/csv") == first
    assert engine.calls == 1


def test_a_new_data_version_gets_a_new_answer() -> None:
    engine, versions = CountingEngine(), iter(["g1", "g2", "g2"])
    cached = ResultCache().wrap(engine, lambda: next(versions))
    before = cached("ASK {}", "text/csv")
    after = cached("ASK {}", "text/csv")
    assert before != after
    assert cached("ASK {}", "text/csv") == after
    assert engine.calls == 2


def test_another_format_or_query_is_another_answer() -> None:
    engine = CountingEngine()
    cached = ResultCache().wrap(engine, lambda: "g1")
    cached("ASK {}", "text/csv")
    cached("ASK {}", "text/tab-separated-values")
    cached("ASK { ?s ?p ?o }", "text/csv")
    assert engine.calls == 3


def test_a_store_that_cannot_tell_its_version_is_never_cached() -> None:
    engine = CountingEngine()
    cached = ResultCache().wrap(engine, lambda: None)
    cached("ASK {}", "text/csv")
    cached("ASK {}", "text/csv")
    assert engine.calls == 2


def test_the_least_recently_used_answer_leaves_a_full_cache() -> None:
    engine = CountingEngine()
    cached = ResultCache(max_entries=2).wrap(engine, lambda: "g1")
    cached("A", "m")
    cached("B", "m")
    cached("A", "m")  # A is now the most recently used
    cached("C", "m")  # B leaves
    calls = engine.calls
    cached("A", "m")
    assert engine.calls == calls
    cached("B", "m")
    assert engine.calls == calls + 1


def test_the_service_answers_anew_after_an_update_changes_the_data(writable_service) -> None:
    """The cache is keyed by the store's generation, which every committed write moves on."""
    base, _ = writable_service

    def unfunded_codes() -> list[str]:
        with urllib.request.urlopen(f"{base}/api/queries/projects-without-funding") as response:
            return [row["code"] for row in json.load(response)["rows"]]

    assert unfunded_codes() == unfunded_codes() == []
    update = ('PREFIX ig: <https://w3id.org/innograph/def/> INSERT DATA { GRAPH <urn:test:cache> '
              '{ <urn:test:p1> a ig:Project ; ig:code "CACHE-1" } }')
    request = urllib.request.Request(f"{base}/sparql", data=update.encode(), method="POST", headers={
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {WRITE_TOKEN}"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 204
    assert unfunded_codes() == ["CACHE-1"]
