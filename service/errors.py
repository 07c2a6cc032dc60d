"""HTTP errors as innograph errors, and the one handler that renders every error the same way."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from innograph.errors import InnographError

log = logging.getLogger("innograph.service")


class NotAcceptable(InnographError):
    status = 406


class UnsupportedMediaType(InnographError):
    status = 415


class Forbidden(InnographError):
    status = 403


def _render(status: int, name: str, message: str) -> Response:
    response = jsonify({"error": name, "status": status, "message": message})
    response.status_code = status
    return response


def register_error_handlers(app: Flask) -> None:
    """Every error becomes the same JSON shape; a bug is logged with its traceback, never shown."""

    @app.errorhandler(InnographError)
    def innograph_error(error: InnographError) -> Response:
        return _render(error.status, type(error).__name__, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        response = _render(error.code or 500, type(error).__name__, error.description or error.name)
        for name, value in error.get_headers():  # such as Allow on a 405, which HTTP requires
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("unexpected error while serving a request")
        return _render(500, "InternalServerError", "the server failed to answer; the error has been logged")
