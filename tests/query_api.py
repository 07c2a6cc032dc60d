"""What the query API tests share: each query's `#+` header read with a YAML parser of our own (not through
innograph's catalogue, so a header the code misreads shows up as a difference), valid values for the
required parameters, and plain HTTP."""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message
from pathlib import Path
from typing import Any

import yaml

from .demo_truth import PORTFOLIO

QUERY_FOLDER = Path(__file__).resolve().parents[1] / "queries"
IG = "https://w3id.org/innograph/def/"
TIBETAN_MEDICINE_BASE = "https://w3id.org/innograph/id/programme/5568/base/tibetan-medicine"  # data/programme/5568.ttl
INSTANCE_NAMESPACE = "https://w3id.org/innograph/id/"


def read_headers() -> dict[str, dict[str, Any]]:
    """Each query's `#+` header as YAML, by file name."""
    headers = {}
    for path in sorted(QUERY_FOLDER.glob("*.rq")):
        lines = [line[2:].removeprefix(" ") for line in path.read_text("utf-8").splitlines() if line.startswith("#+")]
        headers[path.stem] = yaml.safe_load("\n".join(lines))
    return headers


HEADERS = read_headers()
NETWORK_QUERIES = sorted(name for name, header in HEADERS.items() if header.get("network"))

# An organisation with at least one partner, named as a user would: by its English name.
SOME_ORGANISATION = sorted(name for name, partners in PORTFOLIO.partners.items() if partners)[0]
REQUIRED_VALUES = {"organisation": SOME_ORGANISATION, "base": "B2"}
"""A valid value for each required parameter of the library."""


def params_of(name: str) -> list[dict[str, Any]]:
    return HEADERS[name].get("params") or []


def required_params(name: str) -> dict[str, str]:
    return {p["name"]: REQUIRED_VALUES[p["name"]] for p in params_of(name) if p.get("required")}


# ------------------------------------------------------------------------------------------------------------------
# Plain HTTP to the live service (conftest's demo_service)
# ------------------------------------------------------------------------------------------------------------------


def fetch(url: str, accept: str | None = None) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept is not None else {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def ask(base: str, name: str, params: dict[str, str] | list[tuple[str, str]] | None = None,
        accept: str | None = None) -> tuple[int, Message, bytes]:
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    return fetch(f"{base}/api/queries/{name}{query}", accept)


def answer(base: str, name: str, params: dict[str, str] | None = None) -> dict[str, Any]:
    """The plain JSON answer, which must be a 200."""
    status, headers, body = ask(base, name, params)
    assert status == 200, body
    assert headers.get_content_type() == "application/json"
    return json.loads(body)


def assert_parameter_error(status: int, headers: Message, body: bytes, parameter: str) -> dict[str, Any]:
    """A 400 whose JSON error names `parameter`."""
    assert status == 400, body
    assert headers.get_content_type() == "application/json"
    error = json.loads(body)
    assert set(error) == {"error", "status", "message"}
    assert error["status"] == 400
    assert f"'{parameter}'" in error["message"], error["message"]
    return error


def csv_rows(body: bytes, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8")), delimiter=delimiter))
