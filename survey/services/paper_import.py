"""Import paper survey forms from CSV or XLSX: check every row, then store all of them or none.

Dates: a bare ``YYYY-MM-DD`` is stored as noon in Asia/Ho_Chi_Minh, so the day stays the same
whatever zone a report groups by. A spreadsheet date cell arrives as ``YYYY-MM-DD 00:00:00``; a
time of exactly midnight without an offset is read as such a bare date, since paper forms are not
filled in at midnight. A date-time without an offset is Vietnam time. Everything is stored in UTC.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter as Tally
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path

import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from survey.answers import COMMENT_MAX_LENGTH, parse_answers
from survey.extensions import db
from survey.models import Answer, Channel, Counter, Procedure, Questionnaire, Response, Unit
from survey.models.base import utcnow
from survey.models.questionnaires import QuestionnaireVersion
from survey.periods import LOCAL_TZ
from survey.services.questionnaires import current_version

REQUIRED_COLUMNS = ("submitted_at", "unit")
FIELD_COLUMNS = (*REQUIRED_COLUMNS, "counter", "procedure", "channel", "comment", "questionnaire")
# Added by `survey responses export`; accepted so that an export can be imported elsewhere.
IGNORED_COLUMNS = ("response_id", "version", "flags")
DEFAULT_QUESTIONNAIRE = "quick"
KEY_PREFIX = "paper:"
BATCH = 500
NOON = time(12)

AddError = Callable[[str, object], None]


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; the message is translated and safe to show."""


@dataclass(frozen=True)
class Lookups:
    units: dict[str, int]
    counters: dict[str, tuple[int, int]]  # code -> (id, unit_id)
    procedures: dict[str, int]
    versions: dict[str, QuestionnaireVersion]  # current version by questionnaire code


@dataclass(frozen=True)
class Row:
    """One valid form: its response's column values, its answers, its content for the key."""

    values: dict
    answers: dict[str, int | None]
    content: str


def import_responses(path: Path, *, questionnaire_code: str | None = None, dry_run: bool = False,
                     skip_invalid: bool = False) -> dict:
    """Check the forms in ``path`` and store the new ones; flush, never commit.

    ``rejected`` counts invalid rows, ``skipped_duplicates`` valid rows stored by an earlier import
    and ``imported`` the rows stored (with ``dry_run``: that a real run would store). Without
    ``skip_invalid`` one invalid row refuses the file: ``imported`` is then 0 and the valid new rows
    are counted nowhere. Otherwise the counts add up to the data rows (blank rows are not counted).
    """
    header, rows = read_table(path)
    lookups = _load_lookups()
    default = _default_questionnaire(header, lookups.versions, questionnaire_code)
    in_use = _questionnaires_in_use(rows, default, lookups.versions, questionnaire_code is None)
    _check_columns(header, {code: lookups.versions[code] for code in in_use})
    checker = RowChecker(lookups, header, default, forced=questionnaire_code is not None)
    checked = [checker.check(number, cells) for number, cells in rows]
    valid = [row for row, _problems in checked if row is not None]
    errors = [error for _row, problems in checked for error in problems]
    rejected = len(checked) - len(valid)
    _assign_keys(valid)
    stored = _stored_keys([row.values["idempotency_key"] for row in valid])
    new = [row for row in valid if row.values["idempotency_key"] not in stored]
    refused = rejected > 0 and not skip_invalid
    if not dry_run and not refused:
        _insert(new)
    return {"imported": 0 if refused else len(new), "skipped_duplicates": len(valid) - len(new),
            "rejected": rejected, "errors": errors}


