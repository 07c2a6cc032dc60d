"""Problems found in input, collected all at once and shown as a table or JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from innograph.errors import InnographError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, and exactly where."""

    file: str
    rule: str
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    severity: str = "error"  # or "warning", which does not block a load
    line: int | None = None
    """For RDF sources: the line, with `column` the character position in it."""

    def where(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column:
            parts.append(f"column {self.column}" if self.column.isdigit() else f"column {self.column!r}")
        return ", ".join(parts)


@dataclass
class Report:
    """Every problem of a load or validation, errors and warnings."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def error(self, file: str, rule: str, message: str, row: int | None = None, column: str | None = None,
              value: str | None = None) -> None:
        self.add(Problem(file, rule, message, row, column, value))

    def warning(self, file: str, rule: str, message: str, row: int | None = None, column: str | None = None,
                value: str | None = None) -> None:
        self.add(Problem(file, rule, message, row, column, value, "warning"))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def to_json(self) -> str:
        return json.dumps({"errors": len(self.errors), "warnings": len(self.warnings),
                           "problems": [asdict(p) for p in self.problems]}, ensure_ascii=False, indent=2)

    def to_table(self) -> str:
        """A readable table: severity, place, rule, value and message, one problem a line."""
        if not self.problems:
            return "no problems found"
        header = ("severity", "where", "rule", "value", "message")
        rows = [(p.severity, p.where(), p.rule, "" if p.value is None else repr(p.value)[:40], p.message)
                for p in self.problems]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
        lines = ["  ".join(h.ljust(w) for h, w in zip(header, [*widths, 0], strict=True)).rstrip()]
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, [*widths, 0], strict=True)).rstrip() for r in rows]
        lines.append(f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)")
        return "\n".join(lines)


class LoadRefused(InnographError):
    """A load or validation that found errors: nothing was written."""

    status = 400

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__(report.to_table())

    def to_dict(self) -> dict[str, object]:
        data = super().to_dict()
        data["problems"] = [asdict(p) for p in self.report.problems]
        return data
