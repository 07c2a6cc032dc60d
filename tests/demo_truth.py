"""The demo portfolio as plain Python: what the query-answer tests expect, computed without SPARQL.

Everything about projects, organisations, participations and grants is read here from the CSV files in
data/demo/ with the csv module. The few facts that only the programme graph holds (which component codes
exist and of which kind, the focus-area codes, which places are districts, counties or the development zone,
and the bureau that funds every grant) are written out by hand below, checked against
data/programme/5568.ttl. Nothing in this module reads the store or runs a query, so an answer it predicts
is independent of the query it is compared with.
"""

from __future__ import annotations

import csv
import itertools
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from pathlib import Path

DEMO = Path(__file__).parents[1] / "data" / "demo"

# --------------------------------------------------------------------------------------------------------------
# Facts of the programme graph (data/programme/5568.ttl), written by hand
# --------------------------------------------------------------------------------------------------------------

KIND_OF_LETTER = {"A": "Action", "P": "Platform", "S": "SpecialProject", "B": "ResearchBase"}
"""A component's class follows from the letter of its code: A1-A5 actions, P1-P5 platforms, S1-S6 special
projects, B1-B8 research bases ("5568")."""

COMPONENT_CODES = tuple(f"{letter}{number}" for letter, count in (("A", 5), ("P", 5), ("S", 6), ("B", 8))
                        for number in range(1, count + 1))

FOCUS_AREA_CODES = tuple(f"F{number:02d}" for number in range(1, 11))
"""The ten focus areas F01-F10 of the programme's concept scheme."""

DISTRICT_LEVEL_PLACES = {
    # ig:District
    "Chengzhong District", "Chengdong District", "Chengxi District", "Chengbei District", "Huangzhong District",
    # ig:County
    "Datong Hui and Tu Autonomous County", "Huangyuan County",
    # ig:DevelopmentZone
    "Xining Economic and Technological Development Zone",
}
"""The places (English labels) that are a district, county or development zone of Xining."""

DEVELOPMENT_ZONE = "Xining Economic and Technological Development Zone"
INDUSTRIAL_PARKS = {"Dongchuan Industrial Park", "Nanchuan Industrial Park", "Ganhe Industrial Park",
                    "Biological Science and Technology Industrial Park"}
"""The industrial parks, each ig:locatedIn the development zone."""

BUREAU = "Xining Municipal Science and Technology Bureau"
"""The programme graph's one organisation: a government agency located in Xining (the city, no district);
funding.csv names it as the funder of every grant."""
BUREAU_LOCATION = "Xining"

ORGANISATION_CLASSES = {"university": "University", "research_institute": "ResearchInstitute",
                        "enterprise": "Enterprise", "government_agency": "GovernmentAgency"}


def component_kind(code: str) -> str:
    """The class (local name) of the component with this code."""
    return KIND_OF_LETTER[code[0]]


def district_of(location: str | None) -> str | None:
    """The district, county or development zone an organisation at `location` counts for, if any: an
    industrial park counts for the development zone; the city itself, or no location, for none."""
    if location in INDUSTRIAL_PARKS:
        return DEVELOPMENT_ZONE
    if location in DISTRICT_LEVEL_PLACES:
        return location
    return None


# --------------------------------------------------------------------------------------------------------------
# The CSV files
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Organisation:
    name_en: str
    name_zh: str
    credit_code: str | None
    type: str
    location: str | None


@dataclass(frozen=True)
class Project:
    code: str
    title_en: str
    title_zh: str
    components: tuple[str, ...]
    focus_areas: tuple[str, ...]
    start_year: int | None
    end_year: int | None


@dataclass(frozen=True)
class Participation:
    project: str
    organisation: str  # English name
    role: str
    share: Decimal | None


@dataclass(frozen=True)
class Grant:
    grant_id: str
    project: str
    funder: str
    amount: Decimal
    currency: str
    year: int


def _rows(table: str) -> list[dict[str, str]]:
    with (DEMO / f"{table}.csv").open(encoding="utf-8-sig", newline="") as file:
        return [{key: (value or "").strip() for key, value in row.items()}
                for row in csv.DictReader(file) if any((value or "").strip() for value in row.values())]


