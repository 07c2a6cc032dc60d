"""Any text given for a named query's parameter is bound or refused, never a crash: property-based tests.

For every parameter of every query in the library, hypothesis gives arbitrary text: any Unicode,
lone surrogates (what Python makes of command-line bytes that are not UTF-8), control characters,
digits of other scripts, and the codes, labels, identifiers, IRIs and prefixed names of the demo
data with stray blanks, brackets and quotes around them. `prepare` either returns a prepared query
that rdflib's SPARQL parser reads and the store runs, or raises a ParameterError or QueryError with
status 400 whose one-line message starts with "parameter '<name>'"; nothing else. The demo store is
byte-identical afterwards. Over HTTP, `/api/queries/NAME` given such values (and raw bytes that are
not UTF-8 in the URL) never answers with a 5xx, and every 4xx is the service's JSON error.
"""

from __future__ import annotations

import csv
import http.client
import json
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rdflib.plugins.sparql import prepareQuery

from innograph.cli import main
from innograph.config import Settings
from innograph.errors import QueryError
from innograph.namespaces import PREFIXES
from innograph.queries.catalogue import RESERVED_NAMES, NamedQuery, load_library
from innograph.queries.commands import store_engine
from innograph.queries.running import Engine, prepare, run
from innograph.store import Store, open_store
from innograph.store.rdfio import syntax_for

LIBRARY = load_library()
PARAMETERS = [(q.name, p.name) for q in LIBRARY.values() for p in q.parameters]
FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])
DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"


def demo_names() -> list[str]:
    """Identifiers, names and codes of the demo portfolio: values that resolve, or nearly do."""
    names = set()
    for table, columns in (("organisations", ("id", "name_en", "name_zh")), ("projects", ("code", "title_en"))):
        with open(DEMO / f"{table}.csv", encoding="utf-8", newline="") as handle:
            for row in list(csv.DictReader(handle))[:5]:
                names.update(row[c] for c in columns if row[c])
    return sorted(names)


KNOWN = [
    *demo_names(), "B1", "B3", "b3", "B9", "A1", "F03", "F99", "Tibetan medicine", "藏医药", "ecological protection",
    *(f"{prefix}:{local}" for prefix in ("ig", "owl", "rdfs", "xsd", "nope") for local in
      ("ResearchBase", "Action", "Class", "Project", "label", "")),
    f"{PREFIXES['ig']}ResearchBase", f"<{PREFIXES['ig']}ProgrammeComponent>", "https://w3id.org/innograph/id/",
    "http://example.org/x", "urn:x", "mailto:a@b", "javascript:alert(1)", "file:///etc/passwd", "<>", "ig:", ":",
    "projects", "funding", "PROJECTS", "0", "1", "2", "4", "5", "10000", "10001", "-1", "+3", "2022", "1999", "0999",
    "12345", "1e3", "3.0", "٣", "３", "２０２４", "NaN", "Infinity", "0x10", "9" * 19, "9" * 5000,
]
DECORATIONS = ["", " ", "\t", "\n", "\r\n", "<", ">", '"', "'", "}", "{", "#", ";", "\x00", "\x07", "\u00a0", "\u200b",
               "\u2028", "\udcff", "\ud800", "%20", "\\", "^^"]
values = st.one_of(
    st.text(max_size=30),
    st.text(st.one_of(st.characters(), st.characters(categories=["Cs"]), st.sampled_from("<>\"{}|^`\\ \n")),
            max_size=12),
    st.binary(max_size=24).map(lambda data: data.decode("utf-8", "surrogateescape")),
    *[st.tuples(st.sampled_from(DECORATIONS), st.sampled_from(KNOWN), st.sampled_from(DECORATIONS)).map("".join),
      st.sampled_from(KNOWN)] * 2,  # twice as likely: these are the values that get past the first checks
    st.integers(-(10**20), 10**20).map(str),
    st.integers(900, 2200).map(str),
    st.decimals(allow_nan=True).map(str),
    st.text(min_size=995, max_size=1005, alphabet="a中"),
)


@pytest.fixture(scope="module")
def engine(demo_settings: Settings) -> Engine:
    return store_engine(demo_settings)


@pytest.fixture(scope="module")
def store(demo_settings: Settings) -> Store:
    return open_store(demo_settings.store)


@pytest.fixture(scope="module")
def before(store: Store) -> tuple[str | None, bytes]:
    """The demo store's generation and dump before any example."""
    return store.current_generation(), store.dump(syntax_for("nquads"))


@pytest.fixture(scope="module")
def companions(store: Store) -> Callable[[NamedQuery, str], dict[str, str]]:
    """Valid values of a query's required parameters other than the one under test."""

    def values_for(query: NamedQuery, besides: str) -> dict[str, str]:
        given = {}
        for p in query.parameters:
            if p.required and p.name != besides:
                assert p.type == "iri", "the library's required parameters are IRIs; add a value for the new type"
                rows = store.query(f"SELECT ?x WHERE {{ ?x a <{p.class_iri}> }} ORDER BY ?x LIMIT 1").rows
                given[p.name] = str(rows[0][0])
        return given

    return values_for


