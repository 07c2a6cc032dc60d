"""An OpenAPI 3.1 description of the query API, generated from the `#+` headers of the library."""

from __future__ import annotations

from typing import Any

from innograph import __version__
from innograph.queries.catalogue import NamedQuery, Parameter
from innograph.queries.network import NETWORK_FORMATS
from innograph.queries.parameters import MAX_INTEGER, MAX_TEXT

TABLE_FORMATS = {"json": "application/json", "csv": "text/csv", "tsv": "text/tab-separated-values",
                 "sparql-json": "application/sparql-results+json", "xml": "application/sparql-results+xml"}

ERROR = {
    "type": "object",
    "required": ["error", "status", "message"],
    "properties": {"error": {"type": "string"}, "status": {"type": "integer"}, "message": {"type": "string"}},
}
ANSWER = {
    "type": "object",
    "required": ["query", "parameters", "columns", "rows", "row_count"],
    "properties": {
        "query": {"type": "string"},
        "parameters": {"type": "object", "additionalProperties": {"type": "string"}},
        "columns": {"type": "array", "items": {"type": "string"}},
        "rows": {"type": "array", "items": {"type": "object"}},
        "row_count": {"type": "integer", "minimum": 0, "description": "Rows of the whole answer"},
        "page": {"type": "integer", "minimum": 1},
        "page_size": {"type": "integer", "minimum": 1},
        "next": {"type": ["string", "null"], "description": "The URL of the next page, if any"},
    },
}
NETWORK = {
    "type": "object",
    "required": ["iri", "hops", "relations", "node_cap", "cut", "node_count", "edge_count", "elements"],
    "properties": {
        "iri": {"type": "string"}, "hops": {"type": "integer", "enum": [1, 2]},
        "relations": {"type": "array", "items": {"type": "string"}},
        "node_cap": {"type": "integer", "minimum": 1},
        "cut": {"type": "boolean", "description": "Whether more nodes were reached than node_cap"},
        "node_count": {"type": "integer", "minimum": 0}, "edge_count": {"type": "integer", "minimum": 0},
        "elements": {"type": "object", "required": ["nodes", "edges"], "description": "Cytoscape.js elements",
                     "properties": {"nodes": {"type": "array", "items": {"type": "object"}},
                                    "edges": {"type": "array", "items": {"type": "object"}}}},
    },
}
ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
"""The body of every error answer: the Error schema as JSON."""
PAGING = [
    {"name": "page", "in": "query", "required": False, "allowEmptyValue": True,
     "description": "Page of a JSON answer, from 1", "schema": {"type": "integer", "minimum": 1, "maximum": 10**9}},
    {"name": "page_size", "in": "query", "required": False, "allowEmptyValue": True,
     "description": "Rows per page of a JSON answer (CSV and TSV have every row)",
     "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 1000}},
]


def openapi_document(library: dict[str, NamedQuery], server_url: str, relations: list[str]) -> dict[str, Any]:
    """The whole API: the list, one path per named query with its typed parameters, the network view's
    neighbourhoods (following `relations`), and the errors."""
    paths: dict[str, Any] = {
        "/api/queries": {"get": {
            "operationId": "listQueries",
            "summary": "The named queries with their parameters",
            "responses": {"200": {"description": "The library", "content": {
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}}},
        }},
    }
    for query in library.values():
        paths[f"/api/queries/{query.name}"] = {"get": _operation(query)}
    paths["/api/network"] = {"get": _network_operation(relations)}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "innograph query API",
            "version": __version__,
            "description": "Named, parameterised SPARQL queries over the innovation programme graph. "
                           "Parameters are bound as typed RDF terms, never pasted into query text.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {"schemas": {"Error": ERROR, "Answer": ANSWER, "Network": NETWORK}},
    }


def _operation(query: NamedQuery) -> dict[str, Any]:
    formats = dict(TABLE_FORMATS, **(NETWORK_FORMATS if query.network else {}))
    content: dict[str, Any] = {media: {"schema": {"type": "string"}} for media in formats.values()}
    content["application/json"] = {"schema": {"$ref": "#/components/schemas/Answer"}}
    content["application/sparql-results+json"] = {"schema": {"type": "object", "required": ["head"]}}
    return {
        "operationId": _camel(query.name),
        "summary": query.title["en"],
        "description": f"{query.description['en']}\n\n{query.title['zh']}：{query.description['zh']}\n\n"
                       f"Question: {query.question['en']}",
        "parameters": [*(_parameter(p) for p in query.parameters), *PAGING, {
            "name": "format", "in": "query", "required": False, "allowEmptyValue": True,
            "description": "Answer format, overriding the Accept header",
            "schema": {"type": "string", "enum": list(formats)},
        }],
        "responses": {
            "200": {"description": "The answer", "content": content},
            "400": {"description": "A parameter does not fit its type or class; the message names it",
                    "content": ERROR_CONTENT},
            "406": {"description": "None of the accepted formats can be produced", "content": ERROR_CONTENT},
            "503": {"description": "The query was stopped at the time limit or its process failed",
                    "content": ERROR_CONTENT},
        },
    }


def _network_operation(relations: list[str]) -> dict[str, Any]:
    return {
        "operationId": "network",
        "summary": "The neighbourhood of a resource in the programme's innovation relations",
        "description": "The resources one or two hops from a resource along the chosen relations, as the "
                       "elements of the network view (/network); at most node_cap nodes, nearest first.",
        "parameters": [
            {"name": "iri", "in": "query", "required": True, "description": "IRI of a resource in the graph",
             "schema": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT}},
            {"name": "hops", "in": "query", "required": False, "description": "How far to go: 1 or 2 hops",
             "schema": {"type": "integer", "enum": [1, 2], "default": 1}},
            {"name": "relation", "in": "query", "required": False, "style": "form", "explode": True,
             "description": "Relations to follow (repeated, or comma-separated); every one when none is given",
             "schema": {"type": "array", "items": {"type": "string", "enum": relations}}},
        ],
        "responses": {
            "200": {"description": "The neighbourhood", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Network"}}}},
            "400": {"description": "Not an IRI, hops not 1 or 2, or an unknown relation", "content": ERROR_CONTENT},
            "404": {"description": "The graph has no statement about the IRI", "content": ERROR_CONTENT},
        },
    }


def _parameter(parameter: Parameter) -> dict[str, Any]:
    schema: dict[str, Any]
    if parameter.type in ("integer", "year"):
        schema = {"type": "integer"}
        low, high = (1000, 9999) if parameter.type == "year" else (
            -MAX_INTEGER if parameter.minimum is None else parameter.minimum,
            MAX_INTEGER if parameter.maximum is None else parameter.maximum)
        schema.update({"minimum": low, "maximum": high})
    elif parameter.type == "decimal":
        schema = {"type": "number"}
    else:
        schema = {"type": "string", "minLength": 1 if parameter.required else 0, "maxLength": MAX_TEXT}
        if parameter.choices:
            schema = {"type": "string", "enum": list(parameter.choices)}
    if parameter.default is not None:
        schema["default"] = int(parameter.default) if schema["type"] == "integer" else parameter.default
    description = parameter.description["en"]
    if parameter.class_iri:
        description += f" (an instance of <{parameter.class_iri}>)"
    # An empty value means "not given" (as an HTML form sends it), so optional parameters admit it.
    return {"name": parameter.name, "in": "query", "required": parameter.required,
            "allowEmptyValue": not parameter.required, "description": description, "schema": schema}


def _camel(name: str) -> str:
    first, *rest = name.split("-")
    return first + "".join(word.capitalize() for word in rest)
