"""Parameters of named queries are values bound through a VALUES block, never text pasted into a query.

An IRI parameter takes an IRI of its declared class (or that resource's code or label), a string is a
literal, numbers are typed and range-checked. Every parameter of the real library is given hostile
values: each is either refused with a ParameterError (status 400) whose message names the parameter,
or means exactly what a well-formed value would mean; and the store never changes.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rdflib import Literal, URIRef, Variable
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from innograph.config import Settings
from innograph.namespaces import IG, PREFIXES
from innograph.queries.catalogue import NamedQuery, Parameter, load_library, parse_query
from innograph.queries.commands import store_engine
from innograph.queries.parameters import ParameterError
from innograph.queries.running import Engine, PreparedQuery, prepare, run, run_plain
from innograph.store import Store, open_store
from innograph.store.rdfio import syntax_for

pytestmark = pytest.mark.backends

LIBRARY = load_library()
SPARQL_PREFIXES = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())

# Values that are not a value of any parameter type: each must be refused, whatever the parameter.
HOSTILE = [
    '"} ; DROP ALL #',
    "> } INSERT DATA { <a> <b> <c> } #",
    '\\" UNION { ?s ?p ?o } #',
    "') } ; CLEAR DEFAULT ; #",
    ") } VALUES ?organisation { <https://w3id.org/innograph/id/organization/x> } #",
    "B3\n} ; DROP ALL",
    "B3\r\nDELETE WHERE { ?s ?p ?o }",
    "\u2028} ; DROP ALL #",
    "藏医药\"} ; 删除 #",
    "a" * 1001,
    "B3\x00",
    "1\x00",
    "<https://w3id.org/innograph/id/organization/...> .",
    "https://w3id.org/innograph/def/Action>} ; DROP ALL #",
    "?s ?p ?o",
    "*",
    "   ",
]
# Values aimed at one type; some (" 3 ") may be read as the number they spell, or refused.
TYPED_HOSTILE = {
    "integer": ["1; DROP", "1e3", "-1", "99999999999999999999", "0x10", " 3 ", "+3", "3\n", "3.0", "٣", "３",
                "1 2", "NaN", "3 } ; DROP ALL #"],
    "year": ["20x4", "12345", "２０２４", "2024.0", "-2024", "99", "2024-01-01", " 2022 ", "0x7E8", "2022 #"],
    "string": ["Projects", " funding", "projects\"", "projects } ; DROP ALL #", "funding\n"],
    "iri": ["B3 } ; DROP ALL #", "ig:", "<>", "<ig:Action> } #", "javascript:alert(1)"],
}
STRICT_NUMBER = {"integer": re.compile(r"[+-]?[0-9]+"), "year": re.compile(r"[0-9]{4}")}


def short(value: str) -> str:
    return value.encode("unicode_escape").decode("ascii")[:32]


def hostile_cases() -> Iterator[Any]:
    for query in LIBRARY.values():
        for parameter in query.parameters:
            for value in HOSTILE + TYPED_HOSTILE.get(parameter.type, []):
                yield pytest.param(query.name, parameter.name, value,
                                   id=f"{query.name}.{parameter.name}={short(value)}")


def meaning(parameter: Parameter, value: str) -> str | None:
    """What `value` means for `parameter` by its declared type and range, or None if it is not a value of it.

    Numbers are ASCII digits around which blanks are forgiven; a string with choices is one of them. No
    hostile value names a resource, so for an IRI parameter there is no meaning.
    """
    text = value.strip()
    if parameter.type in STRICT_NUMBER:
        if not STRICT_NUMBER[parameter.type].fullmatch(text):
            return None
        number = int(text)
        if parameter.minimum is not None and number < parameter.minimum:
            return None
        if parameter.maximum is not None and number > parameter.maximum:
            return None
        return str(number)
    if parameter.choices:
        return text if text in parameter.choices else None
    return None


def assert_refused(error: ParameterError, name: str) -> None:
    assert error.status == 400
    assert error.parameter == name
    assert error.message.startswith(f"parameter '{name}'"), error.message
    assert "\n" not in error.message and "\r" not in error.message, "the message is one line"


def refusal(query: NamedQuery, given: dict[str, str], engine: Engine, name: str) -> ParameterError:
    with pytest.raises(ParameterError) as caught:
        prepare(query, given, engine)
    assert_refused(caught.value, name)
    return caught.value


def rows_of(query_name: str, given: dict[str, str], engine: Engine) -> list[dict[str, Any]]:
    return run_plain(prepare(LIBRARY[query_name], given, engine), engine)[1]


def as_multiset(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(row, sort_keys=True, ensure_ascii=False) for row in rows)


def one(store: Store, sparql: str) -> URIRef:
    """The first resource a query of the store finds, so tests name data by what it is, not by copied IRIs."""
    rows = store.query(SPARQL_PREFIXES + sparql).rows
    assert rows, f"the demo store has nothing for {sparql}"
    value = rows[0][0]
    assert isinstance(value, URIRef)
    return value


@pytest.fixture(scope="module")
def store(demo_settings: Settings) -> Store:
    return open_store(demo_settings.store)


@pytest.fixture(scope="module")
def engine(demo_settings: Settings) -> Engine:
    return store_engine(demo_settings)


@pytest.fixture(scope="module")
def companions(store: Store) -> Callable[[NamedQuery, str | None], dict[str, str]]:
    """Valid values for a query's required parameters other than the one under test."""

    def values(query: NamedQuery, besides: str | None = None) -> dict[str, str]:
        given = {}
        for p in query.parameters:
            if p.required and p.name != besides:
                assert p.type == "iri", "the library's required parameters are IRIs; add a value for the new type"
                given[p.name] = str(one(store, f"SELECT ?x WHERE {{ ?x a <{p.class_iri}> }} ORDER BY ?x LIMIT 1"))
        return given

    return values


