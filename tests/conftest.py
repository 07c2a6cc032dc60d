"""Shared fixtures: real stores on disk, built through the real `init`, and the real command line."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from werkzeug.serving import make_server

from innograph.bootstrap import initialise, refresh_entailments
from innograph.cli import main
from innograph.config import Settings
from innograph.store import Store, open_store
from innograph.store.rdfio import parse_file

from .backends import BACKENDS, Stores

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--store-backend", choices=BACKENDS, default="embedded",
                     help="Where the tests marked `backends` keep their stores: on disk, or on an Oxigraph "
                          "server or a Virtuoso started for the run.")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a server backend only the tests marked `backends` run, less those that are about the disk store."""
    if config.getoption("--store-backend") == "embedded":
        return
    kept = [i for i in items if i.get_closest_marker("backends") and not i.get_closest_marker("embedded_only")]
    config.hook.pytest_deselected(items=[i for i in items if i not in kept])
    items[:] = kept


@pytest.fixture(scope="session")
def stores(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stores]:
    """The session's stores, on disk or on servers as --store-backend says."""
    provider = Stores(request.config.getoption("--store-backend"), tmp_path_factory.mktemp("stores"))
    yield provider
    provider.close()


@pytest.fixture
def store_location(stores: Stores) -> Iterator[str]:
    """A new, empty store of this test's own."""
    with stores.fresh() as location:
        yield location


@pytest.fixture(scope="session")
def programme_store(stores: Stores) -> Store:
    """A store initialised once with the ontology, shapes and programme graph; tests only read it."""
    settings = Settings(store=stores.shared("programme"))
    initialise(settings)
    return open_store(settings.store)


@pytest.fixture(scope="session")
def collaboration_store(stores: Stores) -> Store:
    """The programme store plus the small collaboration fixture, with entailments recomputed."""
    settings = Settings(store=stores.shared("collaboration"))
    initialise(settings)
    store = open_store(settings.store)
    fixture = parse_file(FIXTURES / "collaboration.ttl", base_iri=settings.base_iri)
    with store.transaction() as writer:
        writer.replace_graph(settings.graphs.source("collaboration-fixture"), fixture)
        refresh_entailments(writer, settings.graphs)
    return store


DEMO = Path(__file__).parents[1] / "data" / "demo"


@pytest.fixture(scope="session")
def demo_settings(stores: Stores) -> Settings:
    """A store holding the programme and the demo portfolio, loaded once through the real command line;
    tests only read it."""
    settings = Settings(store=stores.shared("demo"))
    runner = CliRunner()
    for args in (["init"], ["load", "--quiet", str(DEMO)]):
        result = runner.invoke(main, ["--store", settings.store, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return settings


@pytest.fixture
def settings(store_location: str) -> Settings:
    """Settings for a fresh, empty store of this test's own."""
    return Settings(store=store_location)


@pytest.fixture
def cli(settings: Settings) -> Callable[..., Result]:
    """Run the real `innograph` command line against this test's store."""
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(main, ["--store", settings.store, *args], catch_exceptions=False)

    return run


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """Serve `app` over real HTTP on a free port of 127.0.0.1; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture(scope="module")
def demo_service(demo_settings: Settings) -> Iterator[str]:
    """The app over the demo store on a real HTTP server, one per test module; yields its base URL and
    stops the app's query process after the module."""
    from innograph.service import create_app

    app = create_app(demo_settings)
    with live_server(app) as base:
        yield base
    app.extensions["innograph.executor"].close()


WRITE_TOKEN = "correct-horse-battery-staple"


@pytest.fixture(scope="session")
def initialised_template(stores: Stores) -> str:
    """A store as `innograph init` leaves it, made once, for tests that need a fresh copy of one."""
    location = stores.shared("initialised")
    initialise(Settings(store=location))
    return location


@pytest.fixture
def writable_service(store_location: str, initialised_template: str) -> Iterator[tuple[str, Store]]:
    """A live service over a fresh initialised store that accepts writes with WRITE_TOKEN; yields (base URL, store).

    The store is a copy of the initialised template (innograph.store.copying, whose copies are tested to be
    isomorphic): on a server, `init` costs seconds of entailment rounds, a copy a few requests."""
    from innograph.service import create_app
    from innograph.store.copying import copy_store

    settings = Settings(store=store_location, write_token=WRITE_TOKEN)
    copy_store(open_store(initialised_template), open_store(store_location))
    app = create_app(settings)
    with live_server(app) as base:
        yield base, open_store(settings.store)
    app.extensions["innograph.executor"].close()
