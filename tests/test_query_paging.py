"""JSON answers come in pages with a link to the next; the downloads have every row."""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.backends


@pytest.fixture(scope="module")
def service(demo_service: str) -> str:
    return demo_service


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_following_next_links_gives_every_row_once_in_order(service: str) -> None:
    status, body = get(f"{service}/api/queries/collaboration-network?format=csv")
    assert status == 200
    every_pair = [(row["organisation_a"], row["organisation_b"]) for row in csv.DictReader(io.StringIO(body.decode()))]
    assert len(every_pair) > 25
    pairs, url, pages = [], f"{service}/api/queries/collaboration-network?page_size=10", 0
    while url:
        status, body = get(url)
        assert status == 200
        document = json.loads(body)
        assert document["row_count"] == len(every_pair)
        assert len(document["rows"]) <= 10
        pairs += [(row["organisation_a"], row["organisation_b"]) for row in document["rows"]]
        url, pages = document["next"], pages + 1
    assert pairs == every_pair
    assert pages == -(-len(every_pair) // 10)


def test_the_next_link_keeps_the_query_s_parameters(service: str) -> None:
    _, body = get(f"{service}/api/queries/collaboration-network?min_shared=2&page_size=1")
    document = json.loads(body)
    assert document["row_count"] > 1
    assert "min_shared=2" in document["next"] and "page=2" in document["next"]


def test_a_page_past_the_end_is_empty_with_no_next(service: str) -> None:
    _, body = get(f"{service}/api/queries/components?page=99")
    document = json.loads(body)
    assert document["rows"] == [] and document["next"] is None and document["row_count"] == 24


@pytest.mark.parametrize(("argument", "value"), [("page", "0"), ("page", "two"), ("page_size", "10001"),
                                                 ("page_size", "-5"), ("page", "１")])
def test_a_bad_page_argument_is_a_400_naming_it(service: str, argument: str, value: str) -> None:
    status, body = get(f"{service}/api/queries/components?{argument}={urllib.request.quote(value)}")
    assert status == 400
    assert json.loads(body)["message"].startswith(f"parameter '{argument}'")
