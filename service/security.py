"""Security headers on every HTML page: only our own scripts run, and the browser sniffs nothing."""

from __future__ import annotations

from flask import Flask, Response

# Scripts and connections only from this service: no CDN, no inline script, no eval. Styles may be
# inline because the bundled editor and graph view set style attributes; that runs no code.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if response.mimetype == "text/html":
            for name, value in HEADERS.items():
                response.headers.setdefault(name, value)
        return response
