"""`screening match`: match one name, or a file of names, against the watchlists.

Typer only: options -> lists (`screening.watchlist`) -> cached index (`screening.index_cache`)
-> `MatchIndex.search` -> output. Default lists come from the configuration (`watchlists`,
`allowlists`) or `-w`/`-a`; with none, the command refuses (exit 6, like `screen`'s
`no_watchlist`): it never silently matches against the shipped demo lists. The exit code
is the strongest watchlist match over all queries: 4 strong, 3 possible, 0 none; a query
that cannot be read (bad JSON line) is reported in the output and makes the run exit at
least 5. Names from the lists and the queries are printed as plain `Text` with control
characters escaped.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path  # noqa: TC003 - Typer reads the annotations at run time
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from screening.cli.app import ExitCode, OutputFormat, app, err_console, out_console
from screening.errors import WatchlistError
from screening.model import EntityKind, ListRole, MatchStrength

if TYPE_CHECKING:
    from collections.abc import Iterator

    from screening.matching import MatchIndex
    from screening.model import ListInfo, Match, Watchlist
    from screening.writers import CsvRows

__all__ = ["MAX_QUERY_CHARS", "Query", "match_command"]

#: A query line longer than this is refused (no name is this long; bounds the work).
MAX_QUERY_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Query:
    """One query: the name, its kind and optional evidence (or why it could not be read).

    `ref` is the caller's own id from a JSON input line, echoed back; `line` is 1-based.
    """

    query: str
    kind: EntityKind | None
    evidence: dict[str, str] = field(default_factory=dict)
    line: int = 0
    ref: object = None
    error: str | None = None


def _plain(value: object) -> str:
    """Untrusted text with control characters (ESC, newlines, NUL) shown as escapes."""
    return "".join(
        ch if ch.isprintable() or ch == " " else f"\\x{ord(ch):02x}" for ch in str(value)
    )


def _parse_line(text: str, number: int, default_kind: EntityKind | None) -> Query | None:
    """A query from one input line: plain text, or a JSON object with `query` and evidence."""
    line = text.strip()
    if not line:
        return None
    if len(line) > MAX_QUERY_CHARS:
        return Query("", None, {}, line=number, error="query_too_long")
    if not line.startswith("{"):
        return Query(line, default_kind, {}, line=number)
    try:
        obj = json.loads(line)
    except json.JSONDecodeError:
        return Query("", None, {}, line=number, error="invalid_json")
    name = obj.get("query") if isinstance(obj, dict) else None
    if not isinstance(name, str) or not name.strip():
        return Query("", None, {}, line=number, error="missing_query")
    kind = default_kind
    if obj.get("kind") is not None:
        try:
            kind = EntityKind(str(obj["kind"]).lower())
        except ValueError:
            return Query("", None, {}, line=number, error="invalid_kind")
    evidence = {
        k: str(obj[k])
        for k in ("dob", "nationality", "document_number", "registration_number")
        if obj.get(k) not in (None, "")
    }
    return Query(name, kind, evidence, line=number, ref=obj.get("id"))


def _read_queries(path: Path, default_kind: EntityKind | None) -> Iterator[Query]:
    if str(path) == "-":
        lines = sys.stdin
        for number, text in enumerate(lines, 1):
            query = _parse_line(text, number, default_kind)
            if query is not None:
                yield query
        return
    try:
        handle = path.open(encoding="utf-8", errors="replace")
    except OSError:
        raise typer.BadParameter(f"cannot read {path}", param_hint="--input") from None
    with handle:
        for number, text in enumerate(handle, 1):
            query = _parse_line(text, number, default_kind)
            if query is not None:
                yield query


def _load_lists(
    watch: tuple[Path, ...], allow: tuple[Path, ...], max_age: float | None
) -> tuple[Watchlist, ...]:
    from screening.watchlist import load_watchlist  # noqa: PLC0415 - keep start-up light

    lists = [load_watchlist(p, role=ListRole.WATCHLIST, max_age_days=max_age) for p in watch]
    lists += [load_watchlist(p, role=ListRole.ALLOWLIST, max_age_days=max_age) for p in allow]
    for wl in lists:
        if wl.info.stale:
            err_console.print(
                Text(f"warning: list {_plain(wl.info.name)} is older than {max_age:g} days")
            )
        if not wl.entries:
            err_console.print(Text(f"warning: list {_plain(wl.info.name)} has no entries"))
    return tuple(lists)


def _list_json(info: ListInfo) -> dict[str, object]:
    return {
        "name": info.name,
        "role": str(info.role),
        "entries": info.entries,
        "sha256": info.sha256,
        "age_days": None if info.age_days is None else round(info.age_days, 2),
        "stale": info.stale,
    }


def _candidate_json(rank: int, match: Match, roles: dict[str, str]) -> dict[str, Any]:
    return {
        "rank": rank,
        "entity_id": match.entry.id,
        "list": match.list_name,
        "role": roles.get(match.list_name, "watchlist"),
        "kind": str(match.entry.kind),
        "score": match.score,
        "strength": None if match.strength is None else str(match.strength),
        "matched_name": match.matched_name,
        "name": match.entry.name,
        "explanation": list(match.explanation),
    }


def _result_json(query: Query, matches: tuple[Match, ...], roles: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "query": query.query,
        "kind": None if query.kind is None else str(query.kind),
    }
    if query.ref is not None:
        out["id"] = query.ref
    if query.line:
        out["line"] = query.line
    if query.error is not None:
        out["error"] = query.error
    out["candidates"] = [_candidate_json(i, m, roles) for i, m in enumerate(matches, 1)]
    return out


_CSV_COLUMNS = (
    "query",
    "kind",
    "id",
    "line",
    "error",
    "rank",
    "entity_id",
    "list",
    "role",
    "entity_kind",
    "score",
    "strength",
    "matched_name",
    "name",
    "explanation",
)


def _write_csv(rows: CsvRows, result: dict[str, Any]) -> None:
    """One row per candidate; a query without any still gets one row (nothing goes missing)."""
    base = {key: result.get(key) for key in ("query", "kind", "id", "line", "error")}
    for candidate in result["candidates"] or [{}]:
        rows.write(
            {
                **base,
                **{k: v for k, v in candidate.items() if k not in {"kind", "explanation"}},
                "entity_kind": candidate.get("kind"),
                "explanation": "; ".join(candidate.get("explanation") or ()),
            }
        )


def _table(query: Query, matches: tuple[Match, ...], roles: dict[str, str]) -> Table:
    title = Text("Matches for ")
    title.append(_plain(query.query), style="bold")
    table = Table(title=title, show_lines=False, expand=False)
    for column in ("#", "score", "strength", "list", "id", "matched name", "why"):
        table.add_column(column, overflow="fold")
    for rank, match in enumerate(matches, 1):
        strength = "-" if match.strength is None else str(match.strength).upper()
        style = {"STRONG": "bold red", "POSSIBLE": "yellow"}.get(strength, "")
        list_label = match.list_name
        if roles.get(match.list_name) == str(ListRole.ALLOWLIST):
            list_label += " (allowlist)"
        table.add_row(
            Text(str(rank)),
            Text(f"{match.score:.1f}"),
            Text(strength, style=style),
            Text(_plain(list_label)),
            Text(_plain(match.entry.id)),
            Text(_plain(match.matched_name)),
            Text(_plain("; ".join(match.explanation))),
        )
    return table


def _worst(code: ExitCode, other: ExitCode) -> ExitCode:
    order = (ExitCode.ALERT, ExitCode.NO_RESULT, ExitCode.REVIEW, ExitCode.CLEAR)
    for candidate in order:
        if candidate in (code, other):
            return candidate
    return code


def _code_for(matches: tuple[Match, ...], roles: dict[str, str]) -> ExitCode:
    flagged = [m for m in matches if roles.get(m.list_name) != str(ListRole.ALLOWLIST)]
    if any(m.strength is MatchStrength.STRONG for m in flagged):
        return ExitCode.ALERT
    if any(m.strength is MatchStrength.POSSIBLE for m in flagged):
        return ExitCode.REVIEW
    return ExitCode.CLEAR


@app.command("match")
def match_command(
    name: Annotated[
        str | None, typer.Argument(help="The name to match (omit with --input).")
    ] = None,
    kind: Annotated[
        EntityKind | None,
        typer.Option("--kind", "-k", help="person or organization; default: both."),
    ] = None,
    dob: Annotated[
        str | None, typer.Option("--dob", help="Date of birth, YYYY-MM-DD or YYYY (evidence).")
    ] = None,
    nationality: Annotated[
        str | None, typer.Option("--nationality", help="Nationality, ICAO code such as IDN.")
    ] = None,
    document_number: Annotated[
        str | None,
        typer.Option("--document-number", help="Passport/ID or registration number (evidence)."),
    ] = None,
    input_file: Annotated[
        Path | None,
        typer.Option(
            "--input",
            "-i",
            help="One query per line: plain text, or JSON with query, kind, dob, nationality, "
            "document_number, id. '-' reads standard input.",
        ),
    ] = None,
    watchlist: Annotated[
        list[Path] | None,
        typer.Option("--watchlist", "-w", help="Watchlist file; repeatable. Default: config."),
    ] = None,
    allowlist: Annotated[
        list[Path] | None,
        typer.Option("--allowlist", "-a", help="Allowlist file; repeatable. Default: config."),
    ] = None,
    possible: Annotated[
        float | None,
        typer.Option("--possible", min=0, max=100, help="Score for a possible match (default 80)."),
    ] = None,
    strong: Annotated[
        float | None,
        typer.Option("--strong", min=0, max=100, help="Score for a strong match (default 90)."),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, max=100, help="Candidates shown.")
    ] = 5,
    min_score: Annotated[
        float | None,
        typer.Option("--min-score", min=0, max=100, help="Show candidates from this score."),
    ] = None,
    output: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="table, json, jsonl (one query per line) or csv (one row per candidate).",
        ),
    ] = OutputFormat.TABLE,
    cache_dir: Annotated[
        Path | None, typer.Option("--cache-dir", help="Index cache folder (default: XDG cache).")
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Build the index in memory only.")
    ] = False,
) -> ExitCode:
    """Match a name against the watchlists and print ranked candidates with explanations.

    Exit 4 when a watchlist match is strong, 3 when one is possible, 0 when none is; 5 when an
    --input line could not be read; 6 when a list cannot be loaded.

    Example: screening match "H. Soeparman" --kind person --dob 1971-05-09
    """
    from screening.config import effective_config  # noqa: PLC0415
    from screening.index_cache import load_index  # noqa: PLC0415
    from screening.writers import CsvRows  # noqa: PLC0415

    if (name is None) == (input_file is None):
        raise typer.BadParameter("give either a NAME or --input FILE")
    if name is not None and not name.strip():
        raise typer.BadParameter("the name is empty")
    config = effective_config(
        {
            "watchlists": watchlist,
            "allowlists": allowlist,
            "possible_threshold": possible,
            "strong_threshold": strong,
        }
    )
    watch, allow = config.watchlists, config.allowlists
    if not watch and not allow:
        raise WatchlistError(
            "No watchlist given or configured: pass --watchlist FILE or set `watchlists` in "
            "the configuration.",
            code="no_watchlist",
        )
    lists = _load_lists(watch, allow, config.max_list_age_days)
    index: MatchIndex = load_index(lists, cache_dir=cache_dir, use_cache=not no_cache)
    roles = {wl.info.name: str(wl.info.role) for wl in lists}
    lists_json = [_list_json(wl.info) for wl in lists]

    if name is not None:
        evidence = {
            "dob": dob or "",
            "nationality": nationality or "",
            "document_number": document_number or "",
        }
        queries: Iterator[Query] = iter(
            [Query(name, kind, {k: v for k, v in evidence.items() if v})]
        )
    else:
        assert input_file is not None  # noqa: S101 - checked above
        queries = _read_queries(input_file, kind)

    code = ExitCode.CLEAR
    results: list[dict[str, Any]] = []
    rows = CsvRows(sys.stdout, _CSV_COLUMNS) if output is OutputFormat.CSV else None
    for query in queries:
        matches: tuple[Match, ...] = ()
        if query.error is None:
            matches = index.search(
                query.query,
                kind=query.kind,
                evidence=query.evidence,
                possible=config.possible_threshold,
                strong=config.strong_threshold,
                limit=limit,
                min_score=min_score,
            )
            code = _worst(code, _code_for(matches, roles))
        else:
            code = _worst(code, ExitCode.NO_RESULT)
        result = _result_json(query, matches, roles)
        if output is OutputFormat.JSONL:
            line = json.dumps({"schema_version": "1", **result, "lists": lists_json})
            out_console.file.write(line + "\n")
            out_console.file.flush()
        elif output is OutputFormat.JSON:
            results.append(result)
        elif rows is not None:
            _write_csv(rows, result)
        elif query.error is not None:
            out_console.print(Text(f"line {query.line}: cannot read this query ({query.error})"))
        elif matches:
            out_console.print(_table(query, matches, roles))
        else:
            message = Text("No candidate at or above the threshold for ")
            message.append(_plain(query.query), style="bold")
            message.append(" - CLEAR")
            out_console.print(message)
    if output is OutputFormat.JSON:
        document: dict[str, Any] = {"schema_version": "1", "lists": lists_json}
        if name is not None and results:
            document.update(results[0])
        else:
            document["results"] = results
        out_console.file.write(json.dumps(document, indent=2) + "\n")
    return code
