"""The few exception classes innograph raises; each carries the HTTP status it maps to."""

from __future__ import annotations

from dataclasses import dataclass


class InnographError(Exception):
    """Base class: a problem we can explain to the user, never a bug."""

    status: int = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, object]:
        return {"error": type(self).__name__, "status": self.status, "message": self.message}


@dataclass(frozen=True)
class Position:
    """Where in an input a problem is: any of these may be unknown."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = [self.file or "<input>"]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        if self.field is not None:
            parts.append(f"field {self.field!r}")
        return ", ".join(parts)


class InputError(InnographError):
    """Bad input data: a file that does not parse or does not conform."""

    status = 400

    def __init__(self, message: str, position: Position | None = None) -> None:
        self.position = position or Position()
        super().__init__(f"{self.position}: {message}")
        self.reason = message

    def to_dict(self) -> dict[str, object]:
        data = super().to_dict()
        data["position"] = {k: v for k, v in vars(self.position).items() if v is not None}
        return data


class ValidationError(InnographError):
    """A graph that does not conform to the shapes; carries every violation found."""

    status = 400

    def __init__(self, violations: list[dict[str, str]]) -> None:
        self.violations = violations
        lines = [f"{len(violations)} SHACL violation(s):"]
        lines += [f"  {v['focus']} {v['path']}: {v['message']}" for v in violations[:50]]
        super().__init__("\n".join(lines))

    def to_dict(self) -> dict[str, object]:
        data = super().to_dict()
        data["violations"] = self.violations
        return data


class StoreError(InnographError):
    """The store is missing, locked or unreadable."""

    status = 503


class QueryError(InnographError):
    """A SPARQL query or update that does not parse or cannot run."""

    status = 400
