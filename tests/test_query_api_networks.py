"""Network-shaped answers of the query API as GraphML, GEXF and CSV edge lists."""

from __future__ import annotations

import io
import json
from email.message import Message

import networkx
import pytest

from .query_api import (
    HEADERS,
    NETWORK_QUERIES,
    answer,
    ask,
    csv_rows,
)

pytestmark = pytest.mark.backends


# ------------------------------------------------------------------------------------------------------------------
# Networks: GraphML, GEXF and CSV edge lists
# ------------------------------------------------------------------------------------------------------------------

NETWORK_PARAMS = {"collaboration-network": {"min_shared": "2"}, "cross-base-linkages": {"min_bases": "3"},
                  "enterprise-partners": {}}


def test_the_network_queries_are_the_three_the_headers_say() -> None:
    assert sorted(NETWORK_PARAMS) == NETWORK_QUERIES


def exported(base: str, name: str, alias: str, media_type: str, how: str) -> tuple[Message, bytes]:
    """A network query's answer asked for by `format=alias` or by Accept; it must be a 200 of `media_type`."""
    params = NETWORK_PARAMS[name]
    if how == "format":
        status, headers, body = ask(base, name, {**params, "format": alias})
    else:
        status, headers, body = ask(base, name, params, accept=media_type)
    assert status == 200, body
    assert headers.get_content_type() == media_type
    return headers, body


@pytest.mark.parametrize("name", NETWORK_QUERIES)
@pytest.mark.parametrize("how", ["format", "accept"])
def test_graphml_has_an_edge_per_row_with_its_weight(demo_service: str, name: str, how: str) -> None:
    network = HEADERS[name]["network"]
    params = NETWORK_PARAMS[name]
    document = answer(demo_service, name, params)
    assert document["row_count"] > 0
    headers, body = exported(demo_service, name, "graphml", "application/graphml+xml", how)
    assert f'filename="{name}.graphml"' in headers["Content-Disposition"]
    graph = networkx.read_graphml(io.BytesIO(body))
    assert graph.number_of_edges() == document["row_count"]
    ends = {row[network["source"]] for row in document["rows"]} | {row[network["target"]] for row in document["rows"]}
    assert set(graph.nodes) == ends
    for row in document["rows"]:
        source, target = row[network["source"]], row[network["target"]]
        assert graph.edges[source, target]["weight"] == row[network["weight"]]
        if row[network["source_label"]] is not None:
            assert graph.nodes[source]["label"] == row[network["source_label"]]


@pytest.mark.parametrize("name", NETWORK_QUERIES)
@pytest.mark.parametrize("how", ["format", "accept"])
def test_gexf_reads_back_as_the_same_network(demo_service: str, name: str, how: str) -> None:
    params = NETWORK_PARAMS[name]
    document = answer(demo_service, name, params)
    _, body = exported(demo_service, name, "gexf", "application/gexf+xml", how)
    graph = networkx.read_gexf(io.BytesIO(body))
    assert graph.number_of_edges() == document["row_count"]
    network = HEADERS[name]["network"]
    assert set(graph.nodes) == ({row[network["source"]] for row in document["rows"]}
                                | {row[network["target"]] for row in document["rows"]})


@pytest.mark.parametrize("name", NETWORK_QUERIES)
def test_an_edge_list_is_csv_with_source_target_weight_first(demo_service: str, name: str) -> None:
    network = HEADERS[name]["network"]
    params = NETWORK_PARAMS[name]
    document = answer(demo_service, name, params)
    status, headers, body = ask(demo_service, name, {**params, "format": "edges"})
    assert status == 200
    assert headers.get_content_type() == "text/csv"
    assert headers["Content-Disposition"].rstrip('"').endswith(".csv")
    rows = csv_rows(body)
    assert rows[0][:3] == ["Source", "Target", "Weight"]
    assert len(rows) - 1 == document["row_count"]
    assert [row[:3] for row in rows[1:]] == [
        [r[network["source"]], r[network["target"]], str(r[network["weight"]])] for r in document["rows"]]


def test_text_csv_on_a_network_query_is_the_table_not_the_edge_list(demo_service: str) -> None:
    status, _, body = ask(demo_service, "collaboration-network", accept="text/csv")
    assert status == 200
    assert csv_rows(body)[0] == HEADERS["collaboration-network"]["columns"]


@pytest.mark.parametrize(("params", "accept"), [
    ({"format": "graphml"}, None), ({"format": "gexf"}, None), ({"format": "edges"}, None),
    (None, "application/graphml+xml"), (None, "application/gexf+xml"),
])
def test_a_network_format_of_a_table_query_is_406(demo_service: str, params: dict[str, str] | None,
                                                  accept: str | None) -> None:
    for name in ("projects", "components"):
        status, _, body = ask(demo_service, name, params, accept=accept)
        assert status == 406, (name, params, accept)
        assert json.loads(body)["status"] == 406


