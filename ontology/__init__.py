"""The innograph ontology, its SHACL shapes, and the Python that loads and checks them."""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

from rdflib import Graph


def ontology_file() -> Path:
    """The packaged ontology in Turtle."""
    return _resource("innograph.ttl")


def shapes_file() -> Path:
    """The packaged SHACL shapes in Turtle."""
    return _resource("shapes.ttl")


def _resource(name: str) -> Path:
    with as_file(files(__name__) / name) as path:
        return Path(path)


def load_graph(path: Path) -> Graph:
    """Parse a small Turtle file into rdflib, for the code that reads axioms or shapes."""
    return Graph().parse(path, format="turtle")
