"""The OpenAPI description of the query API: it validates, describes every query and /api/network, and
schemathesis runs every operation without a 5xx and finds the API as described."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import hypothesis
import pytest
import schemathesis
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from .demo_truth import PORTFOLIO
from .query_api import (
    HEADERS,
    SOME_ORGANISATION,
    TIBETAN_MEDICINE_BASE,
    ask,
    assert_parameter_error,
    fetch,
    params_of,
    required_params,
)

pytestmark = pytest.mark.backends


# ------------------------------------------------------------------------------------------------------------------
# The OpenAPI description
# ------------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def openapi(demo_service: str) -> dict[str, Any]:
    status, headers, body = fetch(f"{demo_service}/api/openapi.json")
    assert status == 200
    assert headers.get_content_type() == "application/json"
    return json.loads(body)


def test_the_openapi_description_validates(openapi: dict[str, Any], demo_service: str) -> None:
    validate(openapi)
    assert openapi["openapi"].startswith("3.1.")
    assert openapi["servers"] == [{"url": demo_service}]


def test_openapi_has_a_path_per_query_with_every_header_parameter(openapi: dict[str, Any]) -> None:
    assert set(openapi["paths"]) == {"/api/queries", "/api/network"} | {f"/api/queries/{name}" for name in HEADERS}
    for name, header in HEADERS.items():
        operation = openapi["paths"][f"/api/queries/{name}"]["get"]
        assert operation["summary"] == header["title"]["en"].strip()
        described = {p["name"]: p for p in operation["parameters"]}
        assert set(described) == {p["name"] for p in params_of(name)} | {"format", "page", "page_size"}
        assert all(p["in"] == "query" for p in operation["parameters"])
        for declared in params_of(name):
            parameter = described[declared["name"]]
            schema = parameter["schema"]
            assert parameter["required"] is bool(declared.get("required", False)), (name, declared["name"])
            expected_type = {"iri": "string", "string": "string", "integer": "integer", "year": "integer",
                             "decimal": "number"}[declared["type"]]
            assert schema["type"] == expected_type, (name, declared["name"])
            if declared["type"] == "year":
                assert (schema["minimum"], schema["maximum"]) == (1000, 9999)
            else:
                for bound in ("minimum", "maximum"):
                    if bound in declared:
                        assert schema.get(bound) == declared[bound], (name, declared["name"], bound)
            assert schema.get("enum") == declared.get("choices"), (name, declared["name"])
            assert schema.get("default") == declared.get("default"), (name, declared["name"])
            if declared["type"] == "iri":
                local_name = declared["class"].partition(":")[2]
                assert local_name in parameter["description"]


def test_openapi_describes_the_network_api_with_every_relation(openapi: dict[str, Any], demo_service: str) -> None:
    operation = openapi["paths"]["/api/network"]["get"]
    described = {p["name"]: p for p in operation["parameters"]}
    assert described["iri"]["required"] is True
    assert described["hops"]["schema"]["enum"] == [1, 2]
    relations = described["relation"]["schema"]["items"]["enum"]
    assert set(relations) == {"participant", "leadOrganization", "collaboratesWith", "partOf", "hasFocusArea",
                              "locatedIn"}  # the ontology's relations the network view draws
    query = urllib.parse.urlencode({"iri": TIBETAN_MEDICINE_BASE, "hops": 1, "relation": "partOf"})
    status, _, body = fetch(f"{demo_service}/api/network?{query}")
    assert status == 200
    answer = json.loads(body)
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Network")
    assert set(openapi["components"]["schemas"]["Network"]["required"]) <= set(answer)
    assert answer["relations"] == ["partOf"] and answer["node_count"] > 1  # the base and its projects


def test_openapi_offers_the_network_formats_only_for_networks(openapi: dict[str, Any]) -> None:
    for name, header in HEADERS.items():
        operation = openapi["paths"][f"/api/queries/{name}"]["get"]
        formats = next(p for p in operation["parameters"] if p["name"] == "format")["schema"]["enum"]
        media_types = set(operation["responses"]["200"]["content"])
        assert {"json", "csv", "tsv", "sparql-json", "xml"} <= set(formats)
        assert {"application/json", "text/csv", "text/tab-separated-values", "application/sparql-results+json",
                "application/sparql-results+xml"} <= media_types
        if header.get("network"):
            assert {"graphml", "gexf", "edges"} <= set(formats)
            assert {"application/graphml+xml", "application/gexf+xml"} <= media_types
        else:
            assert not {"graphml", "gexf", "edges"} & set(formats)
            assert not {"application/graphml+xml", "application/gexf+xml"} & media_types
        assert {"200", "400", "406"} <= set(operation["responses"])


def described(openapi: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with a reference to #/components/schemas/… replaced by what it refers to."""
    if "$ref" in schema:
        return openapi["components"]["schemas"][schema["$ref"].removeprefix("#/components/schemas/")]
    return schema


