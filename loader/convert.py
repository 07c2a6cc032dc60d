"""Rows of the four tables to RDF, checking every cell on the way and reporting every problem."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import RDF, RDFS, XSD
from tqdm import tqdm

from innograph.loader.context import Context
from innograph.loader.iris import grant_iri, organisation_iri, participation_iri, project_iri
from innograph.loader.report import Report
from innograph.loader.tables import Portfolio, Row, Rows
from innograph.namespaces import IG
from innograph.store.rdfio import TriplesFile, TriplesFileWriter, iri, literal

ORGANISATION_TYPES = {
    IG.University: {"university", "高校", "高等院校", "大学", "高等学校"},
    IG.ResearchInstitute: {"research_institute", "research institute", "institute", "科研院所", "研究所", "研究院"},
    IG.Enterprise: {"enterprise", "company", "企业", "公司"},
    IG.GovernmentAgency: {"government_agency", "government agency", "agency", "政府机构", "政府部门"},
}
ROLES = {IG.leadRole: {"lead", "牵头", "牵头单位", "负责单位"},
         IG.participantRole: {"participant", "参与", "参与单位", "合作单位"}}
USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
YEARS = (1949, 2100)
LIST_SEPARATORS = re.compile(r"[;；]")

T = {name: iri(str(IG[name])) for name in (
    "Project", "Participation", "Funding", "partOf", "hasFocusArea", "startYear", "endYear", "code",
    "concernsProject", "involvesOrganization", "hasRole", "fundingShare", "funds", "awardedBy", "amount",
    "currency", "year", "locatedIn", "isSubOrganizationOf", "unifiedSocialCreditCode")}
TYPE, LABEL = iri(str(RDF.type)), iri(str(RDFS.label))


@dataclass
class Conversion:
    """The graph made from a portfolio, written to a file, and the rows it read."""

    graph: TriplesFile
    rows_read: int
    origins: dict[str, tuple[str, int, int]]
    """The file and row each minted subject came from, to place SHACL violations (and a hash of the row)."""


@dataclass
class _Converter:
    base: str
    context: Context
    report: Report
    builder: TriplesFileWriter
    leads: dict[str, tuple[str, int]] = field(default_factory=dict)
    origins: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    """The file and row that defined each subject, and a hash of its values to tell a repeat from a conflict."""
    tick: Callable[[int], object] = lambda _: None
    rows_read: int = 0

    def each(self, rows: Iterable[Row]) -> Iterator[Row]:
        """The rows, counted, and counted on the progress bar."""
        for row in rows:
            yield row
            self.rows_read += 1
            self.tick(1)

    # --- cells ---------------------------------------------------------------------------------

    def problem(self, row: Row, name: str, rule: str, message: str) -> None:
        self.report.error(row.source, rule, message, row.number, row.columns.get(name, name), row.get(name) or None)

    def year(self, row: Row, name: str) -> int | None:
        text = row.get(name)
        if not text:
            return None
        if not re.fullmatch(r"[0-9]{4}", text):
            self.problem(row, name, "type.year", "a year is four digits, such as 2024")
            return None
        if not YEARS[0] <= int(text) <= YEARS[1]:
            self.problem(row, name, "range.year", f"a year is from {YEARS[0]} to {YEARS[1]}")
            return None
        return int(text)

    def decimal(self, row: Row, name: str, low: Decimal, high: Decimal | None = None) -> Decimal | None:
        text = row.get(name).replace(",", "")
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            self.problem(row, name, "type.decimal", "not a number")
            return None
        if not value.is_finite():
            self.problem(row, name, "type.decimal", "not a finite number")
        elif value < low:
            self.problem(row, name, "range.negative" if low == 0 else "range.minimum", f"must not be below {low}")
        elif high is not None and value > high:
            self.problem(row, name, "range.maximum", f"must not be above {high}")
        else:
            return value
        return None

    def required(self, row: Row, *names: str) -> bool:
        missing = [n for n in names if not row.get(n)]
        for name in missing:
            self.problem(row, name, "required", f"{name} is required")
        return not missing

    def one_of(self, row: Row, name: str, choices: dict) -> object | None:
        value = row.get(name).casefold().strip()
        for result, words in choices.items():
            if value in words:
                return result
        allowed = ", ".join(sorted(next(iter(sorted(w))) for w in choices.values()))
        self.problem(row, name, "value.unknown", f"unknown value; expected one of {allowed}")
        return None

    def reference(self, row: Row, name: str, kind: str, value: str | None = None) -> str | None:
        value = row.get(name) if value is None else value.strip()
        found = self.context.names[kind].resolve(value)
        if found is None:
            close = self.context.names[kind].suggestions(value)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            self.report.error(row.source, "reference.unknown", f"unknown {kind.replace('_', ' ')} {value!r}{hint}",
                              row.number, row.columns.get(name, name), value)
        return found

    def unique(self, row: Row, key: str, values: dict[str, str], what: str, column: str) -> bool:
        """False for a repeat of an earlier row (identical: skipped; different: an error)."""
        digest = hash(tuple(sorted(values.items())))  # 64 bits: a conflict is missed once in 2**64 repeats
        earlier = self.origins.get(key)
        if earlier is None:
            self.origins[key] = (row.source, row.number, digest)
            return True
        source, number, earlier_digest = earlier
        if earlier_digest != digest:
            self.problem(row, column, "duplicate.conflict", f"{what} is also defined at {source} "
                         f"row {number} with different data")
        return False

    # --- tables --------------------------------------------------------------------------------

    def organisations(self, rows: Rows) -> None:
        for row in rows:  # first pass: names, so that parents may be defined further down
            if row.get("name_en") or row.get("name_zh"):
                uid = row.get("id")
                self.context.names["organisation"].add(
                    organisation_iri(self.base, uid, row.get("name_en") or row.get("name_zh")),
                    uid, row.get("name_en"), row.get("name_zh"))
        for row in self.each(rows):
            if not (row.get("name_en") or row.get("name_zh")):
                self.problem(row, "name_en", "required", "name_en or name_zh is required")
                continue
            uid = row.get("id")
            subject = organisation_iri(self.base, uid, row.get("name_en") or row.get("name_zh"))
            key_column = "id" if uid else ("name_en" if row.get("name_en") else "name_zh")
            if not self.unique(row, subject, row.values, f"organisation {subject.rsplit('/', 1)[-1]!r}", key_column):
                continue
            if uid and not USCC.match(uid):
                self.problem(row, "id", "format.uscc", "a unified social credit code has 18 characters "
                             "(digits and capital letters except I, O, S, V, Z)")
            kind = self.one_of(row, "type", ORGANISATION_TYPES) if self.required(row, "type") else None
            place = self.reference(row, "location", "place") if row.get("location") else None
            parent = self.reference(row, "parent", "organisation") if row.get("parent") else None
            s = iri(subject)
            if kind is not None:
                self.builder.add(s, TYPE, iri(str(kind)))
            self.labels(s, row, "name_en", "name_zh")
            if uid:
                self.builder.add(s, T["unifiedSocialCreditCode"], literal(uid))
            if place:
                self.builder.add(s, T["locatedIn"], iri(place))
            if parent:
                self.builder.add(s, T["isSubOrganizationOf"], iri(parent))

    def projects(self, rows: Rows) -> None:
        for row in rows:
            if row.get("title_en") or row.get("title_zh") or row.get("code"):
                self.context.names["project"].add(
                    project_iri(self.base, row.get("code"), row.get("title_en") or row.get("title_zh")),
                    row.get("code"), row.get("title_en"), row.get("title_zh"))
        for row in self.each(rows):
            if not (row.get("title_en") or row.get("title_zh")):
                self.problem(row, "title_en", "required", "title_en or title_zh is required")
                continue
            subject = project_iri(self.base, row.get("code"), row.get("title_en") or row.get("title_zh"))
            key_column = "code" if row.get("code") else ("title_en" if row.get("title_en") else "title_zh")
            if not self.unique(row, subject, row.values, f"project {subject.rsplit('/', 1)[-1]!r}", key_column):
                continue
            s = iri(subject)
            self.builder.add(s, TYPE, T["Project"])
            self.labels(s, row, "title_en", "title_zh")
            if row.get("code"):
                self.builder.add(s, T["code"], literal(row.get("code")))
            if self.required(row, "component"):
                for value in _split(row.get("component")):
                    if (component := self.reference(row, "component", "component", value)) is not None:
                        self.builder.add(s, T["partOf"], iri(component))
            for value in _split(row.get("focus_areas")):
                if (area := self.reference(row, "focus_areas", "focus_area", value)) is not None:
                    self.builder.add(s, T["hasFocusArea"], iri(area))
            start, end = self.year(row, "start_year"), self.year(row, "end_year")
            if start is not None and end is not None and end < start:
                self.problem(row, "end_year", "range.order", f"the end year {end} is before the start year {start}")
            for name, year in (("startYear", start), ("endYear", end)):
                if year is not None:
                    self.builder.add(s, T[name], literal(str(year), datatype=str(XSD.integer)))

    def participation(self, rows: Rows) -> None:
        for row in self.each(rows):
            if not self.required(row, "project", "organisation", "role"):
                continue
            project = self.reference(row, "project", "project")
            organisation = self.reference(row, "organisation", "organisation")
            role = self.one_of(row, "role", ROLES)
            share = self.decimal(row, "funding_share", Decimal(0), Decimal(1))
            if project is None or organisation is None or role is None:
                continue
            subject = participation_iri(project, organisation)
            if not self.unique(row, subject, row.values, "this participation", "organisation"):
                continue
            if role == IG.leadRole:
                if project in self.leads:
                    source, number = self.leads[project]
                    self.problem(row, "role", "lead.twice", f"the project already has a lead at {source} "
                                 f"row {number}")
                    continue
                self.leads[project] = (row.source, row.number)
            s = iri(subject)
            self.builder.add(s, TYPE, T["Participation"])
            self.builder.add(s, T["concernsProject"], iri(project))
            self.builder.add(s, T["involvesOrganization"], iri(organisation))
            self.builder.add(s, T["hasRole"], iri(str(role)))
            if share is not None:
                self.builder.add(s, T["fundingShare"], literal(str(share), datatype=str(XSD.decimal)))

    def funding(self, rows: Rows) -> None:
        for row in self.each(rows):
            if not self.required(row, "project", "funder", "amount", "currency", "year"):
                continue
            project = self.reference(row, "project", "project")
            funder = self.reference(row, "funder", "organisation")
            amount = self.decimal(row, "amount", Decimal(0))
            year = self.year(row, "year")
            currency = row.get("currency").upper()
            if not CURRENCY.match(currency):
                self.problem(row, "currency", "format.currency", "a currency is a three-letter ISO 4217 code")
                continue
            if project is None or funder is None or amount is None or year is None:
                continue
            subject = grant_iri(project, row.get("grant_id"), funder, str(amount), currency, str(year))
            key_column = "grant_id" if row.get("grant_id") else "project"
            if not self.unique(row, subject, row.values, "this grant", key_column):
                continue
            s = iri(subject)
            self.builder.add(s, TYPE, T["Funding"])
            self.builder.add(s, T["funds"], iri(project))
            self.builder.add(s, T["awardedBy"], iri(funder))
            self.builder.add(s, T["amount"], literal(str(amount), datatype=str(XSD.decimal)))
            self.builder.add(s, T["currency"], literal(currency))
            self.builder.add(s, T["year"], literal(str(year), datatype=str(XSD.integer)))
            if row.get("grant_id"):
                self.builder.add(s, T["code"], literal(row.get("grant_id")))

    def labels(self, subject: object, row: Row, english: str, chinese: str) -> None:
        for name, language in ((english, "en"), (chinese, "zh")):
            if row.get(name):
                self.builder.add(subject, LABEL, literal(row.get(name), language=language))

    def warn_missing_leads(self, rows: Rows) -> None:
        for row in rows:
            project = self.context.names["project"].resolve(row.get("code") or row.get("title_en")
                                                            or row.get("title_zh"))
            if project and project not in self.leads:
                self.report.warning(row.source, "lead.missing", "the project has no lead organisation", row.number)


def _split(text: str) -> list[str]:
    return [part.strip() for part in LIST_SEPARATORS.split(text) if part.strip()]


def convert(portfolio: Portfolio, base: str, context: Context, report: Report, source: str, output: Path,
            show_progress: bool = False) -> Conversion:
    """Check every row and write the source's graph to N-Triples files named `output`-1.nt, -2, ... in its
    folder; problems go to `report`.

    With `show_progress`, a bar with the rate in rows per second appears on stderr once the work
    has taken more than a second.
    """
    with tqdm(total=len(portfolio), unit=" rows", desc=Path(source).name, delay=1.0, file=sys.stderr,
              disable=not show_progress) as bar:
        converter = _Converter(base, context, report, TriplesFileWriter(output.parent, output.name), tick=bar.update)
        converter.organisations(portfolio.rows["organisations"])
        converter.projects(portfolio.rows["projects"])
        converter.participation(portfolio.rows["participation"])
        converter.funding(portfolio.rows["funding"])
        bar.total = bar.n  # a CSV file's estimate counted its lines
    if portfolio.rows["participation"]:
        converter.warn_missing_leads(portfolio.rows["projects"])
    return Conversion(converter.builder.close(), converter.rows_read, converter.origins)
