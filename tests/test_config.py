"""Configuration: defaults, then a file, then environment variables, then explicit overrides."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from innograph.config import Settings, load_settings
from innograph.errors import InputError

README = Path(__file__).resolve().parent.parent / "README.md"


def test_defaults_apply_when_nothing_is_set() -> None:
    assert load_settings(environ={}) == Settings()


def test_a_file_overrides_defaults_and_the_environment_overrides_the_file(tmp_path: Path) -> None:
    config = tmp_path / "innograph.toml"
    config.write_text('[innograph]\nstore = "/from/file"\nbase_iri = "https://example.org/id/"\n')
    settings = load_settings(config, environ={"INNOGRAPH_STORE": "/from/env"})
    assert settings.store == "/from/env"
    assert settings.base_iri == "https://example.org/id/"
    assert load_settings(config, environ={"INNOGRAPH_STORE": "/from/env"}, store="/from/flag").store == "/from/flag"


def test_the_config_file_can_be_named_by_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('store = "/x"\n')
    assert load_settings(environ={"INNOGRAPH_CONFIG": str(config)}).store == "/x"


def test_an_unknown_key_is_an_error_naming_the_file(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('stroe = "/x"\n')
    with pytest.raises(InputError, match=r"c\.toml.*stroe"):
        load_settings(config, environ={})


def test_a_base_iri_must_end_with_a_separator() -> None:
    with pytest.raises(InputError, match="base_iri"):
        load_settings(environ={"INNOGRAPH_BASE_IRI": "https://example.org/id"})


def test_every_configuration_key_is_documented_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    for field in fields(Settings):
        assert re.search(rf"`{field.name}`.*`INNOGRAPH_{field.name.upper()}`", text), field.name
