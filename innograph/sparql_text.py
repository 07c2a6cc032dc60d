"""A lexical scan of SPARQL text: where strings, IRIs, comments, words and brackets are.

Not a parser: it only lets code find positions (the WHERE group, bracket depth, a keyword)
without mistaking a brace or a keyword inside a string, an IRI or a comment for syntax.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

IRI = re.compile(r"<(?:[^<>\"{}|^`\\\s]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>")  # escapes as pyoxigraph reads
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NAME_REST = re.compile(r"[^\s{}()<>\[\],;.\"'#]*")


@dataclass(frozen=True)
class Token:
    """One lexical piece: kind is comment, string, iri, word, name (variable, prefixed name, number) or punct."""

    kind: str
    start: int
    end: int
    text: str


def tokens(text: str) -> Iterator[Token]:
    """The tokens of `text` in order; whitespace is skipped."""
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "#":
            end = text.find("\n", i)
            end = len(text) if end < 0 else end + 1
            kind = "comment"
        elif ch in "\"'":
            end, kind = _string_end(text, i), "string"
        elif ch == "<" and (match := IRI.match(text, i)):
            end, kind = match.end(), "iri"
        elif ch in "?$:" or ch.isdigit():
            end, kind = NAME_REST.match(text, i + 1).end(), "name"  # type: ignore[union-attr]
        elif match := WORD.match(text, i):
            end = match.end()
            kind = "word"
            if text.startswith(":", end):  # a prefixed name such as ex:where
                end, kind = NAME_REST.match(text, end + 1).end(), "name"  # type: ignore[union-attr]
        else:
            end, kind = i + 1, "punct"
        yield Token(kind, i, end, text[i:end])
        i = end


def _string_end(text: str, i: int) -> int:
    quote = text[i] * 3 if text.startswith(text[i] * 3, i) else text[i]
    j = i + len(quote)
    while j < len(text):
        if text[j] == "\\":
            j += 2
        elif text.startswith(quote, j):
            return j + len(quote)
        else:
            j += 1
    return len(text)


QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first of these keywords in the text, or None."""
    for token in tokens(text):
        if token.kind == "word" and token.text.upper() in QUERY_FORMS:
            return token.text.upper()
    return None


def without_comments(text: str) -> str:
    """The text with each comment replaced by the end of its line, so that line numbers stay the same."""
    pieces, last = [], 0
    for token in tokens(text):
        if token.kind == "comment":
            pieces.append(text[last:token.start] + ("\n" if token.text.endswith("\n") else ""))
            last = token.end
    return "".join(pieces) + text[last:]


def whole_store_operation(update: str) -> bool:
    """Whether the update is only DROP or CLEAR of ALL or NAMED graphs (with SILENT or not), once or more."""
    words = [t.text.upper() for t in tokens(update) if t.kind != "comment"]
    operations = " ".join(words).split(" ; ")
    return bool(words) and all(
        op.strip().rstrip(" ;").replace(" SILENT", "") in ("DROP ALL", "DROP NAMED", "CLEAR ALL", "CLEAR NAMED")
        for op in operations if op.strip(" ;"))


ABSOLUTE_IRI = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]*:")


def has_relative_iri(text: str) -> bool:
    """Whether the text writes an IRI without a scheme, which only a base IRI can resolve."""
    return any(t.kind == "iri" and not ABSOLUTE_IRI.match(t.text) for t in tokens(text))


def nesting_depth(text: str) -> int:
    """The deepest nesting of braces, parentheses and brackets outside strings, IRIs and comments."""
    depth = deepest = 0
    for token in tokens(text):
        if token.kind == "punct":
            if token.text in "{([":
                depth += 1
                deepest = max(deepest, depth)
            elif token.text in "})]":
                depth -= 1
    return deepest


def has_keyword(text: str, keyword: str) -> bool:
    """Whether `keyword` appears as a SPARQL keyword, not inside a string, IRI, comment or name."""
    return keyword_count(text, keyword) > 0


def keyword_count(text: str, keyword: str) -> int:
    """How many times `keyword` appears as a SPARQL keyword, not inside a string, IRI, comment or name."""
    wanted = keyword.upper()
    return sum(1 for t in tokens(text) if t.kind == "word" and t.text.upper() == wanted)


def _top_level(text: str) -> Iterator[tuple[Token, Token | None]]:
    """The tokens outside every bracket, each with the token before it; comments are skipped."""
    depth, previous = 0, None
    for token in tokens(text):
        if token.kind == "comment":
            continue
        if token.kind == "punct" and token.text in "{([":
            depth += 1
        elif token.kind == "punct" and token.text in "})]":
            depth -= 1
        elif depth == 0:
            yield token, previous
        previous = token


def with_row_limit(text: str, cap: int) -> tuple[str, bool]:
    """A SELECT query that returns at most cap + 1 rows, and whether it could return more than `cap`.

    The query's own top-level LIMIT is kept when it is within the cap and lowered otherwise; a query
    without one gets `LIMIT cap+1`, before a trailing VALUES clause if there is one. One row over the
    cap tells the caller that the answer was cut.
    """
    limit, trailing_values = None, None
    for token, previous in _top_level(text):
        if token.kind == "word" and token.text.upper() == "VALUES":
            trailing_values = token
        elif token.kind == "name" and previous is not None and previous.kind == "word" \
                and previous.text.upper() == "LIMIT" and token.text.isdigit():
            limit = token
    if limit is not None:
        if int(limit.text) <= cap:
            return text, False
        return text[:limit.start] + str(cap + 1) + text[limit.end:], True
    clause = f"\nLIMIT {cap + 1}\n"
    if trailing_values is not None:
        return text[:trailing_values.start] + clause + text[trailing_values.start:], True
    return text + clause, True


def without_top_limit(text: str) -> tuple[str, int | None, int]:
    """(text without its top-level LIMIT and OFFSET, the limit, the offset) for a query that also has a
    top-level ORDER BY; (text, None, 0) for any other."""
    ordered, found = False, {}
    for token, previous in _top_level(text):
        if token.kind == "word" and token.text.upper() == "ORDER":
            ordered = True
        elif token.kind == "name" and token.text.isdigit() and previous is not None \
                and previous.kind == "word" and previous.text.upper() in ("LIMIT", "OFFSET"):
            found[previous.text.upper()] = (previous.start, token.end, int(token.text))
    if not ordered or "LIMIT" not in found:
        return text, None, 0
    for start, end, _ in sorted(found.values(), reverse=True):
        text = text[:start] + " " * (end - start) + text[end:]
    return text, found["LIMIT"][2], found.get("OFFSET", (0, 0, 0))[2]


def with_using(update: str, using: list[str], using_named: list[str]) -> str:
    """The update with `USING` / `USING NAMED` clauses (already written terms) before each operation's WHERE.

    This is how the protocol's using-graph-uri and using-named-graph-uri parameters become the
    dataset of every DELETE/INSERT ... WHERE operation, since the store's update call takes no
    dataset. `DELETE WHERE` takes no USING, and is left as it is.
    """
    clauses = "".join(f" USING {term}" for term in using) + "".join(f" USING NAMED {term}" for term in using_named)
    if not clauses:
        return update
    positions = [token.start for token, previous in _top_level(update)
                 if token.kind == "word" and token.text.upper() == "WHERE"
                 and previous is not None and previous.text == "}"]
    for position in reversed(positions):
        update = update[:position] + clauses.lstrip() + " " + update[position:]
    return update
