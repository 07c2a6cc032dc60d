"""A SELECT on /sparql returns at most `result_row_cap` rows, and says so in a header when it cuts."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from rdflib.plugins.sparql import prepareQuery

from innograph.config import Settings
from innograph.service import create_app
from innograph.sparql_text import with_row_limit

from .conftest import live_server

pytestmark = pytest.mark.backends

CAP = 5
PREFIXES = "PREFIX ig: <https://w3id.org/innograph/def/>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
PROJECTS = PREFIXES + "SELECT ?code WHERE { ?p a ig:Project ; ig:code ?code } ORDER BY ?code"
SPARQL_JSON, SPARQL_XML = "application/sparql-results+json", "application/sparql-results+xml"
CUT = "Innograph-Rows-Cut"


@pytest.mark.parametrize(("query", "expected"), [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE { ?s ?p ?o }\nLIMIT 6\n"),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 3", "SELECT * WHERE { ?s ?p ?o } LIMIT 3"),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 5 OFFSET 2", "SELECT * WHERE { ?s ?p ?o } LIMIT 5 OFFSET 2"),
    ("SELECT * WHERE { ?s ?p ?o } OFFSET 2 LIMIT 900", "SELECT * WHERE { ?s ?p ?o } OFFSET 2 LIMIT 6"),
    ("SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 2 } }",
     "SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 2 } }\nLIMIT 6\n"),
    ("SELECT * WHERE { ?s ?p ?o } VALUES ?s { <urn:a> }",
     "SELECT * WHERE { ?s ?p ?o } \nLIMIT 6\nVALUES ?s { <urn:a> }"),
    ("SELECT * WHERE { ?s ?p 'LIMIT 1' } # LIMIT 2", "SELECT * WHERE { ?s ?p 'LIMIT 1' } # LIMIT 2\nLIMIT 6\n"),
])
def test_the_cap_is_one_row_more_than_allowed_and_keeps_a_smaller_limit_of_the_query(query: str, expected: str) -> None:
    rewritten, _ = with_row_limit(query, CAP)
    assert rewritten == expected
    prepareQuery(rewritten)  # still one valid query


@pytest.fixture(scope="module")
def endpoint(demo_settings: Settings) -> Iterator[str]:
    with live_server(create_app(dataclasses.replace(demo_settings, result_row_cap=CAP))) as base:
        yield f"{base}/sparql"


def ask(endpoint: str, query: str, accept: str) -> tuple[dict[str, str], bytes]:
    request = urllib.request.Request(f"{endpoint}?{urllib.parse.urlencode({'query': query})}",
                                     headers={"Accept": accept})
    with urllib.request.urlopen(request) as response:
        return dict(response.headers), response.read()


def codes(body: bytes, accept: str) -> list[str]:
    if accept == SPARQL_JSON:
        return [row["code"]["value"] for row in json.loads(body)["results"]["bindings"]]
    if accept == SPARQL_XML:
        ns = "{http://www.w3.org/2005/sparql-results#}"
        return [r.find(f"{ns}binding/{ns}literal").text for r in ET.fromstring(body).iter(f"{ns}result")]
    delimiter = "\t" if accept == "text/tab-separated-values" else ","
    rows = list(csv.reader(io.StringIO(body.decode()), delimiter=delimiter))[1:]
    return [row[0].strip('"') for row in rows]


@pytest.mark.parametrize("accept", [SPARQL_JSON, SPARQL_XML, "text/csv", "text/tab-separated-values"])
def test_a_long_answer_is_cut_at_the_cap_in_order_and_the_header_says_so(endpoint: str, accept: str) -> None:
    headers, body = ask(endpoint, PROJECTS, accept)
    uncut_headers, whole = ask(endpoint, PROJECTS + " LIMIT 4", SPARQL_JSON)
    assert codes(body, accept)[:4] == codes(whole, SPARQL_JSON)
    assert len(codes(body, accept)) == CAP
    assert headers[CUT] == str(CAP)
    assert CUT not in uncut_headers


def test_an_answer_of_exactly_the_cap_is_not_said_to_be_cut(endpoint: str) -> None:
    headers, body = ask(endpoint, PROJECTS + f" LIMIT {CAP}", SPARQL_JSON)
    assert len(codes(body, SPARQL_JSON)) == CAP
    assert CUT not in headers
    headers, body = ask(endpoint, PROJECTS.replace("ORDER BY ?code", "") + f" OFFSET 0 LIMIT {CAP + 100}", "text/csv")
    assert len(codes(body, "text/csv")) == CAP and headers[CUT] == str(CAP)


def test_a_construct_is_not_capped(endpoint: str) -> None:
    construct = PREFIXES + "CONSTRUCT { ?p a ig:Project } WHERE { ?p a ig:Project }"
    headers, body = ask(endpoint, construct, "application/n-triples")
    assert body.count(b"\n") > CAP
    assert CUT not in headers
