"""The four tables of a portfolio and the fields each one has: the loader's canonical layout."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Field:
    """One column of a table: its canonical name, kind of value, and whether it must be filled."""

    name: str
    kind: str  # text, integer, year, decimal, share, list, reference
    required: bool = False
    description: str = ""


@dataclass(frozen=True)
class TableSpec:
    """One table of the portfolio layout."""

    name: str
    fields: tuple[Field, ...]
    description: str = ""

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]


ORGANISATIONS = TableSpec("organisations", (
    Field("id", "text", description="unified social credit code (18 characters), if the organisation has one"),
    Field("name_en", "text", description="English name; name_en or name_zh is required"),
    Field("name_zh", "text", description="Chinese name; name_en or name_zh is required"),
    Field("type", "text", True,
          "university, research_institute, enterprise or government_agency (or 高校, 科研院所, 企业, 政府机构)"),
    Field("location", "reference", description="district, county or other place, by name in English or Chinese"),
    Field("parent", "reference", description="the organisation this one is part of, by id or name"),
), "Universities, research institutes, enterprises and agencies that lead, join or fund projects.")

PROJECTS = TableSpec("projects", (
    Field("code", "text", description="project number; the project's IRI is minted from it when present"),
    Field("title_en", "text", description="English title; title_en or title_zh is required"),
    Field("title_zh", "text", description="Chinese title; title_en or title_zh is required"),
    Field("component", "list", True, "programme component(s) by code (B2) or label, separated by ';'"),
    Field("focus_areas", "list", description="focus area(s) by code (F03) or label, separated by ';'"),
    Field("start_year", "year", description="year the project starts"),
    Field("end_year", "year", description="year the project ends, not before the start"),
), "Projects carried out under the programme's components.")

PARTICIPATION = TableSpec("participation", (
    Field("project", "reference", True, "the project, by code or title"),
    Field("organisation", "reference", True, "the organisation, by id or name"),
    Field("role", "text", True, "lead or participant (or 牵头, 参与)"),
    Field("funding_share", "share", description="fraction of the project's funding for this organisation, 0 to 1"),
), "Which organisations take part in which project, and which one leads it.")

FUNDING = TableSpec("funding", (
    Field("grant_id", "text", description="grant number, if any; otherwise the grant's IRI comes from its content"),
    Field("project", "reference", True, "the funded project, by code or title"),
    Field("funder", "reference", True, "the organisation giving the money, by id or name"),
    Field("amount", "decimal", True, "amount of money, not negative"),
    Field("currency", "text", True, "ISO 4217 code such as CNY"),
    Field("year", "year", True, "year of the award"),
), "Grants to projects.")

TABLES: dict[str, TableSpec] = {t.name: t for t in (ORGANISATIONS, PROJECTS, PARTICIPATION, FUNDING)}


@dataclass(slots=True)
class Row:
    """One row as read: where it came from and its values by canonical field name."""

    source: str
    number: int
    values: dict[str, str] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    """The source column each canonical field was read from, for error reports (one dict per table)."""

    def get(self, name: str) -> str:
        return self.values.get(name, "").strip()


class Rows:
    """The rows of one table, from one or more parts, read afresh on every pass over them.

    A CSV part reads its file again on each pass rather than holding its rows, so a portfolio of
    millions of rows is never all in memory; the other readers' parts are lists.
    """

    def __init__(self) -> None:
        self._parts: list[Callable[[], Iterable[Row]]] = []
        self.estimate = 0
        """How many rows the parts have, or a little more (a CSV part counts its lines)."""

    def add(self, part: Callable[[], Iterable[Row]] | list[Row], estimate: int | None = None) -> None:
        if isinstance(part, list):
            rows = part
            self._parts.append(lambda: rows)
            self.estimate += len(rows)
        else:
            self._parts.append(part)
            self.estimate += estimate or 0

    def __iter__(self) -> Iterator[Row]:
        for part in self._parts:
            yield from part()

    def __bool__(self) -> bool:
        return any(True for _ in self)


@dataclass
class Portfolio:
    """The rows of the four tables of one source."""

    rows: dict[str, Rows] = field(default_factory=lambda: {name: Rows() for name in TABLES})

    def __len__(self) -> int:
        """About how many rows there are: exactly, except that a CSV file's count is of its lines."""
        return sum(rows.estimate for rows in self.rows.values())
