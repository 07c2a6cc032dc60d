"""What a source may refer to: components, focus areas, places, organisations and projects.

References are resolved by code or identifier first, then by label in English or Chinese; an
unknown reference gets the closest known labels as suggestions.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass, field

from innograph.loader.iris import normalise
from innograph.namespaces import IG, sparql_prefixes
from innograph.store import Reader

KINDS = {"component": IG.ProgrammeComponent, "focus_area": IG.FocusArea, "place": IG.Place,
         "organisation": IG.Organization, "project": IG.Project}

KNOWN_NAMES = sparql_prefixes() + """
SELECT ?thing ?class ?key WHERE {
  VALUES ?class { ig:ProgrammeComponent ig:FocusArea ig:Place ig:Organization ig:Project }
  ?thing a ?class .
  { ?thing ig:code ?key } UNION { ?thing rdfs:label ?key } UNION { ?thing ig:unifiedSocialCreditCode ?key }
}
"""


@dataclass
class Names:
    """Lookup from normalised code or label to IRI, for one kind of thing."""

    kind: str
    by_key: dict[str, str] = field(default_factory=dict)
    display: dict[str, str] = field(default_factory=dict)
    """Each normalised key as it was written, for suggestions."""

    def add(self, iri: str, *keys: str) -> None:
        for key in keys:
            if key:
                self.by_key.setdefault(normalise(key), iri)
                self.display.setdefault(normalise(key), key)

    def resolve(self, value: str) -> str | None:
        return self.by_key.get(normalise(value))

    def suggestions(self, value: str, limit: int = 3) -> list[str]:
        close = difflib.get_close_matches(normalise(value), list(self.display), n=limit, cutoff=0.3)
        return [self.display[key] for key in close]


@dataclass
class Context:
    """Everything already in the store that a new source can refer to."""

    names: dict[str, Names]

    @classmethod
    def from_store(cls, reader: Reader | None) -> Context:
        names = {kind: Names(kind) for kind in KINDS}
        if reader is None:
            return cls(names)
        kind_of = {str(cls_iri): kind for kind, cls_iri in KINDS.items()}
        keys: dict[tuple[str, str], list[str]] = defaultdict(list)
        for thing, cls_iri, key in reader.query(KNOWN_NAMES).rows:
            keys[(kind_of[str(cls_iri)], str(thing))].append(str(key))
        for (kind, thing), values in sorted(keys.items()):
            names[kind].add(thing, *sorted(values, key=lambda k: (len(k) > 8, k)))
        return cls(names)
