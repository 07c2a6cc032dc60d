"""Screenshots of the home page, a resource page and the network view for the README.

Run with `make screenshots`: it serves the demo store (built in a temporary folder) on a free port
of 127.0.0.1 and photographs three pages in Debian's Chromium through Playwright. Chinese labels
need a CJK font (`make screenshots` installs Debian's fonts-wqy-microhei when none is there).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import quote

from click.testing import CliRunner
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from innograph.cli import main
from innograph.config import Settings
from innograph.service import create_app

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
BASE = "https://w3id.org/innograph/id/"
PAGES = {
    "home.png": "/",
    "resource.png": "/page/programme/5568/base/tibetan-medicine",
    "network.png": "/network?iri=" + quote(BASE + "programme/5568/base/tibetan-medicine", safe="") + "&hops=2",
}
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def demo_store(folder: Path) -> Settings:
    settings = Settings(store=str(folder / "store"))
    for args in (["init"], ["load", "--quiet", str(ROOT / "data" / "demo")]):
        result = CliRunner().invoke(main, ["--store", settings.store, *args])
        if result.exit_code:
            sys.exit(result.output)
    return settings


def main_() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="innograph-screenshots-") as folder:
        server = make_server("127.0.0.1", 0, create_app(demo_store(Path(folder))), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        site = f"http://127.0.0.1:{server.server_port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                for name, path in PAGES.items():
                    page.goto(site + path, wait_until="networkidle")
                    page.wait_for_timeout(1500)  # let the network layout settle
                    page.screenshot(path=str(OUT / name))
                    print(OUT / name)
                browser.close()
        finally:
            server.shutdown()


if __name__ == "__main__":
    main_()
