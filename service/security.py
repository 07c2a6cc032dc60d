"""Security headers: on every HTML page only our own scripts run, and on every answer the browser sniffs nothing."""

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
ON_EVERY_RESPONSE = {"X-Content-Type-Options": "nosniff"}
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    **ON_EVERY_RESPONSE,
    "Referrer-Policy": "same-origin",
}


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in ON_EVERY_RESPONSE.items():
            response.headers.setdefault(name, value)
        if response.mimetype == "text/html":
            for name, value in HEADERS.items():
                response.headers.setdefault(name, value)
        return response
