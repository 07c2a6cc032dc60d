"""Store locations: a directory for the embedded store, or a `sparql+http(s)://` URL for a SPARQL server.

A remote location carries everything needed to reach the server, like a database URL::

    sparql+http://user:password@host:port/query-path?update=/update-path&graph-store=/store-path&auth=digest

`update` and `graph-store` are paths on the same server or whole URLs; without `update` updates
go to the query URL (Virtuoso, Fuseki's dataset URL and QLever serve both there); without
`graph-store` graphs are loaded with SPARQL Update `INSERT DATA` in batches. The password and a
bearer token may instead come from INNOGRAPH_STORE_PASSWORD and INNOGRAPH_STORE_TOKEN, which keeps
them out of configuration files and process listings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit, urlunsplit

from innograph.errors import InputError, Position

SCHEMES = {"sparql+http": "http", "sparql+https": "https"}
AUTH_KINDS = ("none", "basic", "digest", "bearer")
DIALECTS = ("auto", "generic", "virtuoso")


@dataclass(frozen=True)
class RemoteLocation:
    """The endpoints of one SPARQL server and how to talk to them."""

    query_url: str
    update_url: str
    graph_store_url: str | None = None
    auth: str = "none"
    user: str | None = None
    password: str | None = None
    token: str | None = None
    timeout: float = 60.0
    """Seconds to wait for an answer (queries that run longer fail)."""
    retries: int = 3
    """Attempts after the first for a transient failure (refused connection, 502, 503, 504)."""
    batch: int = 50_000
    """Triples per request when a graph is loaded."""
    dialect: str = "auto"
    union_default_graph: bool = False
    """The server's default graph already is the union of its named graphs (Fuseki with unionDefaultGraph,
    which refuses a dataset in the request): queries go without default-graph-uri and named-graph-uri."""

    def __repr__(self) -> str:  # never shows the password or token
        return f"RemoteLocation({self.query_url!r}, auth={self.auth!r}, user={self.user!r})"


def is_remote(location: str) -> bool:
    """Whether `location` names a SPARQL server rather than a directory."""
    return location.split("://", 1)[0].lower() in SCHEMES if "://" in location else False


def redacted(location: str) -> str:
    """The location as it may be shown or logged: without a password."""
    if not is_remote(location):
        return location
    parts = urlsplit(location)
    if parts.password is None:
        return location
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def parse_location(location: str, environ: dict[str, str] | None = None) -> RemoteLocation:
    """A `sparql+http(s)://` location read into endpoints and options; InputError names what is wrong."""
    environ = dict(os.environ if environ is None else environ)
    where = Position(field="store")
    parts = urlsplit(location)
    scheme = SCHEMES.get(parts.scheme.lower())
    if scheme is None or not parts.hostname:
        raise InputError(f"{redacted(location)} is not a sparql+http:// or sparql+https:// URL", where)
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    query_url = urlunsplit((scheme, netloc, parts.path or "/", "", ""))
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    known = {"update", "graph-store", "auth", "timeout", "retries", "batch", "dialect", "default-graph"}
    unknown = sorted(set(options) - known)
    if unknown:
        raise InputError(f"unknown store options {unknown}; known options are {sorted(known)}", where)
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else environ.get("INNOGRAPH_STORE_PASSWORD")
    token = environ.get("INNOGRAPH_STORE_TOKEN")
    auth = options.get("auth") or ("bearer" if token and not user else "basic" if user else "none")
    if auth not in AUTH_KINDS:
        raise InputError(f"auth is one of {', '.join(AUTH_KINDS)}, not {auth!r}", where)
    if auth in ("basic", "digest") and not (user and password):
        raise InputError(f"{auth} authentication needs a user and a password (user:password@host in the URL, "
                         "or INNOGRAPH_STORE_PASSWORD)", where)
    if auth == "bearer" and not token:
        raise InputError("bearer authentication needs INNOGRAPH_STORE_TOKEN", where)
    dialect = options.get("dialect", "auto")
    if dialect not in DIALECTS:
        raise InputError(f"dialect is one of {', '.join(DIALECTS)}, not {dialect!r}", where)
    default_graph = options.get("default-graph", "protocol")
    if default_graph not in ("protocol", "union"):
        raise InputError(f"default-graph is 'protocol' (innograph names the union in each query) or 'union' "
                         f"(the server's default graph is the union already), not {default_graph!r}", where)
    graph_store = options.get("graph-store")
    try:
        return RemoteLocation(
            query_url=query_url,
            update_url=urljoin(query_url, options["update"]) if options.get("update") else query_url,
            graph_store_url=urljoin(query_url, graph_store) if graph_store else None,
            auth=auth, user=user, password=password, token=token,
            timeout=float(options.get("timeout", 60.0)), retries=int(options.get("retries", 3)),
            batch=int(options.get("batch", 50_000)), dialect=dialect,
            union_default_graph=default_graph == "union")
    except ValueError:
        raise InputError("timeout, retries and batch are numbers", where) from None
