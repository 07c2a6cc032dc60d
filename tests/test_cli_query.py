"""`innograph query`: a table for people, standard SPARQL results for programs, clear errors."""

from __future__ import annotations

import csv
import io
import json

import pytest

BASES = ("PREFIX ig: <https://w3id.org/innograph/def/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
         "SELECT ?base ?zh WHERE { ?base a ig:ResearchBase ; rdfs:label ?zh FILTER(LANG(?zh) = 'zh') }")


@pytest.fixture
def initialised(cli) -> None:
    assert cli("init").exit_code == 0


def test_a_table_lists_the_rows_with_a_count(cli, initialised) -> None:
    result = cli("query", BASES, "--format", "table")
    assert result.exit_code == 0
    assert "藏医药" in result.output
    assert result.output.rstrip().endswith("(8 rows)")


def test_json_is_the_default_when_not_on_a_terminal(cli, initialised) -> None:
    document = json.loads(cli("query", BASES).output)
    assert document["head"]["vars"] == ["base", "zh"]
    assert len(document["results"]["bindings"]) == 8


def test_csv_follows_the_sparql_results_csv_format(cli, initialised) -> None:
    rows = list(csv.reader(io.StringIO(cli("query", BASES, "--format", "csv").output)))
    assert rows[0] == ["base", "zh"]
    assert len(rows) == 9
    assert "电子材料" in {row[1] for row in rows[1:]}


def test_construct_results_can_be_turtle(cli, initialised) -> None:
    result = cli("query", "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 3", "--format", "turtle")
    assert result.exit_code == 0
    assert " a " in result.output or "rdf-syntax-ns#type" in result.output


def test_a_select_cannot_be_printed_as_turtle(cli, initialised) -> None:
    result = cli("query", BASES, "--format", "turtle")
    assert result.exit_code == 2
    assert "CONSTRUCT" in result.output


def test_a_syntax_error_names_the_position_without_a_traceback(cli, initialised) -> None:
    result = cli("query", "SELECT * WHERE { ?s ?p }")
    assert result.exit_code == 1
    assert "1:" in result.output and "syntax error" in result.output
    assert "Traceback" not in result.output
