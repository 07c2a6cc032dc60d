"""Linked data (issue 6): dereferenceable IRIs, RDF documents, the ontology, VoID, DCAT and dumps."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("linked_data", __name__)