# --- hostile values -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "parameter", "value"), list(hostile_cases()))
def test_a_hostile_value_is_refused_naming_its_parameter_or_means_only_the_value_it_spells(
        name: str, parameter: str, value: str, engine: Engine, companions: Callable[..., dict[str, str]]) -> None:
    query = LIBRARY[name]
    given = {**companions(query, parameter), parameter: value}
    meant = meaning(query.parameter(parameter), value)
    try:
        prepared = prepare(query, given, engine)
    except ParameterError as error:
        assert_refused(error, parameter)
        return
    assert meant is not None, f"{value!r} is no value of {parameter}, yet it was accepted"
    plain = prepare(query, {**given, parameter: meant}, engine)
    assert (prepared.sparql, prepared.values) == (plain.sparql, plain.values)


# Values that rdflib's checks let through but no RDF store can hold: IRIs with control characters, a bad
# percent-escape, a broken host or a newline inside <...>, and text with a lone surrogate (what Python makes
# of bytes that are not UTF-8 on a command line). They must be refused like any other bad value.
VALUES_NO_STORE_HOLDS = [
    ("projects", "component", "<https://w3id.org/innograph/id/programme/5568/base/x\n>"),
    ("organisations-at-base", "base", "https://w3id.org/innograph/id/x\x01"),
    ("collaboration-hops", "organisation", "https://w3id.org/innograph/id/organization/%zz"),
    ("enterprise-partners", "enterprise", "http://[::1"),
    ("funding-by-year", "kind", "ig:Action\x07"),
    ("projects", "focus_area", "<ig:FocusArea\x7f>"),
    ("projects", "component", "B3\udcff"),
]


@pytest.mark.parametrize(("name", "parameter", "value"), VALUES_NO_STORE_HOLDS,
                         ids=[f"{n}.{p}={short(v)}" for n, p, v in VALUES_NO_STORE_HOLDS])
def test_a_value_no_store_can_hold_is_refused_naming_its_parameter(
        name: str, parameter: str, value: str, engine: Engine) -> None:
    refusal(LIBRARY[name], {parameter: value}, engine, parameter)