def read_table(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Return the column names and each non-blank row with its spreadsheet row number."""
    frame = _read_frame(path)
    lines = [[cell.strip() if isinstance(cell, str) else "" for cell in line]
             for line in frame.to_numpy(dtype=object).tolist()]
    if not lines:
        raise ImportFileError(_("The file is empty."))
    header = [name.lower() if name.lower() in FIELD_COLUMNS + IGNORED_COLUMNS else name
              for name in lines[0]]
    _check_header(header, lines[1:])
    # The header is row 1, so data rows count from 2, blank ones included, as a spreadsheet shows.
    return header, [(number, {name: cell for name, cell in zip(header, line, strict=True) if name})
                    for number, line in enumerate(lines[1:], start=2) if any(line)]


def _read_frame(path: Path) -> pd.DataFrame:
    """Read every cell as a string, keeping "NA" as text rather than a missing value."""
    suffix = path.suffix.lower()
    options = {"header": None, "dtype": str, "keep_default_na": False}
    if suffix not in (".csv", ".xlsx"):
        raise ImportFileError(_("Unsupported file type %(suffix)s: save the file as .csv or .xlsx.",
                                suffix=suffix or "(none)"))
    try:
        if suffix == ".csv":
            return pd.read_csv(path, encoding="utf-8-sig", sep=_separator(path),
                               skip_blank_lines=False, **options)
        return pd.read_excel(path, engine="openpyxl", **options)
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
    repeated = sorted(name for name, n in Tally(filter(None, header)).items() if n > 1)
    if repeated:
        raise ImportFileError(_("Columns appear more than once: %(columns)s.",
                                columns=", ".join(repeated)))
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise ImportFileError(_("Required columns are missing: %(columns)s.",
                                columns=", ".join(missing)))
    for position, name in enumerate(header, start=1):
        if not name and any(line[position - 1] for line in lines):
            raise ImportFileError(_("Column %(number)d has values but no name in the first row.",
                                    number=position))


def _load_lookups() -> Lookups:
    """Load every code the rows may name at once, so checking a row runs no query."""
    codes = db.session.scalars(select(Questionnaire.code).order_by(Questionnaire.code)).all()
    versions = {code: current_version(code) for code in codes}
    return Lookups(
        units=dict(db.session.execute(select(Unit.code, Unit.id)).all()),
        counters={code: (id_, unit_id) for code, id_, unit_id in
                  db.session.execute(select(Counter.code, Counter.id, Counter.unit_id))},
        procedures=dict(db.session.execute(select(Procedure.code, Procedure.id)).all()),
        versions={code: version for code, version in versions.items() if version is not None},
    )


def _questions(version: QuestionnaireVersion) -> list[str]:
    return [question["code"] for question in version.definition["questions"]]


def _default_questionnaire(header: list[str], versions: dict[str, QuestionnaireVersion],
                           chosen: str | None) -> str:
    """Return the chosen code, else the questionnaire matching most columns (ties: quick)."""
    if chosen is not None:
        if chosen not in versions:
            raise ImportFileError(_("Unknown questionnaire %(code)s.", code=chosen))
        return chosen
    if not versions:
        raise ImportFileError(_("No questionnaire is loaded yet."))
    columns = set(header)
    return max(versions, key=lambda code: (len(columns & set(_questions(versions[code]))),
                                           code == DEFAULT_QUESTIONNAIRE))


def _questionnaires_in_use(rows: list[tuple[int, dict[str, str]]], default: str,
                           versions: dict[str, QuestionnaireVersion], per_row: bool) -> list[str]:
    """List the default and, unless one was chosen, the known codes of ``questionnaire`` cells."""
    named = {cells.get("questionnaire", "") for _number, cells in rows} if per_row else set()
    return [default, *sorted(code for code in named if code in versions and code != default)]


def _check_columns(header: list[str], in_use: dict[str, QuestionnaireVersion]) -> None:
    """Refuse a column that no questionnaire in use asks, and a missing required question."""
    known = set(FIELD_COLUMNS + IGNORED_COLUMNS).union(*map(_questions, in_use.values()))
    unknown = [name for name in header if name and name not in known]
    if unknown:
        raise ImportFileError(_("Unknown columns: %(columns)s. They are not questions of the "
                                "questionnaire %(code)s.", columns=", ".join(unknown),
                                code=", ".join(in_use)))
    default, version = next(iter(in_use.items()))
    for question in version.definition["questions"]:
        if question["required"] and question["code"] not in header:
            # Without the column every row would fail the same way: say it once.
            raise ImportFileError(_("The column of the required question %(question)s is missing "
                                    "(questionnaire %(code)s).", question=question["code"],
                                    code=default))


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


class RowChecker:
    """Turn the cells of one row into a Row, collecting every problem with its column."""

    def __init__(self, lookups: Lookups, header: list[str], default: str, *, forced: bool):
        self.lookups, self.default, self.forced = lookups, default, forced
        self.question_columns = [name for name in header
                                 if name and name not in FIELD_COLUMNS + IGNORED_COLUMNS]
        self.now = utcnow()

    def check(self, number: int, cells: dict[str, str]) -> tuple[Row | None, list[dict]]:
        """Return the row, or None and its errors as ``{"row", "column", "message"}``."""
        errors: list[dict] = []

        def add(column: str, message: object) -> None:
            errors.append({"row": number, "column": column, "message": str(message)})

        code = self._questionnaire(cells.get("questionnaire", ""), add)
        try:
            submitted_at = parse_submitted_at(cells["submitted_at"], self.now)
        except ValueError as error:
            add("submitted_at", error.args[0])
        unit, counter = cells["unit"], cells.get("counter", "")
        unit_id, counter_id = self._place(unit, counter, add)
        procedure = cells.get("procedure", "")
        procedure_id = self.lookups.procedures.get(procedure)
        if procedure and procedure_id is None:
            add("procedure", _("Unknown procedure code %(code)s.", code=procedure))
        channel = self._channel(cells.get("channel", ""), add)
        comment = cells.get("comment", "")
        if len(comment) > COMMENT_MAX_LENGTH:
            add("comment", _("The comment is longer than %(max)d characters.",
                             max=COMMENT_MAX_LENGTH))
        answers = self._answers(code, cells, add) if code else {}
        if errors:
            return None, errors
        # Parsed values, not the cells: the same form typed as CSV or XLSX gets the same key.
        content = json.dumps([code, submitted_at.isoformat(), unit, counter, procedure,
                              channel.value, sorted(answers.items()), comment],
                             ensure_ascii=False, separators=(",", ":"))
        # officer_id stays None: a form typed in later does not tell who served the respondent,
        # and the counter's officer on duty now need not be the one on duty that day.
        return Row({"questionnaire_version_id": self.lookups.versions[code].id, "unit_id": unit_id,
                    "counter_id": counter_id, "officer_id": None, "procedure_id": procedure_id,
                    "channel": channel, "submitted_at": submitted_at,
                    "comment": comment or None}, answers, content), []

    def _questionnaire(self, value: str, add: AddError) -> str | None:
        if not value:
            return self.default
        if self.forced and value != self.default:
            add("questionnaire", _("This row is a form of questionnaire %(row)s, not %(chosen)s.",
                                   row=value, chosen=self.default))
            return None
        if value not in self.lookups.versions:
            add("questionnaire", _("Unknown questionnaire %(code)s.", code=value))
            return None
        return value

    def _place(self, unit: str, counter: str, add: AddError) -> tuple[int, int | None]:
        unit_id = self.lookups.units.get(unit)
        if unit_id is None:
            add("unit", _("The unit code is missing.") if not unit
                else _("Unknown unit code %(code)s.", code=unit))
        if not counter:
            return unit_id, None
        counter_id, counter_unit_id = self.lookups.counters.get(counter, (None, None))
        if counter_id is None:
            add("counter", _("Unknown counter code %(code)s.", code=counter))
        elif unit_id is not None and counter_unit_id != unit_id:
            add("counter", _("Counter %(counter)s does not belong to unit %(unit)s.",
                             counter=counter, unit=unit))
        return unit_id, counter_id

    def _channel(self, value: str, add: AddError) -> Channel:
        try:
            return Channel(value.lower() or Channel.PAPER)
        except ValueError:
            add("channel", _("Unknown channel %(value)s: use paper, qr, kiosk or online.",
                             value=value))
            return Channel.PAPER

    def _answers(self, code: str, cells: dict[str, str], add: AddError) -> dict[str, int | None]:
        """Check with the web form's own rules; refuse answers to another questionnaire."""
        definition = self.lookups.versions[code].definition
        own = {question["code"] for question in definition["questions"]}
        for column in self.question_columns:
            if column not in own and cells.get(column):
                add(column, _("Question %(question)s is not on questionnaire %(code)s: leave it "
                              "empty.", question=column, code=code))
        answers, problems = parse_answers(definition, cells)
        for problem in problems:
            add(problem.question, problem.message)
        return answers


def _assign_keys(rows: list[Row]) -> None:
    """Key each row by its content and how often that content came before in the file."""
    seen: Tally[str] = Tally()
    for row in rows:
        digest = hashlib.sha256(row.content.encode("utf-8")).hexdigest()
        seen[digest] += 1
        # Two identical forms are two respondents: the occurrence number keeps both.
        row.values["idempotency_key"] = f"{KEY_PREFIX}{digest}:{seen[digest]}"


def _stored_keys(keys: list[str]) -> set[str]:
    """Return the keys that an earlier import stored already."""
    found: set[str] = set()
    for start in range(0, len(keys), BATCH):
        found.update(db.session.scalars(select(Response.idempotency_key).where(
            Response.idempotency_key.in_(keys[start:start + BATCH]))))
    return found


def _insert(rows: list[Row]) -> None:
    """Insert responses and answers in batches; a race with another import refuses the file."""
    # Plain Core executemany: the ORM bulk path with RETURNING sent one statement per row, and
    # psycopg spends longer parsing SQLAlchemy's multi-row VALUES than pipelining single rows.
    try:
        with db.session.begin_nested():
            for start in range(0, len(rows), BATCH):
                batch = rows[start:start + BATCH]
                db.session.execute(insert(Response.__table__), [row.values for row in batch])
                keys = [row.values["idempotency_key"] for row in batch]
                ids = dict(db.session.execute(select(Response.idempotency_key, Response.id)
                                              .where(Response.idempotency_key.in_(keys))).all())
                answers = [{"response_id": ids[key], "question_code": code, "value": value}
                           for key, row in zip(keys, batch, strict=True)
                           for code, value in row.answers.items()]
                if answers:
                    db.session.execute(insert(Answer.__table__), answers)
    except IntegrityError as error:
        raise ImportFileError(_("Another import stored some of these rows meanwhile: run the "
                                "import again.")) from error