def parameter_described(openapi: dict[str, Any], name: str, parameter: str) -> dict[str, Any]:
    operation = openapi["paths"][f"/api/queries/{name}"]["get"]
    return next(p for p in operation["parameters"] if p["name"] == parameter)


def test_every_format_the_description_offers_is_answered_as_described(demo_service: str,
                                                                      openapi: dict[str, Any]) -> None:
    """Each format= value of each query is a 200 of a media type the description lists, and a JSON body
    (plain or SPARQL JSON) fits the schema the description gives for that media type."""
    departures = []
    for name in HEADERS:
        content = openapi["paths"][f"/api/queries/{name}"]["get"]["responses"]["200"]["content"]
        for alias in parameter_described(openapi, name, "format")["schema"]["enum"]:
            status, headers, body = ask(demo_service, name, {**required_params(name), "format": alias})
            assert status == 200, (name, alias, body)
            media_type = headers.get_content_type()
            assert media_type in content, (name, alias, media_type)
            if media_type == "application/json" or media_type.endswith("+json"):
                validator = Draft202012Validator(described(openapi, content[media_type]["schema"]))
                if not validator.is_valid(json.loads(body)):
                    departures.append(f"{name} format={alias} ({media_type})")
    assert not departures, "bodies that do not fit the schema the description gives them:\n" + "\n".join(departures)


def test_a_required_parameter_is_not_described_as_admitting_an_empty_value(demo_service: str,
                                                                          openapi: dict[str, Any]) -> None:
    """An empty value for a required parameter is refused as missing, so the description must not admit it."""
    for name in HEADERS:
        for declared in (p for p in params_of(name) if p.get("required")):
            others = {k: v for k, v in required_params(name).items() if k != declared["name"]}
            assert_parameter_error(*ask(demo_service, name, {**others, declared["name"]: ""}), declared["name"])
            schema = parameter_described(openapi, name, declared["name"])["schema"]
            assert not Draft202012Validator(schema).is_valid(""), (
                f"{name}: the description admits an empty {declared['name']!r} (no minLength), "
                "which the API refuses as missing")


def test_an_empty_value_is_refused_or_described_as_allowed(demo_service: str, openapi: dict[str, Any]) -> None:
    """`key=` (as an HTML form sends an empty field) is either a 400 naming the parameter, or the description
    says an empty value is allowed (allowEmptyValue, or a schema the empty string fits)."""
    undescribed = []
    for name in HEADERS:
        for parameter in [*(p["name"] for p in params_of(name) if not p.get("required")), "format"]:
            status, headers, body = ask(demo_service, name, {**required_params(name), parameter: ""})
            if status != 200:
                assert_parameter_error(status, headers, body, parameter)
                continue
            entry = parameter_described(openapi, name, parameter)
            if not (entry.get("allowEmptyValue") or Draft202012Validator(entry["schema"]).is_valid("")):
                undescribed.append(f"{name}?{parameter}=")
    assert not undescribed, ("empty values answered with 200 although the description does not allow them:\n"
                             + "\n".join(undescribed))


