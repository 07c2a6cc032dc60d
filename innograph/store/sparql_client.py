"""HTTP to a SPARQL server: the SPARQL 1.1 Protocol for queries and updates, the Graph Store Protocol
for bulk loads, with authentication, time-outs, retries with back-off, and no redirects.

Written on `requests` rather than SPARQLWrapper: SPARQLWrapper follows redirects through urllib's
process-wide opener, installs a new process-wide opener for digest authentication (a race between
the service's threads), reuses no connections and retries nothing. The tests still use SPARQLWrapper
as the client of our own endpoint.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from urllib.parse import urlencode

import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from innograph.errors import QueryError, StoreError
from innograph.store.location import RemoteLocation

TRANSIENT_STATUSES = {502, 503, 504}
FORM = "application/x-www-form-urlencoded; charset=UTF-8"
"""With the charset said: without it Virtuoso reads the query's non-ASCII text as Latin-1."""
FIRST_BACKOFF = 0.25
"""Seconds before the first retry; each further retry waits twice as long."""
MESSAGE_LIMIT = 600
VIRTUOSO_GRACE = 10.0
"""Seconds beyond the time limit to wait for Virtuoso's own answer that it stopped a query."""


class IncompleteAnswer(StoreError):
    """The server stopped a query at its own time or row limit and sent only part of the answer."""

    status = 502


