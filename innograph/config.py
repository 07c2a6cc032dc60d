"""Settings: defaults, then a TOML file, then INNOGRAPH_* environment variables, then explicit overrides."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from innograph.errors import InputError, Position
from innograph.namespaces import DEFAULT_BASE_IRI, Graphs
from innograph.store.location import is_remote, parse_location, redacted

ENV_PREFIX = "INNOGRAPH_"
CONFIG_ENV = "INNOGRAPH_CONFIG"


@dataclass(frozen=True)
class Settings:
    """Every configuration key innograph reads, with its default."""

    def __repr__(self) -> str:  # the write token and a store password never reach a log or a traceback
        shown = {f.name: ("***" if f.name == "write_token" and getattr(self, f.name) else getattr(self, f.name))
                 for f in fields(self)}
        shown["store"] = redacted(self.store)
        return f"Settings({', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    store: str = "./var/store"
    """Where the data lives: a directory for the embedded store, or sparql+http(s)://... for a SPARQL server."""
    dumps_dir: str = ""
    """Where dumps are written; empty: `dumps` in the store's directory, or ./var/dumps for a server store."""
    base_iri: str = DEFAULT_BASE_IRI
    """The namespace of minted instance IRIs; must end with '/' or '#'."""
    query_max_length: int = 100_000
    """Longest SPARQL query text the endpoint accepts, in characters."""
    query_max_depth: int = 100
    """Deepest nesting of braces, parentheses and brackets the endpoint accepts in a query."""
    service_allowlist: tuple[str, ...] = ()
    """Endpoints a query may name in SERVICE; none by default."""
    query_timeout: float = 30.0
    """Seconds a query may run before it is stopped and answered with 503."""
    query_memory_mb: int = 2048
    """Address-space cap of the process that runs a worker's queries, in MiB (0: no cap)."""
    update_timeout: float = 300.0
    """Seconds a write over HTTP (update, graph store) may run before it is stopped, changing nothing."""
    update_memory_mb: int = 0
    """Address-space cap of the process that runs a write over HTTP, in MiB (0: no cap; an embedded write
    holds the whole dataset in memory, about 600 MB per million triples)."""
    load_in_memory_quads: int = 3_000_000
    """Largest store (quads after a load, entailments included) that `innograph load`, `unload` and `infer` work
    on through an in-memory copy, about 4x faster; a larger one is worked on disk alone, in bounded memory
    (0: always on disk)."""
    result_row_cap: int = 100_000
    """Most rows a SELECT on /sparql returns; a cut answer says so in a header (0: no cap)."""
    answer_cache_mb: int = 64
    """Memory each web worker keeps /sparql answers in, per version of the data, in MiB (0: no cache)."""
    serve_from: str = "memory"
    """Where queries are answered from: an in-memory copy ("memory") or the store on disk ("disk")."""
    write_token: str = ""
    """Bearer token that SPARQL Update requires; empty: updates are refused."""
    log_format: str = "text"
    """How the service writes its log lines: "text", or "json" for one JSON object per line."""
    dataset_license: str = "https://creativecommons.org/licenses/by/4.0/"
    """IRI of the licence the DCAT catalogue and VoID state for the data."""
    dataset_publisher: str = "innograph developers"
    """Name of the publisher the DCAT catalogue states for the data."""

    @property
    def graphs(self) -> Graphs:
        return Graphs(self.base_iri)

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the given keys replaced, ignoring those whose value is None."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def load_settings(config_file: str | Path | None = None, environ: dict[str, str] | None = None,
                  **overrides: Any) -> Settings:
    """Build settings in the documented order of precedence, checking every key."""
    environ = dict(os.environ if environ is None else environ)
    values: dict[str, Any] = {}
    path = config_file or environ.get(CONFIG_ENV)
    if path:
        values.update(_read_file(Path(path)))
    for name in (f.name for f in fields(Settings)):
        if (env_value := environ.get(ENV_PREFIX + name.upper())) is not None:
            values[name] = env_value
    settings = Settings(**{name: _typed(name, value) for name, value in values.items()}).with_overrides(**overrides)
    if settings.serve_from not in ("memory", "disk"):
        raise InputError("serve_from is 'memory' or 'disk'", Position(field="serve_from"))
    if settings.log_format not in ("text", "json"):
        raise InputError("log_format is 'text' or 'json'", Position(field="log_format"))
    if settings.result_row_cap < 0:
        raise InputError("result_row_cap is a number of rows, 0 for no cap", Position(field="result_row_cap"))
    if settings.answer_cache_mb < 0:
        raise InputError("answer_cache_mb is a size in MiB, 0 for no cache", Position(field="answer_cache_mb"))
    if is_remote(settings.store):
        parse_location(settings.store)  # a wrong store URL is named now, not at the first query
    if not settings.base_iri.endswith(("/", "#")):
        raise InputError("base_iri must end with '/' or '#'", Position(field="base_iri"))
    return settings


def _typed(name: str, value: Any) -> Any:
    """A file or environment value as the type of the key's default (environment lists are comma-separated)."""
    default = getattr(Settings, name)
    try:
        if isinstance(default, bool):
            return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
        if isinstance(default, tuple):
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(item.strip() for item in items if item.strip())
    except (TypeError, ValueError):
        raise InputError(f"{value!r} is not a valid {type(default).__name__}", Position(field=name)) from None
    return value


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"cannot read configuration: {error.strerror}", Position(file=str(path))) from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"invalid TOML: {error}", Position(file=str(path))) from None
    section = data.get("innograph", data)
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(section) - known)
    if unknown:
        raise InputError(f"unknown configuration keys {unknown}; known keys are {sorted(known)}",
                         Position(file=str(path)))
    return dict(section)
