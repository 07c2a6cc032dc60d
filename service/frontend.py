"""Pages built on bundled front-end packages (issue 6): the YASGUI query page and the network view."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("frontend", __name__, template_folder="templates")
