"""Funding rules the demo data cannot show: grants in another currency, and two grants of one project in one year.

The demo portfolio has only CNY grants and at most one grant per project and year, so a query that
summed every currency or counted projects instead of grants would pass the answer tests. Here two
grants are added to one project: one in USD, one more in CNY in the same year.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from click.testing import CliRunner

from innograph.cli import main
from innograph.config import Settings
from innograph.queries.catalogue import load_library
from innograph.queries.commands import store_engine
from innograph.queries.running import prepare, run

from .backends import Stores
from .conftest import DEMO
from .demo_truth import PORTFOLIO

pytestmark = pytest.mark.backends

PROJECT = "XN-2021-00004"
EXTRA = """@prefix ig: <https://w3id.org/innograph/def/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/innograph/id/project/xn-2021-00004/grant/extra-usd> a ig:Funding ;
    ig:funds <https://w3id.org/innograph/id/project/xn-2021-00004> ;
    ig:awardedBy <https://w3id.org/innograph/id/organization/xining-municipal-science-and-technology-bureau> ;
    ig:amount "1000"^^xsd:decimal ; ig:currency "USD" ; ig:year 2021 .
<https://w3id.org/innograph/id/project/xn-2021-00004/grant/extra-cny> a ig:Funding ;
    ig:funds <https://w3id.org/innograph/id/project/xn-2021-00004> ;
    ig:awardedBy <https://w3id.org/innograph/id/organization/xining-municipal-science-and-technology-bureau> ;
    ig:amount "5000"^^xsd:decimal ; ig:currency "CNY" ; ig:year 2021 .
"""


@pytest.fixture(scope="module")
def settings(stores: Stores, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("funding-rules")
    (folder / "extra-grants.ttl").write_text(EXTRA, encoding="utf-8")
    settings = Settings(store=stores.shared("funding-rules"))
    runner = CliRunner()
    for args in (["init"], ["load", "--quiet", str(DEMO)], ["load", "--quiet", str(folder / "extra-grants.ttl")]):
        result = runner.invoke(main, ["--store", settings.store, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return settings


def answer(settings: Settings, name: str, **given: str) -> list[dict]:
    engine = store_engine(settings)
    result = run(prepare(load_library()[name], given, engine), engine)
    return [{k: (v.toPython() if v is not None else None) for k, v in row.items()} for row in result.records()]


def test_funding_is_summed_per_currency_and_every_grant_counts(settings: Settings) -> None:
    component = PORTFOLIO.projects[PROJECT].components[0]
    demo = [g for g in PORTFOLIO.grants if g.year == 2021 and g.currency == "CNY"
            and PORTFOLIO.projects[g.project].components[0] == component]
    rows = {row["currency"]: row for row in answer(settings, "funding-by-year", year="2021")
            if row["code"] == component}
    assert set(rows) == {"CNY", "USD"}
    assert rows["CNY"]["grants"] == len(demo) + 1
    assert Decimal(rows["CNY"]["total"]) == sum(g.amount for g in demo) + 5000
    assert rows["USD"]["grants"] == 1 and Decimal(rows["USD"]["total"]) == 1000


def test_collaboration_totals_count_cny_only(settings: Settings) -> None:
    members = sorted(PORTFOLIO.participants[PROJECT])
    assert len(members) >= 2
    pair = frozenset(members[:2])
    expected = sum(PORTFOLIO.cny_funding[code] for code in PORTFOLIO.shared_projects[pair]) + 5000
    (row,) = [r for r in answer(settings, "collaboration-network") if frozenset((r["name_a"], r["name_b"])) == pair]
    assert Decimal(row["total_funding"]) == expected
