"""The web service: a Flask application factory with one blueprint per surface.

The app's WSGI entry first looks for a kept answer of a GET /sparql (service/kept_answers.py), so
a repeated query is sent without running the framework; everything else is Flask's.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from innograph.config import Settings, load_settings
from innograph.service.executor import QueryExecutor
from innograph.store import open_store

MAX_REQUEST_BYTES = 1 << 20


def create_app(settings: Settings | None = None, test_config: dict[str, Any] | None = None) -> Flask:
    """The application for one store: settings from the environment unless given."""
    from innograph.service import (
        errors,
        frontend,
        graph_store,
        health,
        home,  # noqa: F401  (adds the home page to the pages blueprint)
        kept_answers,
        linked_data,
        metrics,
        pages,
        query_api,
        query_pages,
        request_log,
        security,
        sparql,
    )

    app = Flask(__name__)
    app.app_ctx_globals_class = pages.PageGlobals  # g.lang, worked out only for pages
    settings = settings or load_settings()
    app.config.from_mapping(MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES, INNOGRAPH=settings)
    if test_config:
        app.config.from_mapping(test_config)
    app.extensions["innograph.store"] = open_store(settings.store)
    app.extensions["innograph.executor"] = QueryExecutor(
        settings.store, settings.query_timeout, settings.query_memory_mb << 20, settings.serve_from == "memory")
    errors.register_error_handlers(app)
    security.register_security_headers(app)
    request_log.register_request_log(app)
    request_log.configure_logging(settings)
    app.register_blueprint(sparql.blueprint)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(graph_store.blueprint)
    app.register_blueprint(metrics.blueprint)
    app.register_blueprint(query_api.blueprint)
    app.register_blueprint(query_pages.blueprint)
    app.register_blueprint(linked_data.blueprint)
    app.register_blueprint(pages.blueprint)  # with the home page of innograph.service.home
    app.register_blueprint(frontend.blueprint)
    metrics.instrument(app)
    app.wsgi_app = kept_answers.KeptAnswers(app, app.wsgi_app)  # type: ignore[method-assign]
    return app
