"""Reading transaction count files (CSV or XLSX) and their cells: months and whole numbers.

The file rules are those of the paper survey import (UTF-8 with or without BOM, ';' or ','
separators, every cell read as text); the columns are ``unit``, ``month`` (``YYYY-MM``) and
``transactions``. Checking rows against the database and storing them is in ``transactions``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path

from flask_babel import gettext as _

from survey.render.labels import count_problem_text
from survey.services.paper_files import (  # the same CSV/XLSX rules and header checks
    check_columns,
    numbered_rows,
    read_lines,
)

COLUMNS = ("unit", "month", "transactions")
WHOLE_NUMBER = re.compile(r"\d+(?:\.0+)?")  # a spreadsheet's number cell may read "1250.0"


def read_counts_file(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Return each non-blank row with its spreadsheet row number, after checking the header."""
    lines = read_lines(path)
    header = [name.lower() for name in lines[0]]
    check_columns(header, lines[1:], COLUMNS, known=COLUMNS, unknown_message=lambda columns: _(
        "Unknown columns: %(columns)s. The columns are unit, month and transactions.",
        columns=columns))
    return numbered_rows(header, lines[1:])


def parse_month(text: str) -> date:
    """Read ``YYYY-MM`` (or a spreadsheet date on the 1st) as the month's first day."""
    text = text.strip()
    if not text:
        raise ValueError(_("The month is missing."))
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    try:
        if match:
            return date(int(match[1]), int(match[2]), 1)
        moment = datetime.fromisoformat(text)
        if moment.day == 1 and moment.time() == time.min and moment.tzinfo is None:
            return moment.date()
    except ValueError:
        pass
    raise ValueError(_("“%(value)s” is not a month: write it as YYYY-MM (e.g. 2027-01).",
                       value=text))


def parse_transactions(text: str) -> int:
    """Read a cell as a month's count; raise ValueError with a translated message."""
    text = text.strip()
    if not text:
        raise ValueError(_("The number of transactions is missing."))
    if text.startswith("-") and WHOLE_NUMBER.fullmatch(text[1:]):
        raise ValueError(_("The number of transactions cannot be negative."))
    if not WHOLE_NUMBER.fullmatch(text):
        raise ValueError(_("“%(value)s” is not a whole number: write the transactions with "
                           "digits only (e.g. 1250).", value=text))
    number = int(text.split(".")[0])
    problem = count_problem_text(number)
    if problem:
        raise ValueError(problem)
    return number
