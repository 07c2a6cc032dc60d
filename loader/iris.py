"""Stable IRIs: the same input gives the same IRIs on every machine."""

from __future__ import annotations

import hashlib
import re
import unicodedata

NOT_NAME = re.compile(r"[^\w]+", re.UNICODE)


def normalise(text: str) -> str:
    """A key for comparing names: Unicode-normalised, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def slug(text: str) -> str:
    """A path segment from a name or code: letters (Chinese included) and digits joined by '-'."""
    return NOT_NAME.sub("-", normalise(text)).strip("-_") or "unnamed"


def digest(*parts: str) -> str:
    """A short stable hash of some values, for things that have neither code nor name."""
    return hashlib.sha256("\u241f".join(parts).encode("utf-8")).hexdigest()[:16]


def organisation_iri(base: str, uscc: str, name: str) -> str:
    return f"{base}organization/{slug(uscc) if uscc else slug(name)}"


def project_iri(base: str, code: str, title: str) -> str:
    return f"{base}project/{slug(code) if code else slug(title)}"


def participation_iri(project: str, organisation: str) -> str:
    return f"{project}/participation/{organisation.rsplit('/', 1)[-1]}"


def grant_iri(project: str, grant_id: str, *content: str) -> str:
    return f"{project}/grant/{slug(grant_id) if grant_id else digest(*content)}"
