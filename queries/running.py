"""Bind an analyst's parameters to a named query and run it on whatever answers SPARQL.

The same code serves the command line (a store reader) and the web service (its killable query
process): both are an `Engine`, a function from query text and result media type to the body.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from innograph.namespaces import IG, PREFIXES
from innograph.queries.catalogue import NamedQuery, Parameter
from innograph.queries.parameters import ParameterError, to_term
from innograph.store import Result
from innograph.store.binding import with_values

Engine = Callable[[str, str], bytes]
"""Runs a query (text, result media type) and returns the serialised answer."""

SPARQL_JSON = "application/sparql-results+json"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"


def _decimal(text: str) -> int | float:
    number = Decimal(text)
    return int(number) if number == number.to_integral_value() else float(number)


NUMBER_TYPES: dict[str, Callable[[str], Any]] = {
    **{XSD_NS + name: int for name in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                        "positiveInteger", "negativeInteger", "nonPositiveInteger",
                                        "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")},
    XSD_NS + "decimal": _decimal,
    XSD_NS + "double": float,
    XSD_NS + "float": float,
    XSD_NS + "boolean": lambda text: text in ("true", "1"),
}

RESOLVE = (
    f"PREFIX ig: <{IG}> PREFIX rdfs: <{PREFIXES['rdfs']}>\n"
    "SELECT DISTINCT ?resource WHERE {\n"
    "  ?resource a ?class .\n"
    "  { ?resource ig:code ?name } UNION { ?resource ig:unifiedSocialCreditCode ?name }\n"
    "  UNION { ?resource rdfs:label ?name }\n"
    "  FILTER(LCASE(STR(?name)) = LCASE(?text))\n"  # ?text is a plain string; Virtuoso garbles STR() of non-ASCII ones
    "} ORDER BY ?resource LIMIT 5"
)
IS_INSTANCE = "ASK WHERE { ?resource a ?class }"


@dataclass(frozen=True)
class PreparedQuery:
    """A named query with its parameters bound: the text to run and the values it was given."""

    query: NamedQuery
    sparql: str
    values: dict[str, str]


def prepare(query: NamedQuery, given: Mapping[str, str], engine: Engine) -> PreparedQuery:
    """Check and bind `given`; a ParameterError (400) names the first parameter that does not fit."""
    unknown = sorted(set(given) - {p.name for p in query.parameters})
    if unknown:
        known = ", ".join(p.name for p in query.parameters) or "none"
        raise ParameterError(unknown[0], f"'{query.name}' has no such parameter (its parameters: {known})")
    bindings: dict[str, Node] = {}
    values: dict[str, str] = {}
    limit: int | None = None
    for parameter in query.parameters:
        text = given.get(parameter.name)
        if text is None or text == "":
            text = parameter.default
        if text is None:
            if parameter.required:
                raise ParameterError(parameter.name, "a value is required")
            continue
        term = to_term(parameter, text)
        if parameter.type == "iri":
            term = _resolve(parameter, term, engine)
        if parameter.is_limit:
            limit = int(term)
        else:
            bindings[parameter.name] = term
        values[parameter.name] = str(term)
    sparql = with_values(query.sparql, bindings)
    if limit is not None:  # SPARQL has no variable LIMIT; the integer was parsed and range-checked above
        sparql = f"{sparql.rstrip()}\nLIMIT {limit:d}\n"
    return PreparedQuery(query, sparql, values)


def _resolve(parameter: Parameter, term: Node, engine: Engine) -> URIRef:
    """The IRI given, checked to be of the parameter's class, or the one whose code or label was given."""
    assert parameter.class_iri is not None
    kind = URIRef(parameter.class_iri)
    if isinstance(term, URIRef):
        answer = json.loads(engine(with_values(IS_INSTANCE, {"resource": term, "class": kind}), SPARQL_JSON))
        if not answer.get("boolean"):
            raise ParameterError(parameter.name, f"<{term}> is not a {_short(kind)}")
        return term
    rows = json.loads(engine(with_values(RESOLVE, {"text": term, "class": kind}), SPARQL_JSON))
    found = [row["resource"]["value"] for row in rows["results"]["bindings"]]
    if not found:
        raise ParameterError(parameter.name, f"no {_short(kind)} has the IRI, code or label {str(term)!r}")
    if len(found) > 1:
        raise ParameterError(parameter.name, f"{str(term)!r} names more than one {_short(kind)}: "
                                             + ", ".join(f"<{iri}>" for iri in found) + "; give the IRI")
    return URIRef(found[0])


def _short(iri: URIRef) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"


def run(prepared: PreparedQuery, engine: Engine) -> Result:
    """The answer of a prepared query as terms, for tables and pages."""
    return parse_results(engine(prepared.sparql, SPARQL_JSON))


def run_plain(prepared: PreparedQuery, engine: Engine) -> tuple[list[str], list[dict[str, Any]]]:
    """The answer of a prepared query as columns and rows of plain values, for JSON and networks."""
    return plain_rows(engine(prepared.sparql, SPARQL_JSON))


def parse_results(body: bytes) -> Result:
    """SPARQL JSON results as our Result of rdflib terms (for tables and pages)."""
    document = json.loads(body)
    if "boolean" in document:
        return Result("ask", boolean=bool(document["boolean"]))
    variables = list(document["head"]["vars"])
    rows = [tuple(_term(binding.get(name)) for name in variables) for binding in document["results"]["bindings"]]
    return Result("select", variables, rows)


def _term(value: dict[str, str] | None) -> Node | None:
    """One value of the SPARQL 1.1 Query Results JSON Format as an rdflib term."""
    if value is None:
        return None
    if value["type"] == "uri":
        return URIRef(value["value"])
    if value["type"] == "bnode":
        return BNode(value["value"])
    datatype = value.get("datatype")
    return Literal(value["value"], lang=value.get("xml:lang"), datatype=URIRef(datatype) if datatype else None)


def plain_rows(body: bytes) -> tuple[list[str], list[dict[str, Any]]]:
    """SPARQL JSON results straight to columns and rows of plain values, skipping rdflib terms (much faster)."""
    document = json.loads(body)
    variables = list(document["head"]["vars"])
    rows = [{name: _plain(binding.get(name)) for name in variables} for binding in document["results"]["bindings"]]
    return variables, rows


def _plain(value: dict[str, str] | None) -> Any:
    if value is None:
        return None
    kind = NUMBER_TYPES.get(value.get("datatype", ""))
    if kind is None:
        return value["value"]
    try:
        return kind(value["value"])
    except ValueError:  # an ill-typed literal stays text
        return value["value"]


def plain_json(name: str, values: dict[str, str], columns: list[str], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON answer of a named query: what was asked, the columns and the rows as objects."""
    return {"query": name, "parameters": values, "columns": columns, "rows": rows, "row_count": len(rows)}
