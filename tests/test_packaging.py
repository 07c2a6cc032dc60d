"""The wheel carries everything: installed outside the checkout, `innograph init` works."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True)
    return next(out.glob("innograph-*.whl"))


def test_the_wheel_ships_the_ontology_shapes_and_programme_graph(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("innograph/ontology/innograph.ttl", "innograph/ontology/shapes.ttl",
                 "innograph/data/programme/5568.ttl", "innograph/data/programme/5568-programme-article.txt",
                 "innograph/cli.py", "innograph/store/embedded.py", "innograph/ontology/rules.py",
                 "innograph/queries/components.rq", "innograph/service/templates/query.html",
                 "innograph/service/static/innograph.js"):
        assert name in names, name
    assert not any(name.startswith(("ontology/", "tests/", "loader/")) for name in names)


@pytest.mark.slow
def test_innograph_init_runs_from_a_fresh_virtual_environment_outside_the_checkout(
        wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", str(wheel)], check=True, capture_output=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    init = subprocess.run([str(venv / "bin" / "innograph"), "--store", "store", "init"], cwd=work,
                          capture_output=True, text=True)
    assert init.returncode == 0, init.stderr
    stats = subprocess.run([str(venv / "bin" / "innograph"), "--store", "store", "stats"], cwd=work,
                           capture_output=True, text=True)
    assert stats.returncode == 0, stats.stderr
    assert "ig:ResearchBase" in stats.stdout
    components = subprocess.run([str(venv / "bin" / "innograph"), "--store", "store", "run", "components",
                                 "--format", "json"], cwd=work, capture_output=True, text=True)
    assert components.returncode == 0, components.stderr
    assert json.loads(components.stdout)["row_count"] == 24  # 5 actions, 5 platforms, 6 special projects, 8 bases
    imported_from = subprocess.run([str(venv / "bin" / "python"), "-c", "import innograph; print(innograph.__file__)"],
                                   cwd=work, capture_output=True, text=True).stdout
    assert str(ROOT) not in imported_from