def test_the_store_is_byte_identical_after_every_hostile_value(store: Store, engine: Engine,
                                                                companions: Callable[..., dict[str, str]]) -> None:
    generation, before = store.current_generation(), store.dump(syntax_for("nquads"))
    assert before, "the demo store holds data"
    cases = [tuple(case.values) for case in hostile_cases()] + VALUES_NO_STORE_HOLDS
    ran = 0
    for name, parameter, value in cases:
        query = LIBRARY[name]
        # Whatever each value does (the tests above judge that), the store must not change.
        with contextlib.suppress(Exception):
            run(prepare(query, {**companions(query, parameter), parameter: value}, engine), engine)
            ran += 1
    assert ran > 0, "some values spelled a valid number and were run"
    assert store.current_generation() == generation
    assert store.dump(syntax_for("nquads")) == before


# --- bound, never pasted --------------------------------------------------------------------------------------

FREE_TEXT_QUERY = """\
#+ title: {en: "Resources with a label", zh: "具有某名称的资源"}
#+ description: {en: "Every resource whose label is the text given", zh: "名称为给定文本的资源"}
#+ question: {en: "What is called this?", zh: "什么叫这个名字？"}
#+ params:
#+   - name: text
#+     type: string
#+     required: true
#+     description: {en: "A label", zh: "名称"}
#+ columns: [resource]
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?resource WHERE { ?resource rdfs:label ?label FILTER(STR(?label) = ?text) } ORDER BY ?resource
"""
REACHES_THE_QUERY = [v for v in HOSTILE + TYPED_HOSTILE["string"] if "\x00" not in v and len(v) <= 1000]


def shape(node: Any, value: str) -> Any:
    """The parsed query's algebra with the literal `value` replaced by a placeholder, comparable with ==."""
    if isinstance(node, Literal) and node.datatype is None and not node.language and str(node) == value:
        return "<the value>"
    if isinstance(node, CompValue):
        return (node.name, tuple((key, shape(item, value)) for key, item in node.items()))
    if isinstance(node, dict):
        return tuple((shape(key, value), shape(item, value)) for key, item in node.items())
    if isinstance(node, list | tuple):
        return tuple(shape(item, value) for item in node)
    if isinstance(node, set | frozenset):
        return frozenset(shape(item, value) for item in node)
    return node


def literals(node: Any) -> Iterator[Literal]:
    if isinstance(node, Literal):
        yield node
    elif isinstance(node, dict):
        for key, item in node.items():
            yield from literals(key)
            yield from literals(item)
    elif isinstance(node, list | tuple | set | frozenset):
        for item in node:
            yield from literals(item)


def assert_bound_as_one_literal(sparql: str, benign_sparql: str, value: str, benign: str) -> None:
    """`sparql` is one valid query, shaped as the benign one, holding `value` as exactly one plain literal."""
    algebra = prepareQuery(sparql).algebra
    assert shape(algebra, value) == shape(prepareQuery(benign_sparql).algebra, benign)
    assert [str(term) for term in literals(algebra)].count(value) == 1


@pytest.mark.parametrize("value", REACHES_THE_QUERY, ids=[short(v) for v in REACHES_THE_QUERY])
def test_a_string_parameter_reaches_the_query_as_one_escaped_literal_in_the_values_block(
        value: str, engine: Engine) -> None:
    query = parse_query("labelled", FREE_TEXT_QUERY)
    prepared = prepare(query, {"text": value}, engine)
    benign = prepare(query, {"text": "benign"}, engine)
    assert_bound_as_one_literal(prepared.sparql, benign.sparql, value, "benign")
    blocks = [node["res"] for node in walk(prepareQuery(prepared.sparql).algebra)
              if isinstance(node, CompValue) and node.name == "values"]
    assert blocks == [[{Variable("text"): Literal(value)}]], "the value is the one row of the one VALUES block"
    assert run_plain(prepared, engine)[1] == [], "no label is the hostile text, so nothing matches"


