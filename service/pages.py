"""Web pages to browse the graph (issue 6): home, resource, class, search."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("pages", __name__, template_folder="templates")
