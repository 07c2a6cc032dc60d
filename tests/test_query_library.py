"""The library itself: every query file is well described, documented, and a broken header is caught early."""

from __future__ import annotations

from pathlib import Path

import pytest

from innograph.queries.catalogue import LibraryError, load_library, parse_query

pytestmark = pytest.mark.backends

ROOT = Path(__file__).parents[1]
GOOD_HEADER = """#+ title: {en: Projects, zh: 项目}
#+ description: {en: All projects, zh: 所有项目}
#+ question: {en: "Which projects?", zh: 哪些项目？}
"""


def test_the_packaged_library_is_every_rq_file_of_the_queries_folder() -> None:
    assert sorted(load_library()) == sorted(path.stem for path in (ROOT / "queries").glob("*.rq"))
    assert len(load_library()) >= 15


@pytest.mark.parametrize("name", sorted(load_library()))
def test_every_query_is_listed_in_the_readme(name: str) -> None:
    assert f"| `{name}` |" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(load_library()))
def test_every_query_says_what_it_answers_in_english_and_chinese(name: str) -> None:
    query = load_library()[name]
    for text in (query.title, query.description, query.question):
        assert text["en"] and text["zh"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text["zh"])
    for parameter in query.parameters:
        assert parameter.description["en"] and parameter.description["zh"]
        assert f"?{parameter.name}" in query.sparql or parameter.is_limit


@pytest.mark.parametrize(("header", "complaint"), [
    ("#+ title: {en: Projects}\n", "'title' needs an English (en) and a Chinese (zh) text"),
    ("#+ title: [unclosed\n", "not YAML"),
    (GOOD_HEADER + "#+ params:\n#+   - {name: base, type: iri, description: {en: a, zh: 一}}\n",
     "an 'iri' parameter, and only one, names its 'class'"),
    (GOOD_HEADER + "#+ params:\n#+   - {name: n, type: float, description: {en: a, zh: 一}}\n", "has type 'float'"),
    (GOOD_HEADER + "#+ params:\n#+   - {name: '?bad name', type: string, description: {en: a, zh: 一}}\n",
     "not a SPARQL variable name"),
    (GOOD_HEADER + "#+ params:\n#+   - {name: n, type: string, limit: true, description: {en: a, zh: 一}}\n",
     "sets the LIMIT, so it is an integer"),
])
def test_a_broken_header_is_refused_naming_the_file_and_the_fault(header: str, complaint: str) -> None:
    with pytest.raises(LibraryError) as caught:
        parse_query("broken", header + "SELECT * WHERE { ?s ?p ?o }\n")
    assert caught.value.message.startswith("queries/broken.rq: ")
    assert complaint in caught.value.message