def test_a_free_string_parameter_still_finds_what_it_names(store: Store, engine: Engine) -> None:
    base = one(store, 'SELECT ?x WHERE { ?x a ig:ResearchBase ; ig:code "B3" }')
    label = next(row[0] for row in store.query(f"SELECT ?l WHERE {{ <{base}> <{PREFIXES['rdfs']}label> ?l }}").rows)
    found = run_plain(prepare(parse_query("labelled", FREE_TEXT_QUERY), {"text": str(label)}, engine), engine)[1]
    assert {"resource": str(base)} in found


def recording(engine: Engine, sent: list[str]) -> Engine:
    def answer(sparql: str, media_type: str) -> bytes:
        sent.append(sparql)
        return engine(sparql, media_type)

    return answer


IRI_PARAMETERS = [(q.name, p.name) for q in LIBRARY.values() for p in q.parameters if p.type == "iri"]
IRI_HOSTILE = ['"} ; DROP ALL #', "> } INSERT DATA { <a> <b> <c> } #", '\\" UNION { ?s ?p ?o } #\r\n']


@pytest.mark.parametrize(("name", "parameter"), IRI_PARAMETERS, ids=[f"{n}.{p}" for n, p in IRI_PARAMETERS])
@pytest.mark.parametrize("value", IRI_HOSTILE, ids=[short(v) for v in IRI_HOSTILE])
def test_text_given_for_an_iri_is_looked_up_as_one_literal_and_refused(
        name: str, parameter: str, value: str, engine: Engine, companions: Callable[..., dict[str, str]]) -> None:
    query = LIBRARY[name]
    given = companions(query, parameter)
    sent: list[str] = []
    error = refusal(query, {**given, parameter: value}, recording(engine, sent), parameter)
    assert error.message.startswith(f"parameter '{parameter}': no "), error.message
    benign: list[str] = []
    with pytest.raises(ParameterError):
        prepare(query, {**given, parameter: "no such thing"}, recording(engine, benign))
    lookup, benign_lookup = looking_up(sent, value), looking_up(benign, "no such thing")
    assert_bound_as_one_literal(lookup, benign_lookup, value, "no such thing")


def looking_up(sent: list[str], value: str) -> str:
    """The one query among those sent to the store that holds `value`; every one of them is valid SPARQL."""
    holding = [text for text in sent if value in {str(term) for term in literals(prepareQuery(text).algebra)}]
    assert len(holding) == 1, "the text was sent to the store once, to look it up"
    return holding[0]


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_every_prepared_query_is_one_valid_sparql_query(name: str, engine: Engine,
                                                        companions: Callable[..., dict[str, str]]) -> None:
    query = LIBRARY[name]
    prepared = prepare(query, companions(query), engine)
    parsed = prepareQuery(prepared.sparql)
    assert parsed.algebra.name == "SelectQuery"


# --- IRI parameters -------------------------------------------------------------------------------------------

# (query, parameter, a pattern finding the resource to name): codes from the programme, the rest from the data.
IRI_NAMING = [
    ("projects", "component", '?x a ig:ProgrammeComponent ; ig:code "B3"'),
    ("organisations-at-base", "base", '?x a ig:ResearchBase ; ig:code "B2"'),
    ("projects", "focus_area", '?x a ig:FocusArea ; ig:code "F04"'),
    ("collaboration-hops", "organisation", "?x a ig:University ; ig:unifiedSocialCreditCode ?code"),
    ("enterprise-partners", "enterprise", "?x a ig:Enterprise ; ig:unifiedSocialCreditCode ?code"),
    ("funding-by-year", "kind", "VALUES ?x { ig:ResearchBase }"),
]


def names_of(store: Store, resource: URIRef) -> list[str]:
    """Every way an analyst may name `resource`: IRI, <IRI>, prefixed name, codes and labels, in any case."""
    rows = store.query(SPARQL_PREFIXES + f"SELECT ?name WHERE {{ {{ <{resource}> ig:code ?name }} "
                       f"UNION {{ <{resource}> ig:unifiedSocialCreditCode ?name }} "
                       f"UNION {{ <{resource}> rdfs:label ?name }} }}").rows
    words = [str(row[0]) for row in rows]
    assert len(words) >= 2, f"{resource} has a code or labels to be named by"
    prefixed = [f"{prefix}:{resource[len(ns):]}" for prefix, ns in PREFIXES.items() if resource.startswith(ns)]
    return [str(resource), f"<{resource}>", f"  <{resource}> ", *prefixed,
            *words, *(w.lower() for w in words), *(w.upper() for w in words)]


