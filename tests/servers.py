"""Real SPARQL servers for tests: an Oxigraph server and a Virtuoso, each on free ports of 127.0.0.1 with a
database of its own in a temporary directory, so that the remote-store client is tested against the real thing.

    with virtuoso_server(tmp_path) as server:
        store = open_store(server.location)   # the sparql+http:// location of the remote-store client
        ...
        server.wipe()   # between tests that share one server

The servers are stopped when the `with` block ends, also when a test raises, at interpreter exit as a last
resort, and (Linux) by the kernel if the process that started them is killed outright. Facts about the servers
that these helpers rely on (checked with Oxigraph 0.5.13 and Debian's Virtuoso 7.2.5) are noted next to the code
that relies on them.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

START_SECONDS = 90  # a fresh Virtuoso database takes about 3 s to create on two cores; Oxigraph well under 1 s
STOP_SECONDS = 15  # after SIGTERM, before SIGKILL; Virtuoso does a "quick shutdown" in well under a second
LOG_TAIL_LINES = 40

# Debian's virtuoso-opensource 7.2.5 binaries. Nothing under /var/lib/virtuoso-opensource-7 is needed: the
# SPARQL endpoints, their /sparql-auth and /sparql-graph-crud(-auth) variants are built into a new database.
VIRTUOSO = "virtuoso-t"
ISQL = "isql-vt"
VIRTUOSO_USER = "dba"  # a fresh database's administrator, with the password "dba"
VIRTUOSO_PASSWORD = "dba"

_running: set[RunningServer] = set()


@dataclass(eq=False)
class RunningServer:
    """A started server and how to reach it; `location` is what innograph is configured with."""

    name: str  # "oxigraph" or "virtuoso"
    location: str  # sparql+http://[user:password@]host:port/query-path?update=<path>&graph-store=<path>[&auth=...]
    query_url: str
    update_url: str
    graph_store_url: str
    user: str | None
    password: str | None
    auth: str  # "none" | "basic" | "digest"
    process: subprocess.Popen[bytes]
    directory: Path
    log_paths: tuple[Path, ...] = ()
    isql_port: int | None = None
    # Graphs the server holds before any test writes: Virtuoso's own (virtrdf#, ldp#, its endpoint description).
    system_graphs: frozenset[str] = field(default_factory=frozenset)
    command: tuple[str, ...] = ()  # how it was started, to start it again after a crash

    def crash(self) -> None:
        """Kill the server with SIGKILL, as a power cut or the kernel's OOM killer would."""
        self.process.kill()
        self.process.wait()

    def start_again(self) -> None:
        """Start the crashed server again on the same ports and database, which it recovers from its own log."""
        log_path = self.directory / f"{self.name}-again.log"
        self.process = _spawn(list(self.command), log_path, Path(self.command_cwd))
        self.log_paths = (log_path,)
        _running.add(self)
        _wait_until_ready(self)

    @property
    def command_cwd(self) -> str:
        return str(self.directory / "db") if self.name == "virtuoso" else str(self.directory)

    def stop(self) -> None:
        """Terminate the server, waiting for it, and kill it if it does not go; safe to call more than once."""
        _running.discard(self)
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def wipe(self) -> None:
        """Remove every graph that tests wrote, leaving the server as it started, so that one server serves many
        tests: a restart costs 3 s for Virtuoso, a wipe milliseconds."""
        if self.name == "oxigraph":
            self.update("DROP ALL")  # every graph, empty ones made by CREATE GRAPH too; instant even for 400k triples
            return
        # Virtuoso: SQL through isql rather than SPARQL DROPs, for three reasons. A graph made by CREATE GRAPH stays
        # registered once empty, invisible to GRAPH ?g patterns, and a later CREATE GRAPH of its IRI fails. Deleting
        # quads row by row without the transaction log (log_enable 3) takes about 1 s for 200k triples, where a SPARQL
        # DROP of them took 3-8 s (twice 100 s). And no graph list is needed: all but the system graphs go.
        keep = ", ".join(f"iri_to_id('{graph.replace(chr(39), chr(39) * 2)}')" for graph in sorted(self.system_graphs))
        self.isql(
            "log_enable(3, 1);"
            f" DELETE FROM DB.DBA.RDF_QUAD WHERE G NOT IN ({keep});"
            f" DELETE FROM DB.DBA.RDF_EXPLICITLY_CREATED_GRAPH WHERE REC_GRAPH_IID NOT IN ({keep});"
        )
        left = self.graphs() - self.system_graphs
        if left:
            raise RuntimeError(f"virtuoso: graphs left after the wipe: {sorted(left)}")

    def graphs(self) -> set[str]:
        """The IRIs of the named graphs that hold at least one triple."""
        # Not the plain `SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }`: Virtuoso recognises exactly that text
        # and answers from its list of known graphs, slowly (8 s once a few 100k IRIs were ever stored) and with
        # emptied graphs included. With GROUP BY it reads the quads: milliseconds.
        body = self.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {row["g"]["value"] for row in json.loads(body)["results"]["bindings"]}

    def isql(self, statements: str) -> str:
        """Run SQL `statements` (separated by `;`) as dba through Virtuoso's isql; its output, or an error."""
        if self.isql_port is None:
            raise RuntimeError(f"{self.name} has no isql port")
        command = [ISQL, f"127.0.0.1:{self.isql_port}", VIRTUOSO_USER, VIRTUOSO_PASSWORD, f"exec={statements}"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
        # isql exits 0 after a failed statement; only the "*** Error" on stderr tells.
        if done.returncode != 0 or "*** Error" in done.stderr:
            raise RuntimeError(f"isql failed ({done.returncode}): {done.stderr.strip()[:2000]}")
        return done.stdout

    def query(self, query: str, accept: str = "application/sparql-results+json") -> bytes:
        """The body of the answer to `query`, POSTed form-encoded to the query endpoint."""
        return self._post(self.query_url, {"query": query}, accept, authenticate=False)

    def update(self, update: str) -> bytes:
        """POST `update` form-encoded to the update endpoint, with the server's credentials."""
        return self._post(self.update_url, {"update": update}, "*/*", authenticate=True)

    def _post(self, url: str, form: dict[str, str], accept: str, authenticate: bool) -> bytes:
        request = urllib.request.Request(
            url,
            data=urllib.parse.urlencode(form).encode("ascii"),
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with self._opener(authenticate).open(request, timeout=120) as response:
                return response.read()
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")[:2000]
            raise RuntimeError(f"{self.name}: {url} answered {error.code}: {detail}") from error

    def _opener(self, authenticate: bool) -> urllib.request.OpenerDirector:
        if not authenticate or self.auth == "none":
            return urllib.request.build_opener()
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, self.update_url, self.user or "", self.password or "")
        handler: urllib.request.BaseHandler
        if self.auth == "digest":
            handler = urllib.request.HTTPDigestAuthHandler(passwords)
        else:
            handler = urllib.request.HTTPBasicAuthHandler(passwords)
        return urllib.request.build_opener(handler)


def oxigraph_executable() -> str | None:
    """The `oxigraph` server installed next to this Python (the `bench` extra), else one on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


def oxigraph_installed() -> bool:
    """Whether the Oxigraph server can be started, so that tests can skip when it cannot."""
    return oxigraph_executable() is not None


def virtuoso_installed() -> bool:
    """Whether Virtuoso's server and isql are installed (Debian: `apt-get install virtuoso-opensource`)."""
    return shutil.which(VIRTUOSO) is not None and shutil.which(ISQL) is not None


@contextmanager
def oxigraph_server(directory: Path) -> Iterator[RunningServer]:
    """An Oxigraph server with its database in `directory`; it serves /query, /update and /store (the Graph Store
    Protocol), without authentication. It runs without --union-default-graph: the default graph is its own
    graph, so the client has to name the graphs of a query's dataset itself."""
    executable = oxigraph_executable()
    if executable is None:
        raise RuntimeError("the oxigraph server is not installed: pip install 'innograph[bench]'")
    directory.mkdir(parents=True, exist_ok=True)

    def launch(attempt: int) -> RunningServer:
        port = free_ports(1)[0]
        log_path = directory / f"oxigraph-{attempt}.log"
        base = f"http://127.0.0.1:{port}"
        command = (executable, "serve", "--location", str(directory / "db"), "--bind", f"127.0.0.1:{port}")
        process = _spawn(list(command), log_path, directory)
        return RunningServer(
            name="oxigraph",
            location=f"sparql+http://127.0.0.1:{port}/query?update=/update&graph-store=/store",
            query_url=f"{base}/query",
            update_url=f"{base}/update",
            graph_store_url=f"{base}/store",
            user=None,
            password=None,
            auth="none",
            process=process,
            directory=directory,
            log_paths=(log_path,),
            command=command,
        )

    server = _start(launch, lambda server: None)
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def virtuoso_server(
    directory: Path,
    *,
    result_set_max_rows: int = 1_000_000,
    max_query_execution_time: int = 600,
    max_query_cost_estimation_time: int = 0,  # 0: no estimate check (it refuses some empty-answer queries)
) -> Iterator[RunningServer]:
    """A Virtuoso with a new database in `directory`. Anonymous queries go to /sparql, which cannot write;
    updates and the Graph Store Protocol go as `dba` to /sparql-auth and /sparql-graph-crud-auth, which accept
    HTTP Digest authentication only (Basic is answered 401).

    Virtuoso truncates answers at `result_set_max_rows` with status 200: a SELECT then carries the header
    X-SPARQL-MaxRows, a CONSTRUCT or Graph Store GET nothing at all. A query running longer than
    `max_query_execution_time` seconds fails (500, SR171), unless the request asks for an "anytime" answer with a
    `timeout` parameter (milliseconds): then 200 with X-SQL-State: S1TAT and whatever rows it had. Tests of those
    behaviours lower the limits; the defaults are high enough that ordinary tests never meet them."""
    if not virtuoso_installed():
        raise RuntimeError("Virtuoso is not installed: apt-get install virtuoso-opensource")
    directory.mkdir(parents=True, exist_ok=True)
    limits = (result_set_max_rows, max_query_execution_time, max_query_cost_estimation_time)

    def launch(attempt: int) -> RunningServer:
        isql_port, http_port = free_ports(2)
        database = directory / "db"
        shutil.rmtree(database, ignore_errors=True)  # a new database for each attempt
        database.mkdir()
        ini = database / "virtuoso.ini"
        ini.write_text(_virtuoso_ini(database, isql_port, http_port, *limits), encoding="utf-8")
        log_path = directory / f"virtuoso-{attempt}.out"
        command = (VIRTUOSO, "+foreground", "+configfile", str(ini))
        process = _spawn(list(command), log_path, database)
        base = f"http://127.0.0.1:{http_port}"
        return RunningServer(
            name="virtuoso",
            location=(
                f"sparql+http://{VIRTUOSO_USER}:{VIRTUOSO_PASSWORD}@127.0.0.1:{http_port}/sparql"
                "?update=/sparql-auth&graph-store=/sparql-graph-crud-auth&auth=digest"
            ),
            query_url=f"{base}/sparql",
            update_url=f"{base}/sparql-auth",
            graph_store_url=f"{base}/sparql-graph-crud-auth",
            user=VIRTUOSO_USER,
            password=VIRTUOSO_PASSWORD,
            auth="digest",
            process=process,
            directory=directory,
            log_paths=(log_path,),  # in the foreground it writes its log (db/virtuoso.log) here too
            isql_port=isql_port,
            command=command,
        )

    def after_start(server: RunningServer) -> None:
        # A new database holds three graphs of Virtuoso's own (virtrdf#, ldp#, and the endpoint's description,
        # http://localuriqaserver/sparql); wipe() keeps them. isql must answer too, for wipe().
        server.system_graphs = frozenset(server.graphs())
        server.isql("SELECT 1;")

    server = _start(launch, after_start)
    try:
        yield server
    finally:
        server.stop()


def _virtuoso_ini(
    database: Path,
    isql_port: int,
    http_port: int,
    result_set_max_rows: int,
    max_query_execution_time: int,
    max_query_cost_estimation_time: int,
) -> str:
    """A small virtuoso.ini with every file inside `database`. Without VADInstallDir a new database does not
    install the Conductor package (4 s more at start-up, and an extra owl# graph); no [Plugins] are needed."""
    return f"""\
[Database]
DatabaseFile = {database}/virtuoso.db
ErrorLogFile = {database}/virtuoso.log
LockFile = {database}/virtuoso.lck
TransactionFile = {database}/virtuoso.trx
xa_persistent_file = {database}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {database}/virtuoso-temp.db
TransactionFile = {database}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{isql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
AllowOSCalls = 0
DirsAllowed = ., {database}
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
ThreadsPerQuery = 2
MaxQueryMem = 512M
MaxSortedTopRows = 1000000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {database}
MaxClientConnections = 10
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
EnabledDavVSP = 0
HTTPProxyEnabled = 0
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {result_set_max_rows}
MaxQueryExecutionTime = {max_query_execution_time}
MaxQueryCostEstimationTime = {max_query_cost_estimation_time}
"""


def free_port() -> int:
    """A free port of 127.0.0.1 for a server a test starts."""
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """`count` distinct free ports of 127.0.0.1, all held open while choosing so that none is chosen twice."""
    with contextlib.ExitStack() as stack:
        probes = [stack.enter_context(socket.socket()) for _ in range(count)]
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]


