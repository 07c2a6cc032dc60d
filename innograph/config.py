"""Settings: defaults, then a TOML file, then INNOGRAPH_* environment variables, then explicit overrides."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from innograph.errors import InputError, Position
from innograph.namespaces import DEFAULT_BASE_IRI, Graphs

ENV_PREFIX = "INNOGRAPH_"
CONFIG_ENV = "INNOGRAPH_CONFIG"


@dataclass(frozen=True)
class Settings:
    """Every configuration key innograph reads, with its default."""

    store: str = "./var/store"
    """Where the data lives: a directory for the embedded store."""
    base_iri: str = DEFAULT_BASE_IRI
    """The namespace of minted instance IRIs; must end with '/' or '#'."""

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
    names = {f.name for f in fields(Settings)}
    for name in names:
        if (env_value := environ.get(ENV_PREFIX + name.upper())) is not None:
            values[name] = env_value
    settings = Settings(**values).with_overrides(**overrides)
    if not settings.base_iri.endswith(("/", "#")):
        raise InputError("base_iri must end with '/' or '#'", Position(field="base_iri"))
    return settings


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
