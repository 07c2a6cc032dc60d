"""Page benchmark: how long a resource page takes to render, on the demo data and on about 1M triples.

For each store it picks the organisation whose number of links is nearest to 300 (the issue's
"a resource with a few hundred links") and research base B2 (thousands of links at 1M), renders
their pages through the Flask app (no network), and prints the median time per page. The
baseline, measured in the same run, is reading the same resource's description from the store
(`service.resources.describe`), which every page needs: the ratio is what rendering, labels and
inference explanations add to it. Goals: under 100 ms on the demo data, under 300 ms at 1M.

    .venv/bin/python bench/pages.py [--store PATH] [--repeat 7]

Without `--store`, only the demo data is measured; `bench/queries.py` prints how to build a 1M
store, or pass one it left (`--store`).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from click.testing import CliRunner
from measuring import median_ms  # bench/ is the script's folder, first on sys.path

from innograph.cli import main
from innograph.config import Settings
from innograph.service import create_app
from innograph.service.resources import describe, page_url
from innograph.store import open_store

ROOT = Path(__file__).resolve().parents[1]
FEW_HUNDRED = """PREFIX ig: <https://w3id.org/innograph/def/>
SELECT ?thing (COUNT(*) AS ?links) WHERE { ?thing a ig:Organization { ?thing ?p ?o } UNION { ?s ?p ?thing } }
GROUP BY ?thing ORDER BY ABS(?links - 300) LIMIT 1"""
BASE = "https://w3id.org/innograph/id/programme/5568/base/tibetan-medicine"




def measure(label: str, settings: Settings, goal_ms: float, repeat: int) -> None:
    app = create_app(settings)
    client, store = app.test_client(), open_store(settings.store)
    organisation, links = store.query(FEW_HUNDRED).rows[0]
    for name, iri in (("organisation", str(organisation)), ("research base B2", BASE)):
        url = page_url(iri, settings.base_iri)
        assert client.get(url).status_code == 200, url
        page = median_ms(lambda u=url: client.get(u).data, repeat)
        bare = median_ms(lambda i=iri: describe(store, i, settings.graphs), repeat)
        links_of = int(links) if iri == str(organisation) else len(describe(store, iri, settings.graphs).triples())
        verdict = "met" if page < goal_ms else "NOT met"
        print(f"{label:<10} {name:<22} {links_of:>6} {bare:>12.1f} {page:>9.1f} {page / bare:>6.2f}  "
              f"{verdict} (< {goal_ms:.0f} ms)", flush=True)


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", help="a loaded store of about 1M triples (e.g. one bench/queries.py built)")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"{'data':<10} {'page':<22} {'links':>6} {'describe ms':>12} {'page ms':>9} {'ratio':>6}")
    with tempfile.TemporaryDirectory(prefix="innograph-bench-") as folder:
        demo = Settings(store=str(Path(folder) / "store"))
        for command in (["init"], ["load", "--quiet", str(ROOT / "data" / "demo")]):
            CliRunner().invoke(main, ["--store", demo.store, *command], catch_exceptions=False)
        measure("demo", demo, 100, args.repeat)
    if args.store:
        measure("1M", Settings(store=args.store), 300, args.repeat)


if __name__ == "__main__":
    main_()
