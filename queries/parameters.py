"""Turn the text an analyst typed into typed RDF terms, one parameter at a time.

Values become terms here and reach the query only through a VALUES block written by the RDF
library (see innograph.store.binding), so `"} ; DROP ALL #` is just a string.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from rdflib import XSD, Literal, URIRef
from rdflib.term import Node, _is_valid_uri

from innograph.errors import QueryError
from innograph.namespaces import PREFIXES
from innograph.queries.catalogue import Parameter
from innograph.store.rdfio import sparql_term

INTEGER = re.compile(r"^[+-]?[0-9]+$")
YEAR = re.compile(r"^[1-9][0-9]{3}$")
MAX_INTEGER = 10**18 - 1
ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")
MAX_TEXT = 1000
MAX_EXPONENT = 100


class ParameterError(QueryError):
    """A value that does not fit its parameter; the message starts with the parameter's name."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"parameter '{parameter}': {message}")
        self.parameter = parameter


def to_term(parameter: Parameter, text: str) -> Node:
    """The term for `text`, or a ParameterError; IRIs given as a code or label are resolved later."""
    term = _term(parameter, text)
    try:  # what rdflib accepts the store may not (control characters in an IRI, lone surrogates)
        sparql_term(term)
    except ValueError as error:
        raise ParameterError(parameter.name, f"{text!r} cannot be a value: {error}") from None
    return term


def _term(parameter: Parameter, text: str) -> Node:
    if len(text) > MAX_TEXT:
        raise ParameterError(parameter.name, f"a value is at most {MAX_TEXT} characters")
    if "\x00" in text:
        raise ParameterError(parameter.name, "a value may not contain a NUL character")
    if parameter.choices and text not in parameter.choices:
        raise ParameterError(parameter.name, f"{text!r} is not one of {', '.join(parameter.choices)}")
    if parameter.type == "string":
        return Literal(text)
    if parameter.type == "iri":
        return Literal(text) if as_iri(text) is None else as_iri(text)
    if parameter.type in ("integer", "year"):
        pattern, what = (YEAR, "a four-digit year") if parameter.type == "year" else (INTEGER, "an integer")
        if not pattern.match(text.strip()):
            raise ParameterError(parameter.name, f"{text!r} is not {what}")
        number = int(text)
        if abs(number) > MAX_INTEGER:
            raise ParameterError(parameter.name, f"{text.strip()} is too large (at most {MAX_INTEGER} either way)")
        _check_range(parameter, number)
        return Literal(number, datatype=XSD.integer)
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        raise ParameterError(parameter.name, f"{text!r} is not a decimal number") from None
    if not number.is_finite() or abs(number.as_tuple().exponent) > MAX_EXPONENT:
        raise ParameterError(parameter.name, f"{text!r} is not a finite decimal number of a sensible size")
    _check_range(parameter, number)
    return Literal(number, datatype=XSD.decimal)


def as_iri(text: str) -> URIRef | None:
    """`text` as an IRI if it is an absolute IRI or a prefixed name of ours (ig:Action), else None."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    prefix, _, local = text.partition(":")
    if prefix in PREFIXES and local and not local.startswith("//"):
        text = PREFIXES[prefix] + local
    if ABSOLUTE_IRI.fullmatch(text) and _is_valid_uri(text):
        return URIRef(text)
    return None


def _check_range(parameter: Parameter, number: int | Decimal) -> None:
    if parameter.minimum is not None and number < parameter.minimum:
        raise ParameterError(parameter.name, f"{number} is below the minimum of {parameter.minimum}")
    if parameter.maximum is not None and number > parameter.maximum:
        raise ParameterError(parameter.name, f"{number} is above the maximum of {parameter.maximum}")