class BearerAuth(AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


class SparqlClient:
    """One server's endpoints, reached through one connection pool."""

    def __init__(self, location: RemoteLocation) -> None:
        self.location = location
        self.session = requests.Session()
        self.session.trust_env = False  # a proxy from the environment must not see the store's credentials
        self.session.headers["User-Agent"] = "innograph"
        self.session.auth = _auth(location)
        self.server_software: str | None = None

    def query(self, text: str, accept: str, default_graphs: Sequence[str] = (),
              named_graphs: Sequence[str] = ()) -> tuple[str, bytes]:
        """(media type, body) of a query sent by POST with the dataset given as protocol parameters.

        `accept` is one media type: Virtuoso reads only the first of a list and answers 406 if that one does
        not suit the query form.
        """
        form: list[tuple[str, str]] = [("query", text)]
        form += [("default-graph-uri", g) for g in default_graphs] + [("named-graph-uri", g) for g in named_graphs]
        if self.is_virtuoso():  # its own time limit, so that it stops (and says so) rather than run on
            form.append(("timeout", str(int(self.location.timeout * 1000))))
        response = self._send("POST", self.location.query_url, idempotent=True, data=urlencode(form),
                              headers={"Accept": accept, "Content-Type": FORM})
        if "X-SPARQL-MaxRows" in response.headers:
            raise IncompleteAnswer(f"the store at {self.location.query_url} cut the answer at its row limit "
                                   f"({response.headers['X-SPARQL-MaxRows']} rows, Virtuoso's ResultSetMaxRows); "
                                   "innograph does not pass on a partial answer as complete: raise the limit or "
                                   "narrow the query")
        body = response.content
        if self.is_virtuoso():  # its blank node labels are not valid labels until the scheme is taken off
            body = body.replace(b"<bnode>nodeID://", b"<bnode>").replace(b"_:nodeID://", b"_:")
        return response.headers.get("Content-Type", "").split(";")[0].strip().lower(), body

    def is_virtuoso(self) -> bool:
        """Whether the server is Virtuoso: by the location's dialect, else by the Server header it sent."""
        if self.location.dialect != "auto":
            return self.location.dialect == "virtuoso"
        if self.server_software is None:  # ask once, before the first request whose form depends on it
            self.server_software = self._send("POST", self.location.query_url, idempotent=True,
                                              data=urlencode([("query", "ASK {}")]),
                                              headers={"Content-Type": FORM}).headers.get("Server", "")
        return "virtuoso" in self.server_software.lower()

    def update(self, text: str) -> None:
        """Run a SPARQL update; retried only when it cannot have reached the server."""
        self._send("POST", self.location.update_url, idempotent=False, data=urlencode([("update", text)]),
                   headers={"Content-Type": FORM})

    def put_graph(self, graph: str, body: bytes, media_type: str, parameter: str = "graph") -> None:
        """Replace `graph` with `body` through the Graph Store Protocol."""
        self._graph_store("PUT", graph, body, media_type, parameter, idempotent=True)

    def post_graph(self, graph: str, body: bytes, media_type: str, parameter: str = "graph") -> None:
        """Add `body` to `graph` through the Graph Store Protocol."""
        self._graph_store("POST", graph, body, media_type, parameter, idempotent=False)

    def _graph_store(self, method: str, graph: str, body: bytes, media_type: str, parameter: str,
                     idempotent: bool) -> None:
        assert self.location.graph_store_url is not None
        self._send(method, self.location.graph_store_url, idempotent=idempotent, params={parameter: graph},
                   data=body, headers={"Content-Type": media_type})

    def _send(self, method: str, url: str, *, idempotent: bool, **arguments: object) -> requests.Response:
        attempt = 0
        while True:
            try:
                # Virtuoso is told to stop at `timeout` and then answers that it stopped: give it time to say so.
                known_virtuoso = self.location.dialect == "virtuoso" or (
                    self.server_software is not None and self.is_virtuoso())
                wait = self.location.timeout + (VIRTUOSO_GRACE if known_virtuoso else 0)
                response = self.session.request(method, url, timeout=(10, wait),
                                                allow_redirects=False, **arguments)  # type: ignore[arg-type]
            except requests.exceptions.ReadTimeout:
                raise StoreError(f"the store at {url} did not answer within {self.location.timeout:g} s") from None
            except requests.exceptions.ConnectionError as error:
                if attempt < self.location.retries and (idempotent or _never_sent(error)):
                    attempt += 1
                    time.sleep(FIRST_BACKOFF * 2 ** (attempt - 1))
                    continue
                raise StoreError(f"cannot reach the store at {url}: {_reason(error)}") from None
            if response.status_code in TRANSIENT_STATUSES and idempotent and attempt < self.location.retries:
                attempt += 1
                time.sleep(FIRST_BACKOFF * 2 ** (attempt - 1))
                continue
            _check(response, url)
            return response


def _check(response: requests.Response, url: str) -> None:
    """Raise the error a response stands for: the query's fault (400) or the store's (502, 503)."""
    status = response.status_code
    if status == 206 or response.headers.get("X-SQL-State", "").upper() == "S1TAT":
        raise IncompleteAnswer(f"the store at {url} stopped the query at its own time or row limit and sent part "
                               "of the answer (HTTP 206 / X-SQL-State S1TAT); innograph does not pass on a partial "
                               "answer as complete: raise the server's limits or narrow the query")
    if 300 <= status < 400:
        raise StoreError(f"the store at {url} answered with a redirect to {response.headers.get('Location')!r}; "
                         "redirects are not followed: configure the final address")
    if status in (401, 403):
        raise StoreError(f"the store at {url} refused innograph's credentials (HTTP {status})")
    if status >= 400:
        text = response.text.strip()[:MESSAGE_LIMIT]
        if status in (400, 422) or (status == 500 and _looks_like_query_error(text)):
            raise QueryError(f"the store rejected the request: {text}")
        raise StoreError(f"the store at {url} failed (HTTP {status}): {text}")


def _looks_like_query_error(text: str) -> bool:
    """Virtuoso answers some errors in the query itself (SPARQL compiler, type errors) with 500."""
    return "SP030" in text or "SPARQL compiler" in text or "37000" in text or "22023" in text


def _never_sent(error: requests.exceptions.ConnectionError) -> bool:
    """Whether the request failed while connecting, so a retry cannot apply an update twice."""
    return isinstance(error, requests.exceptions.ConnectTimeout) or "NewConnectionError" in repr(error)


def _reason(error: Exception) -> str:
    return str(error)[:MESSAGE_LIMIT]


def _auth(location: RemoteLocation) -> AuthBase | None:
    if location.auth == "basic":
        return HTTPBasicAuth(location.user or "", location.password or "")
    if location.auth == "digest":
        return HTTPDigestAuth(location.user or "", location.password or "")
    if location.auth == "bearer":
        return BearerAuth(location.token or "")
    return None

