"""Write access: a bearer token compared in constant time, never logged."""

from __future__ import annotations

import hmac

from flask import Request

from innograph.config import Settings
from innograph.errors import InnographError
from innograph.service.errors import Forbidden


class Unauthorized(InnographError):
    status = 401


def require_write_token(request: Request, settings: Settings) -> None:
    """Return if the request carries the configured write token; otherwise 403 (writes off) or 401/403."""
    if not settings.write_token:
        raise Forbidden("writes are not enabled on this service (no write token is configured)")
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("this request writes: send the write token as 'Authorization: Bearer TOKEN'")
    if not hmac.compare_digest(token.strip().encode("utf-8"), settings.write_token.encode("utf-8")):
        raise Forbidden("the write token is not valid")