def _spawn(command: list[str], log_path: Path, cwd: Path) -> subprocess.Popen[bytes]:
    """Start `command` with its output in `log_path`, in a session of its own so that a Ctrl-C meant for pytest
    reaches pytest (which then stops the server) rather than the server alone. On Linux the kernel kills the
    server when the thread that started it ends (PR_SET_PDEATHSIG), so that a SIGKILLed pytest leaves no server
    behind; start servers from the main thread, as pytest fixtures are."""
    with log_path.open("wb") as log:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )


def _die_with_parent() -> None:
    import ctypes

    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class _PortTaken(Exception):
    """The server could not listen: another process took a port between our choosing it and the server's bind."""


def _start(launch: Callable[[int], RunningServer], after_start: Callable[[RunningServer], None]) -> RunningServer:
    """Launch until a server answers queries, with new ports if another process took one in between."""
    for attempt in range(1, 4):
        server = launch(attempt)
        _running.add(server)
        try:
            _wait_until_ready(server)
            after_start(server)
        except _PortTaken:
            server.stop()
            continue
        except BaseException:
            server.stop()
            raise
        return server
    raise RuntimeError(f"{server.name} could not listen on a free port three times:\n{_log_tail(server)}")


def _wait_until_ready(server: RunningServer) -> None:
    """Return once the query endpoint answers a query (an HTTP server that is up but still initialising answers
    errors or nothing); raise, with the end of the server's log, if the server exits or the deadline passes."""
    probe = server.query_url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            tail = _log_tail(server)
            if any(sign in tail for sign in _PORT_TAKEN_SIGNS):
                raise _PortTaken(tail)
            raise RuntimeError(f"{server.name} exited with {server.process.returncode} at start-up:\n{tail}")
        try:
            with urllib.request.urlopen(probe, timeout=2) as response:
                answered = response.status == 200
        except OSError:  # refused, reset, timed out, or an HTTP error while initialising
            answered = False
        # Alive after answering: else the answer came from whoever took the port, and the next round says so.
        if answered and server.process.poll() is None and _logged_online(server):
            return
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"{server.name} did not answer {probe} within {START_SECONDS} s:\n{_log_tail(server)}")


_PORT_TAKEN_SIGNS = ("Address already in use", "Failed to start listening", "Failed HTTP listen")


def _logged_online(server: RunningServer) -> bool:
    """Virtuoso's HTTP listener is up a moment before the server says it is online; wait for the latter."""
    if server.name != "virtuoso":
        return True
    return any(path.is_file() and "Server online at" in path.read_text("utf-8", "replace") for path in server.log_paths)


def _log_tail(server: RunningServer) -> str:
    parts = []
    for path in server.log_paths:
        if path.is_file():
            lines = path.read_text("utf-8", "replace").splitlines()[-LOG_TAIL_LINES:]
            parts.append(f"--- {path} (last {len(lines)} lines)\n" + "\n".join(lines))
    return "\n".join(parts) or "(no log written)"


@atexit.register
def _stop_all() -> None:
    """A last resort for servers whose `with` block never ended (an interpreter exiting from inside it)."""
    for server in list(_running):
        server.stop()
