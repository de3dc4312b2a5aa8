"""Reading paper survey files: CSV or XLSX cells as text, the header, and the dates.

Dates: a bare ``YYYY-MM-DD`` is stored as noon in Asia/Ho_Chi_Minh, so the day stays the same
whatever zone a report groups by. A spreadsheet date cell arrives as ``YYYY-MM-DD 00:00:00``; a
time of exactly midnight without an offset is read as such a bare date, since paper forms are not
filled in at midnight. A date-time without an offset is Vietnam time. Everything is stored in UTC.
"""

from __future__ import annotations

from collections import Counter as Tally
from datetime import UTC, datetime, time
from pathlib import Path

import pandas as pd
from flask_babel import gettext as _

from survey.rules.periods import LOCAL_TZ

REQUIRED_COLUMNS = ("submitted_at", "unit")
FIELD_COLUMNS = (*REQUIRED_COLUMNS, "counter", "procedure", "channel", "comment", "questionnaire")
# Added by `survey responses export`; accepted so that an export can be imported elsewhere.
IGNORED_COLUMNS = ("response_id", "version", "flags")
NOON = time(12)


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; the message is translated and safe to show."""


def read_table(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Return the column names and each non-blank row with its spreadsheet row number."""
    lines = read_lines(path)
    header = [name.lower() if name.lower() in FIELD_COLUMNS + IGNORED_COLUMNS else name
              for name in lines[0]]
    _check_header(header, lines[1:])
    return header, numbered_rows(header, lines[1:])


def read_lines(path: Path) -> list[list[str]]:
    """Every row of the file as stripped text cells, the header first; refuse an empty file."""
    frame = read_frame(path)
    lines = [[cell.strip() if isinstance(cell, str) else "" for cell in line]
             for line in frame.to_numpy(dtype=object).tolist()]
    if not lines:
        raise ImportFileError(_("The file is empty."))
    return lines


def numbered_rows(header: list[str], rows: list[list[str]]) -> list[tuple[int, dict[str, str]]]:
    """Each non-blank row as {column: cell} with its spreadsheet row number."""
    # The header is row 1, so data rows count from 2, blank ones included, as a spreadsheet shows.
    return [(number, {name: cell for name, cell in zip(header, line, strict=True) if name})
            for number, line in enumerate(rows, start=2) if any(line)]


def read_frame(path: Path) -> pd.DataFrame:
    """Read every cell as a string, keeping "NA" as text rather than a missing value."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ImportFileError(_("Unsupported file type %(suffix)s: save the file as .csv or .xlsx.",
                                suffix=suffix or "(none)"))
    try:
        if suffix == ".csv":
            return pd.read_csv(path, encoding="utf-8-sig", sep=_separator(path),
                               skip_blank_lines=False, header=None, dtype=str,
                               keep_default_na=False)
        return pd.read_excel(path, engine="openpyxl", header=None, dtype=str,
                             keep_default_na=False)
    except UnicodeDecodeError as error:
        raise ImportFileError(_("The file is not UTF-8 text: save it as “CSV UTF-8”.")) from error
    except pd.errors.EmptyDataError as error:
        raise ImportFileError(_("The file is empty.")) from error
    except Exception as error:  # a damaged workbook raises zip, XML or key errors alike
        reason = str(error)
        raise ImportFileError(_("The file cannot be read: %(reason)s", reason=reason)) from error


def _separator(path: Path) -> str:
    """Pick ';' when the header uses it: Excel writes CSV so where the decimal mark is a comma."""
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        first = handle.readline()
    return ";" if first.count(";") > first.count(",") else ","


def _check_header(header: list[str], lines: list[list[str]]) -> None:
    """Refuse a header that is empty, repeats a name, leaves out a required column or a name."""
    if not any(header):
        raise ImportFileError(_("The first row must hold the column names."))
    check_columns(header, lines, REQUIRED_COLUMNS)


def check_columns(header: list[str], lines: list[list[str]], required: tuple[str, ...],
                  known: tuple[str, ...] | None = None, unknown_message=None) -> None:
    """Refuse repeated names, missing ``required`` columns, names not ``known`` (when given,
    with ``unknown_message(columns)``), and values in a column without a name."""
    repeated = sorted(name for name, n in Tally(filter(None, header)).items() if n > 1)
    if repeated:
        raise ImportFileError(_("Columns appear more than once: %(columns)s.",
                                columns=", ".join(repeated)))
    missing = [name for name in required if name not in header]
    if missing:
        raise ImportFileError(_("Required columns are missing: %(columns)s.",
                                columns=", ".join(missing)))
    unknown = [name for name in header if name and known is not None and name not in known]
    if unknown:
        raise ImportFileError(unknown_message(", ".join(unknown)))
    for position, name in enumerate(header, start=1):
        if not name and any(line[position - 1] for line in lines):
            raise ImportFileError(_("Column %(number)d has values but no name in the first row.",
                                    number=position))


def parse_submitted_at(text: str, now: datetime) -> datetime:
    """Read a date or ISO 8601 date-time as UTC; raise ValueError with a translated message."""
    if not text:
        raise ValueError(_("The date is missing."))
    try:
        moment = datetime.fromisoformat(text)  # a bare date reads as its midnight
    except ValueError:
        raise ValueError(_("“%(value)s” is not a date: write it as YYYY-MM-DD (e.g. "
                           "2027-01-31) or an ISO 8601 date-time.", value=text)) from None
    bare = moment.tzinfo is None and moment.time() == time.min
    if bare:
        moment = datetime.combine(moment.date(), NOON)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)
    # Today's date is never in the future, even before its noon.
    if (moment.date() > now.astimezone(LOCAL_TZ).date()) if bare else moment > now:
        raise ValueError(_("The date %(value)s is in the future.", value=text))
    return moment.astimezone(UTC)
