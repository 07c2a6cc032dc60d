"""Every request is logged once, with a request id echoed to the client, and never with a token, a query or a body."""

from __future__ import annotations

import dataclasses
import json
import logging
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from flask import g

from innograph.config import Settings
from innograph.service import create_app
from innograph.service.request_log import JsonFormatter, RequestIdFilter

from .conftest import live_server

TOKEN = "s3cret-token-never-logged"
MARKER = "MARKER-7f3a-never-logged"


@pytest.fixture(scope="module")
def site(demo_settings: Settings) -> Iterator[str]:
    with live_server(create_app(dataclasses.replace(demo_settings, write_token=TOKEN))) as base:
        yield base


def lines(caplog: pytest.LogCaptureFixture) -> list[dict]:
    formatter, request_ids = JsonFormatter(), RequestIdFilter()
    documents = []
    for record in caplog.records:
        if record.name.startswith("innograph"):
            request_ids.filter(record)
            documents.append(json.loads(formatter.format(record)))
    return documents


def test_a_request_is_one_json_line_with_its_id_and_no_query_text(site: str, caplog) -> None:
    caplog.set_level(logging.INFO, logger="innograph")
    query = f'SELECT * WHERE {{ ?s ?p "{MARKER}" }}'
    request = urllib.request.Request(f"{site}/sparql?{urllib.parse.urlencode({'query': query})}",
                                     headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request) as response:
        request_id = response.headers["X-Request-Id"]
    (line,) = [d for d in lines(caplog) if d.get("request_id") == request_id]
    assert (line["method"], line["path"], line["status"]) == ("GET", "/sparql", 200)
    assert line["query_length"] > len(MARKER) and line["ms"] >= 0
    assert MARKER not in json.dumps(lines(caplog)) and TOKEN not in json.dumps(lines(caplog))


def test_an_update_body_and_its_token_never_reach_the_log(site: str, caplog) -> None:
    caplog.set_level(logging.INFO, logger="innograph")
    update = f'INSERT DATA {{ GRAPH <urn:log-test> {{ <urn:a> <urn:b> "{MARKER}" }} }}'
    request = urllib.request.Request(f"{site}/sparql", data=update.encode(), method="POST", headers={
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}-wrong"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 403
    logged = json.dumps(lines(caplog))
    assert '"status": 403' in logged
    assert MARKER not in logged and TOKEN not in logged


@pytest.mark.parametrize(("offered", "kept"), [("proxy-42.abc", True), ("x" * 65, False), ("a b<script>", False)])
def test_a_plain_request_id_from_the_client_is_kept_and_anything_else_replaced(site: str, offered: str,
                                                                                kept: bool) -> None:
    request = urllib.request.Request(f"{site}/healthz", headers={"X-Request-Id": offered})
    with urllib.request.urlopen(request) as response:
        echoed = response.headers["X-Request-Id"]
    assert (echoed == offered) is kept
    assert len(echoed) <= 64 and " " not in echoed


def test_records_written_during_a_request_carry_its_id(demo_settings: Settings) -> None:
    app = create_app(demo_settings)
    record = logging.LogRecord("innograph.service", logging.ERROR, __file__, 1, "boom", None, None)
    with app.test_request_context("/"):
        g.request_id = "abc123"
        RequestIdFilter().filter(record)
    assert record.request_id == "abc123"
    assert json.loads(JsonFormatter().format(record))["request_id"] == "abc123"