@pytest.fixture(scope="module")
def good_values(store: Store) -> dict[tuple[str, str], list[str]]:
    """For each parameter, values that fit it or nearly do: a few instances of its class by IRI, code and
    label; its default, choices and limits, and one past each limit."""
    found: dict[tuple[str, str], list[str]] = {}
    for query in LIBRARY.values():
        for p in query.parameters:
            good = [v for v in (p.default, *p.choices) if v is not None]
            for limit, step in ((p.minimum, -1), (p.maximum, 1)):
                good += [] if limit is None else [str(limit), str(limit + step)]
            if p.type == "iri":
                named = f"<{PREFIXES['ig']}code>|<{PREFIXES['rdfs']}label>"
                rows = store.query(f"SELECT ?x (SAMPLE(?name) AS ?n) WHERE {{ ?x a <{p.class_iri}> "
                                   f"OPTIONAL {{ ?x {named} ?name }} }} GROUP BY ?x ORDER BY ?x LIMIT 5").rows
                good += [text for x, name in rows for text in (str(x), f"<{x}>", str(name or x))]
            found[(query.name, p.name)] = good or ["1"]
    return found


CHECKED: set[str] = set()


def parses_and_runs(sparql: str, engine: Engine) -> None:
    """rdflib's parser reads the prepared text and the store answers it (each distinct text once)."""
    if sparql not in CHECKED:
        prepareQuery(sparql)
        engine(sparql, "application/sparql-results+json")
        CHECKED.add(sparql)


@pytest.mark.parametrize(("name", "parameter"), PARAMETERS, ids=[f"{n}.{p}" for n, p in PARAMETERS])
@FUZZ
@given(data=st.data())
def test_any_text_for_a_parameter_is_bound_into_a_valid_query_or_refused_naming_it(
        name: str, parameter: str, data: st.DataObject, engine: Engine, store: Store,
        before: tuple[str | None, bytes], good_values: dict[tuple[str, str], list[str]],
        companions: Callable[[NamedQuery, str], dict[str, str]]) -> None:
    query = LIBRARY[name]
    good = st.sampled_from(good_values[(name, parameter)])
    value = data.draw(st.one_of(values, good, st.tuples(st.sampled_from(DECORATIONS), good,
                                                        st.sampled_from(DECORATIONS)).map("".join)), label="value")
    try:
        prepared = prepare(query, {**companions(query, parameter), parameter: value}, engine)
    except QueryError as error:  # a ParameterError is a QueryError
        assert error.status == 400, error.to_dict()
        assert error.message.startswith(f"parameter '{parameter}'"), error.message
        assert "\n" not in error.message and "\r" not in error.message, error.message
        event("refused")
    else:
        parses_and_runs(prepared.sparql, engine)
        run(prepared, engine)
        event("bound")
    assert store.current_generation() == before[0]


@settings(FUZZ, max_examples=25)
@given(case=st.sampled_from(PARAMETERS), value=values)
def test_innograph_run_exits_0_or_1_and_never_shows_a_traceback(
        case: tuple[str, str], value: str, demo_settings: Settings,
        companions: Callable[[NamedQuery, str], dict[str, str]]) -> None:
    name, parameter = case
    others = [f"--param={key}={text}" for key, text in companions(LIBRARY[name], parameter).items()]
    result = CliRunner().invoke(main, ["--store", demo_settings.store, "run", name, *others,
                                       f"--param={parameter}={value}", "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        assert result.output.startswith(f"error: parameter '{parameter}'"), result.output
    event(f"exit {result.exit_code}")


# --- over HTTP ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def service(demo_service: str) -> str:
    return demo_service


def encoded(value: str | bytes) -> str:
    """A value as it goes in a URL: text as UTF-8 (lone surrogates as the bytes Python escaped them from)."""
    if isinstance(value, str):
        try:
            value = value.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # a surrogate Python did not make of a byte: written as CESU-8 bytes
            value = value.encode("utf-8", "surrogatepass")
    return urllib.parse.quote_from_bytes(value, safe="")


@st.composite
def api_requests(draw: st.DrawFn) -> str:
    """A path and query string for /api/queries/NAME with fuzzed keys and values, encoded or raw."""
    query = LIBRARY[draw(st.sampled_from(sorted(LIBRARY)))]
    keys = st.one_of(st.sampled_from([p.name for p in query.parameters] or ["x"]), st.sampled_from(RESERVED_NAMES),
                     st.text(max_size=6))
    pairs = draw(st.lists(st.tuples(keys, st.one_of(values, st.binary(max_size=16))), max_size=3))
    arguments = "&".join(f"{encoded(key)}={encoded(value)}" for key, value in pairs)
    if draw(st.booleans()):  # also bytes the client did not encode at all
        arguments += "&" + draw(st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=8))
    return f"/api/queries/{query.name}?{arguments}"


@settings(FUZZ, max_examples=50)
@given(path=api_requests())
def test_the_query_api_never_answers_a_fuzzed_request_with_a_server_error(service: str, path: str) -> None:
    url = urllib.parse.urlsplit(service)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        status, content_type, body = response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()
    assert status < 500, (path, status, body[:300])
    event(f"status {status}")
    if status >= 400:
        assert content_type.startswith("application/json"), (path, status, content_type)
        error = json.loads(body)
        assert set(error) == {"error", "status", "message"} and error["status"] == status and error["message"]


# --- afterwards ---------------------------------------------------------------------------------------------


def test_the_store_is_byte_identical_after_every_fuzzed_value(store: Store, before: tuple[str | None, bytes]) -> None:
    """After the values above, bound, run, given to `innograph run` and sent over HTTP."""
    assert before[1], "the demo store holds data"
    assert store.current_generation() == before[0]
    assert store.dump(syntax_for("nquads")) == before[1]