def _list(cell: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in cell.replace("；", ";").split(";") if item.strip())


def _year(cell: str) -> int | None:
    return int(cell) if cell else None


class Portfolio:
    """The demo portfolio: the four tables, plus the bureau of the programme graph as an organisation."""

    def __init__(self) -> None:
        self.csv_organisations = [
            Organisation(row["name_en"], row["name_zh"], row["id"] or None, row["type"], row["location"] or None)
            for row in _rows("organisations")
        ]
        self.organisations = [*self.csv_organisations,
                              Organisation(BUREAU, "西宁市科学技术局", None, "government_agency", BUREAU_LOCATION)]
        self.projects = {
            row["code"]: Project(row["code"], row["title_en"], row["title_zh"], _list(row["component"]),
                                 _list(row["focus_areas"]), _year(row["start_year"]), _year(row["end_year"]))
            for row in _rows("projects")
        }
        self.participations = [
            Participation(row["project"], self.organisation(row["organisation"]).name_en, row["role"],
                          Decimal(row["funding_share"]) if row["funding_share"] else None)
            for row in _rows("participation")
        ]
        self.grants = [
            Grant(row["grant_id"], row["project"], row["funder"], Decimal(row["amount"].replace(",", "")),
                  row["currency"], int(row["year"]))
            for row in _rows("funding")
        ]

    def organisation(self, key: str) -> Organisation:
        """The organisation a participation row names: by unified social credit code or English name."""
        for organisation in self.organisations:
            if key in (organisation.credit_code, organisation.name_en):
                return organisation
        raise KeyError(f"participation.csv names an unknown organisation {key!r}")

    def by_name(self, name_en: str) -> Organisation:
        return next(o for o in self.organisations if o.name_en == name_en)

    # ---- derived facts -----------------------------------------------------------------------------------------

    @cached_property
    def participants(self) -> dict[str, set[str]]:
        """Project code -> the organisations with a participation row in it, in any role."""
        found: dict[str, set[str]] = {code: set() for code in self.projects}
        for participation in self.participations:
            found[participation.project].add(participation.organisation)
        return found

    @cached_property
    def lead(self) -> dict[str, str]:
        """Project code -> its lead organisation (projects with a lead only)."""
        return {p.project: p.organisation for p in self.participations if p.role == "lead"}

    @cached_property
    def cny_funding(self) -> dict[str, Decimal]:
        """Project code -> the sum of its grants in CNY (0 without any)."""
        total = {code: Decimal(0) for code in self.projects}
        for grant in self.grants:
            if grant.currency == "CNY":
                total[grant.project] += grant.amount
        return total

    def projects_under(self, component: str) -> set[str]:
        return {code for code, project in self.projects.items() if component in project.components}

    @cached_property
    def partners(self) -> dict[str, set[str]]:
        """Organisation -> the other organisations it shares at least one project with."""
        found: dict[str, set[str]] = defaultdict(set)
        for members in self.participants.values():
            for a, b in itertools.permutations(members, 2):
                found[a].add(b)
        return found

    @cached_property
    def shared_projects(self) -> dict[frozenset[str], set[str]]:
        """Unordered pair of different organisations -> the projects both take part in."""
        found: dict[frozenset[str], set[str]] = defaultdict(set)
        for code, members in self.participants.items():
            for a, b in itertools.combinations(sorted(members), 2):
                found[frozenset((a, b))].add(code)
        return found

    def hops_from(self, start: str, most: int) -> dict[str, int]:
        """Organisation -> fewest collaboration links from `start`, for those reached in 1..`most` links."""
        distance = {start: 0}
        frontier = [start]
        for step in range(1, most + 1):
            frontier = [b for a in frontier for b in sorted(self.partners[a]) if b not in distance]
            for organisation in frontier:
                distance.setdefault(organisation, step)
            frontier = list(dict.fromkeys(frontier))
        del distance[start]
        return distance


PORTFOLIO = Portfolio()
