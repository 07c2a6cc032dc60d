"""/healthz: whether the service can read its store, for load balancers and supervisors."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from innograph.errors import InnographError

blueprint = Blueprint("health", __name__)


@blueprint.route("/healthz")
def healthz() -> Response:
    """200 with the store's generation and graph count when it answers; 503 when it does not.

    Cheap on purpose (no counting of triples): supervisors call it often, also while queries run.
    """
    store = current_app.extensions["innograph.store"]
    try:
        graphs = len(store.named_graphs())
    except (InnographError, OSError) as error:
        response = jsonify({"status": "unavailable", "message": str(error)})
        response.status_code = 503
        return response
    return jsonify({"status": "ok", "generation": store.data_version(), "graphs": graphs})
