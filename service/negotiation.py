"""Content negotiation in one place: q-values and wildcards, a `format=` override, 406 naming the offer."""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from innograph.service.errors import NotAcceptable


@dataclass(frozen=True)
class Offer:
    """A media type we can produce, its short alias for `format=`, and other names clients use."""

    media_type: str
    alias: str
    synonyms: tuple[str, ...] = ()

    def named(self, name: str) -> bool:
        return name in (self.alias, self.media_type, *self.synonyms)


RESULTS = (Offer("application/sparql-results+json", "json"), Offer("application/sparql-results+xml", "xml"),
           Offer("text/csv", "csv"), Offer("text/tab-separated-values", "tsv"))
# SPARQLWrapper sends format=json, xml, turtle, n3, json-ld for graphs as well as for results.
GRAPHS = (Offer("text/turtle", "turtle", ("ttl", "n3")), Offer("application/n-triples", "ntriples", ("nt",)),
          Offer("application/n-quads", "nquads", ("nq",)), Offer("application/trig", "trig"),
          Offer("application/rdf+xml", "rdfxml", ("xml", "rdf")),
          Offer("application/ld+json", "jsonld", ("json-ld", "json")))


def choose(offers: tuple[Offer, ...], accept: str | None, format_alias: str | None) -> str | None:
    """The media type to answer with, or None if the client accepts none of `offers`.

    `format=` wins over `Accept`; an empty or missing `Accept` gets the first offer.
    """
    if format_alias:
        wanted = format_alias.strip().lower()
        return next((offer.media_type for offer in offers if offer.named(wanted)), None)
    if not accept or not accept.strip():
        return offers[0].media_type
    # Werkzeug matches `text/turtle; charset=utf-8` only to an offer with the same parameters; we
    # write UTF-8 always, so media-type parameters other than q do not change the choice.
    parsed = MIMEAccept((value.split(";", 1)[0].strip(), quality)
                        for value, quality in parse_accept_header(accept, MIMEAccept))
    return parsed.best_match([offer.media_type for offer in offers])


def require(offers: tuple[Offer, ...], accept: str | None, format_alias: str | None) -> str:
    """Like `choose`, but a refusal is a 406 that lists what is available."""
    chosen = choose(offers, accept, format_alias)
    if chosen is None:
        available = ", ".join(f"{o.media_type} (format={o.alias})" for o in offers)
        raise NotAcceptable(f"none of the requested formats can be produced; available: {available}")
    return chosen