@pytest.mark.parametrize(("name", "parameter", "pattern"), IRI_NAMING, ids=[f"{n}.{p}" for n, p, _ in IRI_NAMING])
def test_an_iri_parameter_accepts_the_iri_a_prefixed_name_a_code_or_a_label_in_any_case(
        name: str, parameter: str, pattern: str, store: Store, engine: Engine,
        companions: Callable[..., dict[str, str]]) -> None:
    query = LIBRARY[name]
    resource = one(store, f"SELECT ?x WHERE {{ {pattern} }} ORDER BY ?x LIMIT 1")
    given = companions(query, parameter)
    by_iri = prepare(query, {**given, parameter: str(resource)}, engine)
    assert by_iri.values[parameter] == str(resource)
    for form in names_of(store, resource):
        prepared = prepare(query, {**given, parameter: form}, engine)
        assert prepared.values[parameter] == str(resource), form
        assert prepared.sparql == by_iri.sparql, form


def test_an_iri_parameter_accepts_a_chinese_label(store: Store, engine: Engine) -> None:
    base = one(store, 'SELECT ?x WHERE { ?x a ig:ResearchBase ; ig:code "B3" }')
    chinese = [str(row[0]) for row in store.query(
        SPARQL_PREFIXES + f'SELECT ?l WHERE {{ <{base}> rdfs:label ?l FILTER(LANG(?l) = "zh") }}').rows]
    assert len(chinese) == 1 and re.search(r"[\u4e00-\u9fff]", chinese[0])
    assert prepare(LIBRARY["projects"], {"component": chinese[0]}, engine).values["component"] == str(base)
    assert prepare(LIBRARY["organisations-at-base"], {"base": chinese[0]}, engine).values["base"] == str(base)


@pytest.mark.parametrize(("name", "parameter"), IRI_PARAMETERS, ids=[f"{n}.{p}" for n, p in IRI_PARAMETERS])
def test_an_iri_of_the_wrong_class_is_refused_naming_the_parameter(
        name: str, parameter: str, store: Store, engine: Engine, companions: Callable[..., dict[str, str]]) -> None:
    project = one(store, "SELECT ?x WHERE { ?x a ig:Project } ORDER BY ?x LIMIT 1")
    code = next(str(row[0]) for row in store.query(f"SELECT ?c WHERE {{ <{project}> <{IG.code}> ?c }}").rows)
    query = LIBRARY[name]
    given = companions(query, parameter)
    for wrong in (str(project), f"<{project}>", code):
        error = refusal(query, {**given, parameter: wrong}, engine, parameter)
        assert ("is not a" in error.message) == (wrong != code), error.message


def test_a_component_of_another_kind_is_not_a_research_base(store: Store, engine: Engine) -> None:
    action = one(store, "SELECT ?x WHERE { ?x a ig:Action ; ig:code ?c } ORDER BY ?c LIMIT 1")
    error = refusal(LIBRARY["organisations-at-base"], {"base": str(action)}, engine, "base")
    assert "ig:ResearchBase" in error.message


# --- names, required values, defaults, ranges, limits -------------------------------------------------------


@pytest.mark.parametrize(("name", "given", "unknown"), [
    ("components", {"component": "B3"}, "component"),
    ("projects", {"compnent": "B3"}, "compnent"),
    ("projects", {"component": "B3", "x } ; DROP ALL #": "1"}, "x } ; DROP ALL #"),
    ("newest-projects", {"LIMIT": "3"}, "LIMIT"),
])
def test_an_unknown_parameter_is_refused_by_its_name(name: str, given: dict[str, str], unknown: str,
                                                     engine: Engine) -> None:
    error = refusal(LIBRARY[name], given, engine, unknown)
    assert "no such parameter" in error.message


