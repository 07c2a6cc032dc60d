"""The protocol's using-graph-uri and using-named-graph-uri become USING clauses of each operation."""

from __future__ import annotations

import pytest
from rdflib.plugins.sparql.parser import parseUpdate

from innograph.sparql_text import with_using

pytestmark = pytest.mark.backends

G, N = "<urn:g>", "<urn:n>"


@pytest.mark.parametrize(("update", "expected"), [
    ("INSERT { ?s a <urn:T> } WHERE { ?s ?p ?o }",
     "INSERT { ?s a <urn:T> } USING <urn:g> USING NAMED <urn:n> WHERE { ?s ?p ?o }"),
    ("DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o } ; INSERT { ?x ?y 2 } WHERE { ?x ?y 3 }",
     "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } USING <urn:g> USING NAMED <urn:n> WHERE { ?s ?p ?o } ; "
     "INSERT { ?x ?y 2 } USING <urn:g> USING NAMED <urn:n> WHERE { ?x ?y 3 }"),
    ("DELETE WHERE { ?s ?p ?o }", "DELETE WHERE { ?s ?p ?o }"),
    ("INSERT { ?s ?p 'WHERE' } WHERE { { ?s ?p ?o } UNION { ?s ?p ?o FILTER EXISTS { ?s ?p ?o } } }",
     "INSERT { ?s ?p 'WHERE' } USING <urn:g> USING NAMED <urn:n> WHERE { { ?s ?p ?o } UNION "
     "{ ?s ?p ?o FILTER EXISTS { ?s ?p ?o } } }"),
])
def test_each_operation_with_a_where_gets_the_dataset(update: str, expected: str) -> None:
    rewritten = with_using(update, [G], [N])
    assert rewritten == expected
    parseUpdate(rewritten)  # still one valid update


def test_no_parameters_leave_the_update_as_it_is() -> None:
    assert with_using("INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }", [], []) == "INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }"