def test_every_integer_the_description_admits_is_accepted(demo_service: str, openapi: dict[str, Any]) -> None:
    """The smallest and the largest integer the description admits for each integer parameter (10^19 where it
    sets no maximum) are answered, not refused as `not an integer`."""
    refused = []
    for name in HEADERS:
        for declared in (p for p in params_of(name) if p["type"] == "integer"):
            schema = parameter_described(openapi, name, declared["name"])["schema"]
            for value in (schema.get("minimum", -(10 ** 19)), schema.get("maximum", 10 ** 19)):
                status, _, body = ask(demo_service, name, {**required_params(name), declared["name"]: str(value)})
                if status != 200:
                    refused.append(f"{name}?{declared['name']}={value}: {json.loads(body)['message']}")
    assert not refused, "integers the description admits but the API refuses:\n" + "\n".join(refused)


# ------------------------------------------------------------------------------------------------------------------
# Property-based: schemathesis runs every operation of the description
# ------------------------------------------------------------------------------------------------------------------


OPERATIONS = ["/api/queries", "/api/network", *(f"/api/queries/{name}" for name in HEADERS)]
WITH_PARAMETERS = ["/api/network", *(f"/api/queries/{name}" for name in HEADERS)]  # every query has `format`
FUZZ = hypothesis.settings(max_examples=25, deadline=None, database=None, derandomize=True,
                           suppress_health_check=list(hypothesis.HealthCheck))

SOME_ENTERPRISE = sorted(o.name_en for o in PORTFOLIO.csv_organisations if o.type == "enterprise")[0]
KNOWN_INSTANCES = {"component": "B3", "focus_area": "F04", "kind": "ig:ResearchBase", "base": "B2",
                   "organisation": SOME_ORGANISATION, "enterprise": SOME_ENTERPRISE, "iri": TIBETAN_MEDICINE_BASE}
"""A value naming an instance of the right class for each IRI parameter. The description can only say that an
IRI parameter is a string, and text that names nothing is a documented 400, so when schemathesis checks that
valid requests are accepted these parameters get a real instance and the rest is generated."""


@pytest.fixture(scope="module")
def api_schema(demo_service: str) -> Any:
    """The description as schemathesis reads it from the live server, whose URL it gives as the server."""
    return schemathesis.openapi.from_url(f"{demo_service}/api/openapi.json")


# schemathesis.pytest.from_fixture() fails under pytest 9 (it sets Function._nodeid, which pytest 9 no longer
# has), so each operation has tests of its own in which hypothesis draws from schemathesis' strategies.
RUNS = [pytest.param(path, GenerationMode.POSITIVE, id=f"{path}-valid") for path in OPERATIONS] + [
    pytest.param(path, GenerationMode.NEGATIVE, id=f"{path}-invalid") for path in WITH_PARAMETERS]


@pytest.mark.parametrize(("path", "mode"), RUNS)
def test_schemathesis_finds_no_server_error(api_schema: Any, path: str, mode: GenerationMode) -> None:
    """Any request, valid or not and with any text for an IRI, is answered without a 5xx."""
    operation = api_schema[path]["GET"]

    @FUZZ
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def call(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=[not_a_server_error])

    call()


@pytest.mark.parametrize(("path", "mode"), RUNS)
def test_schemathesis_finds_the_api_as_described(api_schema: Any, path: str, mode: GenerationMode) -> None:
    """Every default check of schemathesis: status codes, content types and bodies as described, valid requests
    accepted and invalid ones refused."""
    operation = api_schema[path]["GET"]
    pinned = {}
    if mode is GenerationMode.POSITIVE:
        pinned = {p.name: KNOWN_INSTANCES[p.name] for p in operation.query if p.name in KNOWN_INSTANCES}

    @FUZZ
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode, query=pinned or None))
    def call(case: schemathesis.Case) -> None:
        case.call_and_validate()

    call()