REQUIRED = [(q.name, p.name) for q in LIBRARY.values() for p in q.parameters if p.required]


@pytest.mark.parametrize(("name", "parameter"), REQUIRED, ids=[f"{n}.{p}" for n, p in REQUIRED])
def test_a_missing_required_parameter_is_refused(name: str, parameter: str, engine: Engine) -> None:
    assert "required" in refusal(LIBRARY[name], {}, engine, parameter).message
    assert "required" in refusal(LIBRARY[name], {parameter: ""}, engine, parameter).message


DEFAULTED = [(q.name, p.name) for q in LIBRARY.values() for p in q.parameters if p.default is not None]


@pytest.mark.parametrize(("name", "parameter"), DEFAULTED, ids=[f"{n}.{p}" for n, p in DEFAULTED])
def test_a_parameter_left_out_takes_the_default_of_its_header(
        name: str, parameter: str, engine: Engine, companions: Callable[..., dict[str, str]]) -> None:
    query = LIBRARY[name]
    default = query.parameter(parameter).default
    given = companions(query)
    implicit = prepare(query, given, engine)
    explicit = prepare(query, {**given, parameter: default}, engine)
    empty = prepare(query, {**given, parameter: ""}, engine)
    assert implicit.values[parameter] == default
    assert implicit.sparql == explicit.sparql == empty.sparql


def test_an_optional_parameter_without_default_leaves_its_filter_off(engine: Engine) -> None:
    prepared = prepare(LIBRARY["projects"], {}, engine)
    assert prepared.values == {}
    rows = run_plain(prepared, engine)[1]
    assert len({row["component_code"] for row in rows}) > 1
    assert len({row["start_year"] for row in rows}) > 1


RANGED = [(q.name, p.name) for q in LIBRARY.values() for p in q.parameters
          if p.minimum is not None or p.maximum is not None]


@pytest.mark.parametrize(("name", "parameter"), RANGED, ids=[f"{n}.{p}" for n, p in RANGED])
def test_minimum_and_maximum_are_enforced_and_inclusive(
        name: str, parameter: str, engine: Engine, companions: Callable[..., dict[str, str]]) -> None:
    query = LIBRARY[name]
    declared = query.parameter(parameter)
    assert declared is not None
    given = companions(query)
    if declared.minimum is not None:
        assert prepare(query, {**given, parameter: str(declared.minimum)}, engine).values[parameter] == str(
            declared.minimum)
        error = refusal(query, {**given, parameter: str(declared.minimum - 1)}, engine, parameter)
        assert "minimum" in error.message and str(declared.minimum) in error.message
    if declared.maximum is not None:
        assert prepare(query, {**given, parameter: str(declared.maximum)}, engine).values[parameter] == str(
            declared.maximum)
        error = refusal(query, {**given, parameter: str(declared.maximum + 1)}, engine, parameter)
        assert "maximum" in error.message and str(declared.maximum) in error.message


LIMITS = [(q.name, p.name) for q in LIBRARY.values() for p in q.parameters if p.is_limit]


@pytest.mark.parametrize(("name", "parameter"), LIMITS, ids=[f"{n}.{p}" for n, p in LIMITS])
def test_a_limit_parameter_limits_the_rows(name: str, parameter: str, engine: Engine) -> None:
    query = LIBRARY[name]
    everything = rows_of(name, {parameter: str(query.parameter(parameter).maximum)}, engine)
    assert len(everything) > 3, "the demo data has more rows than the small limit"
    first = rows_of(name, {parameter: "3"}, engine)
    assert first == everything[:3]
    assert len(rows_of(name, {parameter: "1"}, engine)) == 1


def test_a_limit_is_the_query_s_own_limit_not_a_variable(engine: Engine) -> None:
    prepared = prepare(LIBRARY["newest-projects"], {"limit": "+7"}, engine)
    algebra = prepareQuery(prepared.sparql).algebra
    slices = [node for node in walk(algebra) if isinstance(node, CompValue) and node.name == "Slice"]
    assert [s.get("length") for s in slices] == [7]
    assert prepared.values == {"limit": "7"}


def walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for item in node.values():
            yield from walk(item)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from walk(item)


# --- the values mean what they say ----------------------------------------------------------------------------


def test_a_component_filters_the_projects_to_that_component(engine: Engine) -> None:
    everything = rows_of("projects", {}, engine)
    b3 = rows_of("projects", {"component": "b3"}, engine)
    assert b3, "research base B3 has projects in the demo data"
    assert {row["code"] for row in b3} == {row["code"] for row in everything if row["component_code"] == "B3"}


def test_years_filter_the_projects_inclusively(engine: Engine) -> None:
    everything = rows_of("projects", {}, engine)
    within = rows_of("projects", {"from_year": "2022", "to_year": "2023"}, engine)
    assert within
    assert as_multiset(within) == as_multiset([r for r in everything if 2022 <= r["start_year"] <= 2023])


def test_year_and_kind_filter_the_funding(engine: Engine) -> None:
    everything = rows_of("funding-by-year", {}, engine)
    assert rows_of("funding-by-year", {"year": "2022"}, engine) == [r for r in everything if r["year"] == 2022]
    bases = rows_of("funding-by-year", {"kind": "ig:ResearchBase"}, engine)
    assert bases == [r for r in everything if r["kind"] == str(IG.ResearchBase)]
    assert bases and len(bases) < len(everything)


def test_a_class_no_component_has_gives_an_empty_answer_not_an_error(engine: Engine) -> None:
    assert rows_of("funding-by-year", {"kind": "ig:Project"}, engine) == []


def test_a_minimum_of_shared_projects_filters_the_pairs(engine: Engine) -> None:
    everything = rows_of("collaboration-network", {}, engine)
    at_least_two = rows_of("collaboration-network", {"min_shared": "2"}, engine)
    assert at_least_two and len(at_least_two) < len(everything)
    assert as_multiset(at_least_two) == as_multiset([r for r in everything if r["shared_projects"] >= 2])
    assert rows_of("collaboration-network", {"min_shared": "999999999999999999"}, engine) == []


@pytest.mark.parametrize(("order_by", "column"), [("projects", "projects_led"), ("funding", "funding_received")])
def test_order_by_ranks_the_organisations_by_its_choice(order_by: str, column: str, engine: Engine) -> None:
    rows = rows_of("leading-organisations", {"order_by": order_by, "limit": "10000"}, engine)
    ranks = [row[column] for row in rows]
    assert ranks == sorted(ranks, reverse=True)
    assert len(set(ranks)) > 1


def test_hops_widen_the_neighbourhood(store: Store, engine: Engine) -> None:
    organisation = one(store, "SELECT ?x WHERE { ?x ig:collaboratesWith ?y } ORDER BY ?x LIMIT 1")
    direct = rows_of("collaboration-hops", {"organisation": str(organisation), "hops": "1"}, engine)
    partners = {str(row[0]) for row in store.query(
        SPARQL_PREFIXES + f"SELECT DISTINCT ?y WHERE {{ <{organisation}> ig:collaboratesWith ?y "
                          f"FILTER(?y != <{organisation}>) }}").rows}
    assert {row["reached"] for row in direct} == partners
    assert {row["distance"] for row in direct} == {1}
    two = rows_of("collaboration-hops", {"organisation": str(organisation), "hops": "2"}, engine)
    assert partners <= {row["reached"] for row in two}
    assert max(row["distance"] for row in two) <= 2


# --- every query of the library -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_every_query_runs_with_its_defaults_and_answers_the_columns_of_its_header(
        name: str, engine: Engine, companions: Callable[..., dict[str, str]]) -> None:
    query = LIBRARY[name]
    assert query.columns, f"queries/{name}.rq declares its columns"
    prepared: PreparedQuery = prepare(query, companions(query), engine)
    result = run(prepared, engine)
    assert result.kind == "select"
    assert result.variables == list(query.columns)
