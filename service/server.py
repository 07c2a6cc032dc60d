"""`innograph serve`: the application under gunicorn, never Flask's development server."""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from innograph.config import Settings


class InnographServer(BaseApplication):
    """gunicorn with its options given in code, each worker process building its own app."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        from innograph.service import create_app

        return create_app(self.settings)


THREADS_PER_WORKER = 4


def _child_exit(server: Any, worker: Any) -> None:
    """A dead worker's metrics files are merged into the totals, not counted as live."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve until interrupted; workers that die are replaced by gunicorn's arbiter."""
    # gunicorn kills a worker silent for `timeout` seconds; queries are stopped at query_timeout first.
    # No gunicorn access log: its request line holds the query string (SPARQL text); the app logs each
    # request itself, without it (service/request_log.py).
    # Threaded workers: a request waiting on its worker's query process does not stop the worker from
    # answering /healthz, pages from the store, or the next query once the process is free.
    InnographServer(settings, {"bind": f"{host}:{port}", "workers": workers, "worker_class": "gthread",
                               "threads": THREADS_PER_WORKER,
                               "timeout": int(settings.query_timeout) + 30, "accesslog": None, "errorlog": "-",
                               "loglevel": "info", "child_exit": _child_exit}).run()
