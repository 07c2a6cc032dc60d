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
    """One compiled constraint: a query whose rows are violations (?focus and optionally ?value)."""

    query: str
    path: str
    message: str
    component: str


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
                    "must be an IRI", "NodeKindConstraintComponent")


def _property_checks(shapes: Graph, prop: Node, targets: str) -> Iterator[Check]:
    path = shapes.value(prop, SH.path)
    if not isinstance(path, URIRef):
        raise NotImplementedError(f"only predicate paths are compiled, not {path}")
    message = str(shapes.value(prop, SH.message) or "")
    p = _t(path)
    values = f"{targets} ?focus {p} ?value ."

    def check(body: str, component: str, select: str = "?focus ?value") -> Check:
        return Check(f"SELECT DISTINCT {select} WHERE {{ {body} }}", str(path), message, component)

    for constraint, argument in shapes.predicate_objects(prop):
        if constraint in IGNORED:
            continue
        if constraint == SH.minCount:
            yield check(f"{{ SELECT ?focus (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {targets} "
                        f"OPTIONAL {{ ?focus {p} ?value }} }} GROUP BY ?focus }} FILTER(?n < {int(argument)})",
                        "MinCountConstraintComponent", "?focus")
        elif constraint == SH.maxCount:
            yield check(f"{{ SELECT ?focus (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {values} }} GROUP BY ?focus }} "
                        f"FILTER(?n > {int(argument)})", "MaxCountConstraintComponent", "?focus")
        elif constraint == SH.datatype:
            failed = '"!cast failed"'
            cast = f" || sameTerm(COALESCE({_t(argument)}(?value), {failed}), {failed})" if argument in CASTABLE else ""
            yield check(f"{values} FILTER(!isLiteral(?value) || DATATYPE(?value) != {_t(argument)}{cast})",
                        "DatatypeConstraintComponent")
        elif constraint == SH["class"]:
            yield check(f"{values} FILTER(isLiteral(?value) || NOT EXISTS {{ ?value a {_t(argument)} }})",
                        "ClassConstraintComponent")
        elif constraint == SH["in"]:
            members = ", ".join(_t(m) for m in Collection(shapes, argument))
            yield check(f"{values} FILTER(?value NOT IN ({members}))", "InConstraintComponent")
        elif constraint == SH.pattern:
            flags = shapes.value(prop, SH.flags)
            regex = f"REGEX(STR(?value), {_t(Literal(str(argument)))}" + (f", {_t(flags)})" if flags else ")")
            yield check(f"{values} FILTER(isBlank(?value) || !{regex})", "PatternConstraintComponent")
        elif constraint == SH.flags:
            continue
        elif constraint in (SH.minInclusive, SH.maxInclusive):
            op = ">=" if constraint == SH.minInclusive else "<="
            name = "MinInclusiveConstraintComponent" if op == ">=" else "MaxInclusiveConstraintComponent"
            yield check(f"{values} FILTER(!COALESCE(?value {op} {_t(argument)}, false))", name)
        elif constraint == SH.minLength:
            yield check(f"{values} FILTER(isBlank(?value) || STRLEN(STR(?value)) < {int(argument)})",
                        "MinLengthConstraintComponent")
        elif constraint == SH.languageIn:
            yield check(f"{values} FILTER(!({_language_in(shapes, argument)}))", "LanguageInConstraintComponent")
        elif constraint == SH.uniqueLang:
            if argument == Literal(True):
                yield check(f"{targets} ?focus {p} ?value , ?other FILTER(?value != ?other && LANG(?value) != '' "
                            f"&& LANG(?value) = LANG(?other))", "UniqueLangConstraintComponent", "?focus")
        elif constraint == SH.lessThanOrEquals:
            yield check(f"{values} ?focus {_t(argument)} ?other FILTER(!COALESCE(?value <= ?other, false))",
                        "LessThanOrEqualsConstraintComponent")
        elif constraint == SH.nodeKind:
            if argument != SH.IRI:
                raise NotImplementedError(f"sh:nodeKind {argument} on {path}")
            yield check(f"{values} FILTER(!isIRI(?value))", "NodeKindConstraintComponent")
        elif constraint == SH.qualifiedValueShape:
            yield _qualified(shapes, prop, argument, targets, p, check)
        else:
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


def sparql_violations(reader: Reader, checks: list[Check]) -> list[dict[str, str]]:
    """Run the checks: every violation, in the same record shape as `validation.violations`."""
    found = []
    for check in checks:
        for row in reader.query(check.query).records():
            value = row.get("value")
            found.append({"focus": str(row["focus"]), "path": check.path,
                          "value": "" if value is None else str(value), "message": check.message,
                          "shape": "", "constraint": check.component})
    unique = {(v["focus"], v["path"], v["constraint"], v["value"]): v for v in found}
    return sorted(unique.values(), key=lambda v: (v["focus"], v["path"], v["message"], v["value"]))
