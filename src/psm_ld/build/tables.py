"""Reading the plan office's CSV tables, with errors that name the file, row and column.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first record row 2.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Origin:
    """Where a fact came from: a file, and where known its row and column."""

    file: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"riga {self.row}")
        if self.column is not None:
            parts.append(f"colonna «{self.column}»")
        return ", ".join(parts)

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "row": self.row, "column": self.column}


@dataclass(frozen=True)
class DataError:
    origin: Origin
    message: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.message}"


class BuildError(Exception):
    """Bad input: carries every error found, so the plan office can fix them in one pass."""

    def __init__(self, errors: list[DataError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass
class ErrorLog:
    errors: list[DataError] = field(default_factory=list)

    def add(self, origin: Origin, message: str) -> None:
        self.errors.append(DataError(origin, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise BuildError(self.errors)


@dataclass(frozen=True)
class Row:
    file: str
    number: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return (self.values.get(column) or "").strip()

    def at(self, column: str | None = None) -> Origin:
        return Origin(self.file, self.number, column)

    def list(self, column: str) -> list[str]:
        """A cell holding several values separated by ';'."""
        return [v.strip() for v in self[column].split(";") if v.strip()]


def read_table(
    path: Path, root: Path, required: tuple[str, ...], optional: tuple[str, ...], log: ErrorLog
) -> list[Row]:
    """Read a CSV table; unknown, missing or misspelled columns are errors, not surprises."""
    name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    text = _decode(path, name, log)
    if text is None:
        return []
    if not text.strip():
        log.add(Origin(name), "il file è vuoto: serve almeno la riga di intestazione")
        return []
    header_line = text.splitlines()[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [c for c in required if c not in header]
    for column in missing:
        log.add(Origin(name, 1, column), "colonna obbligatoria mancante nell'intestazione")
    for column in header:
        if column not in required and column not in optional:
            expected = ", ".join(required + optional)
            log.add(Origin(name, 1, column), f"colonna sconosciuta (attese: {expected})")
    if missing:
        return []
    for column in header:
        _check_characters(Origin(name, 1, column), column, log)
    rows = []
    for number, record in enumerate(reader, start=2):
        if None in record:  # more cells than header columns
            log.add(Origin(name, number), "la riga ha più celle dell'intestazione")
            continue
        if not any((v or "").strip() for v in record.values()):
            continue  # blank line in the spreadsheet
        for column, value in record.items():  # reported; the row stays, so others still resolve it
            _check_characters(Origin(name, number, column), value or "", log)
        rows.append(Row(name, number, {k: v or "" for k, v in record.items()}))
    return rows


# Control characters (C0 but tab and line breaks, which become spaces; DEL; C1) are never text a
# plan office means to publish: a NUL byte pasted into a title once was.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _check_characters(origin: Origin, value: str, log: ErrorLog) -> bool:
    """Report a control character in a cell; True when there is none."""
    found = CONTROL_CHARACTERS.search(value)
    if found is None:
        return True
    log.add(
        origin,
        f"carattere di controllo U+{ord(found.group()):04X} non ammesso (posizione {found.start() + 1})",
    )
    return False


def _decode(path: Path, name: str, log: ErrorLog) -> str | None:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        log.add(
            Origin(name, line),
            f"il file non è in UTF-8 (byte 0x{data[exc.start]:02x}): "
            "salvarlo come «CSV UTF-8» dal foglio di calcolo",
        )
        return None


def require(row: Row, columns: tuple[str, ...], log: ErrorLog) -> bool:
    """Report every empty required cell of a row; True when all are filled."""
    ok = True
    for column in columns:
        if not row[column]:
            log.add(row.at(column), "valore obbligatorio mancante")
            ok = False
    return ok


def check_duplicates(rows: list[Row], key: str, log: ErrorLog) -> Iterator[Row]:
    """Yield the rows whose key is seen for the first time; report the others."""
    seen: dict[str, int] = {}
    for row in rows:
        value = row[key]
        if value in seen:
            log.add(row.at(key), f"codice duplicato «{value}» (già alla riga {seen[value]})")
            continue
        seen[value] = row.number
        yield row


_IRI_FORBIDDEN = set(' <>"{}|\\^`')


def iri_problem(value: str) -> str | None:
    """Why a value is not an absolute http(s) IRI, or None if it is one."""
    if any(c in _IRI_FORBIDDEN or ord(c) < 0x21 for c in value):
        return f"IRI non valido «{value}»: contiene spazi o caratteri non ammessi"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"IRI non valido «{value}»: serve un indirizzo assoluto http:// o https://"
    return None
