"""SHACL shapes compiled to SPARQL SELECT queries that run inside the store.

pyshacl needs the data as an rdflib graph and took minutes on a million triples (see
bench/load.py), so loads validate with these queries instead, run by Oxigraph over the store with
its materialised entailments (which stand in for SHACL's rdfs:subClassOf walk of sh:class and
sh:targetClass). The compiler covers the constraint components our shapes use and refuses any
other, so a new kind of constraint can never be skipped silently; a test checks that its
findings equal pyshacl's on graphs that break every shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from innograph.store import Reader
from innograph.store.rdfio import sparql_term

SH = Namespace("http://www.w3.org/ns/shacl#")
CASTABLE = {XSD.integer, XSD.decimal, XSD.boolean, XSD.double, XSD.float, XSD.date, XSD.dateTime}
IGNORED = {RDF.type, SH.path, SH.message, SH.property, SH.targetClass, SH.targetSubjectsOf, SH.name,
           SH.description, SH.qualifiedMinCount, SH.severity}


@dataclass(frozen=True)
class Check:
    """Compiled constraints: a query whose rows are violations (?focus, maybe ?value and ?component)."""

    query: str
    path: str
    message: str
    components: tuple[str, ...]
    """The constraint components checked; with more than one, each row names its own as ?component."""


def _t(term: Node) -> str:
    return sparql_term(term)


def compile_shapes(shapes: Graph, focus_graphs: list[str] | None = None) -> list[Check]:
    """Every constraint of every node shape that has a target, as a query.

    With `focus_graphs`, only subjects of statements in those graphs are focus nodes: a load
    checks what it wrote, seeing the rest of the store only as context.
    """
    restriction = ""
    if focus_graphs is not None:
        graphs = " ".join(_t(URIRef(g)) for g in focus_graphs)
        restriction = f" FILTER EXISTS {{ VALUES ?focus_graph {{ {graphs} }} GRAPH ?focus_graph {{ ?focus ?fp ?fo }} }}"
    checks: list[Check] = []
    for shape in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str):
        targets = _targets(shapes, shape)
        if not targets:
            continue
        targets = f"{{ {targets} }}{restriction}"
        checks += _node_checks(shapes, shape, targets)
        for prop in sorted(shapes.objects(shape, SH.property), key=str):
            checks += _property_checks(shapes, prop, targets)
    return checks


def _targets(shapes: Graph, shape: Node) -> str:
    parts = [f"{{ ?focus a {_t(c)} }}" for c in shapes.objects(shape, SH.targetClass)]
    parts += [f"{{ ?focus {_t(p)} ?target_object }}" for p in shapes.objects(shape, SH.targetSubjectsOf)]
    return " UNION ".join(parts)


def _node_checks(shapes: Graph, shape: Node, targets: str) -> Iterator[Check]:
    kind = shapes.value(shape, SH.nodeKind)
    if kind is not None:
        if kind != SH.IRI:
            raise NotImplementedError(f"sh:nodeKind {kind} in {shape}")
        yield Check(f"SELECT DISTINCT ?focus WHERE {{ {targets} FILTER(!isIRI(?focus)) }}", "",
                    "must be an IRI", ("NodeKindConstraintComponent",))


def _property_checks(shapes: Graph, prop: Node, targets: str) -> Iterator[Check]:
    """The checks of one property shape: value tests share one query, so do the two counts."""
    path = shapes.value(prop, SH.path)
    if not isinstance(path, URIRef):
        raise NotImplementedError(f"only predicate paths are compiled, not {path}")
    message = str(shapes.value(prop, SH.message) or "")
    p = _t(path)
    values = f"{targets} ?focus {p} ?value ."

    def check(body: str, component: str, select: str = "?focus ?value") -> Check:
        return Check(f"SELECT DISTINCT {select} WHERE {{ {body} }}", str(path), message, (component,))

    value_tests: list[tuple[str, str]] = []
    counts: list[tuple[str, str]] = []
    for constraint, argument in shapes.predicate_objects(prop):
        if constraint in IGNORED or constraint == SH.flags:
            continue
        if constraint == SH.minCount:
            counts.append(("MinCountConstraintComponent", f"?n < {int(argument)}"))
        elif constraint == SH.maxCount:
            counts.append(("MaxCountConstraintComponent", f"?n > {int(argument)}"))
        elif constraint == SH.uniqueLang:
            if argument == Literal(True):
                yield check(f"{targets} ?focus {p} ?value , ?other FILTER(?value != ?other && LANG(?value) != '' "
                            f"&& LANG(?value) = LANG(?other))", "UniqueLangConstraintComponent", "?focus")
        elif constraint == SH.lessThanOrEquals:
            yield check(f"{values} ?focus {_t(argument)} ?other FILTER(!COALESCE(?value <= ?other, false))",
                        "LessThanOrEqualsConstraintComponent")
        elif constraint == SH.qualifiedValueShape:
            yield _qualified(shapes, prop, argument, targets, p, check)
        else:
            value_tests.append(_value_test(shapes, prop, constraint, argument, path))
    if counts:
        optional = f"OPTIONAL {{ ?focus {p} ?value }}"
        yield _by_component(f"{{ SELECT ?focus (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {targets} {optional} }} "
                            f"GROUP BY ?focus }}", counts, "?focus", str(path), message)
    if value_tests:
        yield _by_component(values, value_tests, "?focus ?value", str(path), message)


def _by_component(body: str, tests: list[tuple[str, str]], select: str, path: str, message: str) -> Check:
    """One query for several constraints on the same rows; ?component names the one each row breaks."""
    names = " ".join(_t(Literal(name)) for name, _ in tests)
    condition = " || ".join(f"(?component = {_t(Literal(name))} && ({test}))" for name, test in tests)
    return Check(f"SELECT DISTINCT {select} ?component WHERE {{ {body} VALUES ?component {{ {names} }} "
                 f"FILTER({condition}) }}", path, message, tuple(name for name, _ in tests))


def _value_test(shapes: Graph, prop: Node, constraint: Node, argument: Node, path: Node) -> tuple[str, str]:
    """(component, condition on ?value that holds when the value breaks the constraint)."""
    if constraint == SH.datatype:
        # Written the way Virtuoso can evaluate too: it fails on COALESCE of a failed cast and a string, and
        # answers DATATYPE() of a language-tagged literal with an error, hence the LANG() test.
        term = _t(argument)
        cast = f" || !COALESCE(sameTerm({term}(?value), {term}(?value)), false)" if argument in CASTABLE else ""
        tagged = ' || LANG(?value) != ""' if argument != RDF.langString else ""
        return "DatatypeConstraintComponent", f"!isLiteral(?value){tagged} || DATATYPE(?value) != {term}{cast}"
    if constraint == SH["class"]:
        return "ClassConstraintComponent", f"isLiteral(?value) || NOT EXISTS {{ ?value a {_t(argument)} }}"
    if constraint == SH["in"]:
        return "InConstraintComponent", f"?value NOT IN ({', '.join(_t(m) for m in Collection(shapes, argument))})"
    if constraint == SH.pattern:
        flags = shapes.value(prop, SH.flags)
        regex = f"REGEX(STR(?value), {_t(Literal(str(argument)))}" + (f", {_t(flags)})" if flags else ")")
        return "PatternConstraintComponent", f"isBlank(?value) || !{regex}"
    if constraint in (SH.minInclusive, SH.maxInclusive):
        op = ">=" if constraint == SH.minInclusive else "<="
        name = "MinInclusiveConstraintComponent" if op == ">=" else "MaxInclusiveConstraintComponent"
        return name, f"!COALESCE(?value {op} {_t(argument)}, false)"
    if constraint == SH.minLength:
        return "MinLengthConstraintComponent", f"isBlank(?value) || STRLEN(STR(?value)) < {int(argument)}"
    if constraint == SH.languageIn:
        return "LanguageInConstraintComponent", f"!({_language_in(shapes, argument)})"
    if constraint == SH.nodeKind:
        if argument != SH.IRI:
            raise NotImplementedError(f"sh:nodeKind {argument} on {path}")
        return "NodeKindConstraintComponent", "!isIRI(?value)"
    raise NotImplementedError(f"SHACL constraint {constraint} on {path} is not compiled")


def _language_in(shapes: Graph, head: Node) -> str:
    tags = [str(tag) for tag in Collection(shapes, head)]
    return " || ".join(f"LANGMATCHES(LANG(?value), {_t(Literal(tag))})" for tag in tags) or "false"


def _qualified(shapes: Graph, prop: Node, qualified: Node, targets: str, p: str,
               check: Callable[[str, str, str], Check]) -> Check:
    inner = set(shapes.predicates(qualified)) - {RDF.type}
    minimum = shapes.value(prop, SH.qualifiedMinCount)
    if not isinstance(qualified, BNode) or inner != {SH.languageIn} or minimum is None:
        raise NotImplementedError("only a qualifiedValueShape of sh:languageIn with sh:qualifiedMinCount")
    condition = _language_in(shapes, shapes.value(qualified, SH.languageIn))
    return check(f"{{ SELECT ?focus (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {targets} OPTIONAL {{ ?focus {p} ?value "
                 f"FILTER({condition}) }} }} GROUP BY ?focus }} FILTER(?n < {int(minimum)})",
                 "QualifiedMinCountConstraintComponent", "?focus")


def sparql_violations(reader: Reader, checks: list[Check], workers: int = 2) -> list[dict[str, str]]:
    """Run the checks, `workers` at a time: every violation, in the same record shape as `validation.violations`.

    The store evaluates a query without holding Python's lock, so two checks at once keep two cores busy.
    """
    found = []
    with ThreadPoolExecutor(workers) as pool:
        answers = list(pool.map(lambda check: reader.query(check.query), checks))
    for check, answer in zip(checks, answers, strict=True):
        for row in answer.records():
            value = row.get("value")
            found.append({"focus": str(row["focus"]), "path": check.path,
                          "value": "" if value is None else str(value), "message": check.message,
                          "shape": "", "constraint": str(row.get("component") or check.components[0])})
    unique = {(v["focus"], v["path"], v["constraint"], v["value"]): v for v in found}
    return sorted(unique.values(), key=lambda v: (v["focus"], v["path"], v["message"], v["value"]))
