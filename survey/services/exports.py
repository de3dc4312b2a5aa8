"""Export survey responses as CSV, XLSX or SAV, in the columns of the paper survey file.

Responses are read in chunks by keyset pagination on ``Response.id``, as plain columns (Core
selects, never ORM objects), with each chunk's answers fetched by one more query and pivoted here:
CSV and XLSX are written row by row, so their memory stays flat whatever the number of responses.

SAV is the exception: pyreadstat writes one whole DataFrame, so a SAV export is built in memory,
bounded by rows x columns (roughly 8 bytes a cell plus the strings: a million responses with 40
questions take about half a gigabyte). Export a shorter period or a smaller unit when that is too
much.

"No opinion" (``Answer.value`` NULL) is ``NA`` in CSV and XLSX, and in SAV the user-missing value
99 labelled "Không có ý kiến", so SPSS leaves it out of statistics but can still count it. An
unanswered question is an empty cell (system missing in SAV). Cases are never read; comments are
read only with ``include_comments`` and are then masked (survey.masking).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyreadstat
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import select

from survey.extensions import db
from survey.models import Answer, Counter, Procedure, Questionnaire, Response, Unit
from survey.models.questionnaires import QuestionnaireVersion
from survey.rules.masking import mask_personal_data
from survey.rules.periods import LOCAL_TZ, date_range
from survey.services import questionnaires

FORMATS = ("csv", "xlsx", "sav")
ORDER = ("quick", "sipas", "decree61")  # then any other questionnaire, by code
LEADING = ("response_id", "submitted_at", "unit", "counter", "procedure", "channel",
           "questionnaire", "version")
NA = "NA"
SAV_NA = 99
SAV_NA_LABEL = "Không có ý kiến"
SAV_LABELS = {"response_id": "Mã phiếu", "submitted_at": "Thời điểm gửi (giờ Việt Nam)",
              "unit": "Đơn vị", "counter": "Quầy", "procedure": "Thủ tục", "channel": "Kênh",
              "questionnaire": "Bộ câu hỏi", "version": "Phiên bản bộ câu hỏi",
              "comment": "Góp ý (đã che dữ liệu cá nhân)", "flags": "Cờ bất thường"}


@dataclass(frozen=True)
class Question:
    """One question of one questionnaire, as the codebook describes it."""

    code: str
    questionnaire: str
    text_vi: str
    text_en: str
    labels: dict[int, str]  # scale value -> Vietnamese label


@dataclass(frozen=True)
class Layout:
    """The versions present, their questions and the file's columns."""

    versions: dict[int, tuple[str, int]]  # version id -> (questionnaire code, version number)
    questions: list[Question]
    include_comments: bool

    @property
    def codes(self) -> list[str]:
        """Return each question code once, in codebook order (a shared code is one column)."""
        return list(dict.fromkeys(question.code for question in self.questions))

    @property
    def columns(self) -> list[str]:
        return [*LEADING, *self.codes, *(["comment"] if self.include_comments else []), "flags"]


def export_responses(fmt: str, out_path: Path, *, date_from: date | None = None,
                     date_to: date | None = None, unit_ids: list[int] | None = None,
                     counter_id: int | None = None, procedure_id: int | None = None,
                     include_comments: bool = False, chunk_size: int = 5000) -> int:
    """Write the matching responses to ``out_path`` as ``fmt``; return the rows written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    start, end = date_range(date_from, date_to)
    conditions = [condition for condition in (
        Response.submitted_at >= start if start else None,
        Response.submitted_at < end if end else None,
        Response.unit_id.in_(unit_ids) if unit_ids is not None else None,
        Response.counter_id == counter_id if counter_id is not None else None,
        Response.procedure_id == procedure_id if procedure_id is not None else None,
    ) if condition is not None]
    layout = _layout(conditions, include_comments)
    rows = iter_rows(layout, conditions, chunk_size)
    writer = {"csv": _write_csv, "xlsx": _write_xlsx, "sav": _write_sav}[fmt]
    return writer(layout, rows, Path(out_path))


def _layout(conditions: list, include_comments: bool) -> Layout:
    """Find the questionnaire versions the matching responses use and list their questions."""
    present = select(Response.questionnaire_version_id).where(*conditions).distinct()
    found = list(db.session.execute(
        select(QuestionnaireVersion.id, Questionnaire.code, QuestionnaireVersion.version,
               QuestionnaireVersion.checksum, QuestionnaireVersion.definition)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(QuestionnaireVersion.id.in_(present))).all())
    # Newest version first within a questionnaire: its wording and order win in the codebook.
    found.sort(key=lambda v: (ORDER.index(v.code) if v.code in ORDER else len(ORDER), v.code,
                              -v.version))
    questions: dict[tuple[str, str], Question] = {}
    for version in found:
        definition = questionnaires.parsed(version.checksum, version.definition)
        for item in definition.questions:
            labels = {point.value: point.label.vi for point in definition.scales[item.scale]}
            questions.setdefault((version.code, item.code), Question(
                item.code, version.code, item.text.vi, item.text.en, labels))
    return Layout({v.id: (v.code, v.version) for v in found}, list(questions.values()),
                  include_comments)


def iter_rows(layout: Layout, conditions: list, chunk_size: int) -> Iterator[list[Any]]:
    """Yield one list per response in ``layout.columns`` order; answers are int, NA or None."""
    for chunk in _chunks(conditions, chunk_size, layout.include_comments):
        ids = [record.id for record in chunk]
        answers = _answers(ids)
        flags = flags_for(ids)
        for record in chunk:
            yield _row(layout, record, answers.get(record.id, {}), flags.get(record.id, ""))


def _chunks(conditions: list, chunk_size: int, include_comments: bool) -> Iterator[list]:
    """Yield the responses ``chunk_size`` at a time, keyset-paginated on their id."""
    # The comment column is not even read unless asked for: less personal data in memory.
    extra = [Response.comment] if include_comments else []
    query = (select(Response.id, Response.submitted_at, Unit.code.label("unit"),
                    Counter.code.label("counter"), Procedure.code.label("procedure"),
                    Response.channel, Response.questionnaire_version_id, *extra)
             .join(Unit, Unit.id == Response.unit_id)
             .outerjoin(Counter, Counter.id == Response.counter_id)
             .outerjoin(Procedure, Procedure.id == Response.procedure_id)
             .where(*conditions).order_by(Response.id).limit(chunk_size))
    last = 0
    while True:
        chunk = list(db.session.execute(query.where(Response.id > last)).all())
        if not chunk:
            return
        yield chunk
        last = chunk[-1].id


def _answers(ids: list[int]) -> dict[int, dict[str, int | None]]:
    """Return the answers of these responses by response id, then question code."""
    found: dict[int, dict[str, int | None]] = {}
    query = select(Answer.response_id, Answer.question_code, Answer.value).where(
        Answer.response_id.in_(ids))
    for response_id, code, value in db.session.execute(query):
        found.setdefault(response_id, {})[code] = value
    return found


def flags_for(ids: list[int]) -> dict[int, str]:
    """Return the anomaly flags of these responses by id, comma-joined and sorted, followed by
    "excluded" when an inspector excluded the response (e.g. "burst,out_of_hours,excluded");
    a response without either is left out (its cell is "")."""
    from survey.models import ResponseExclusion, ResponseFlag

    kinds: dict[int, list[str]] = {}
    for response_id, kind in db.session.execute(
            select(ResponseFlag.response_id, ResponseFlag.kind)
            .where(ResponseFlag.response_id.in_(ids)).order_by(ResponseFlag.kind)):
        kinds.setdefault(response_id, []).append(kind)
    for response_id in db.session.scalars(select(ResponseExclusion.response_id).where(
            ResponseExclusion.response_id.in_(ids))):
        kinds.setdefault(response_id, []).append("excluded")
    return {response_id: ",".join(found) for response_id, found in kinds.items()}


def _row(layout: Layout, record: Any, answers: dict[str, int | None], flags: str) -> list[Any]:
    """Lay out one response; "no opinion" becomes NA and an unanswered question None."""
    code, version = layout.versions[record.questionnaire_version_id]
    cells = [record.id, record.submitted_at.astimezone(LOCAL_TZ).isoformat(timespec="seconds"),
             record.unit, record.counter, record.procedure, record.channel.value, code, version]
    cells += [(NA if answers[question] is None else answers[question])
              if question in answers else None for question in layout.codes]
    if layout.include_comments:
        cells.append(mask_personal_data(record.comment))
    cells.append(flags)
    return cells


def _write_csv(layout: Layout, rows: Iterator[list[Any]], path: Path) -> int:
    """Write UTF-8 with a byte order mark, so Excel reads the Vietnamese text right."""
    written = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(layout.columns)
        for row in rows:
            writer.writerow(row)  # None is written as an empty cell
            written += 1
    return written


def _write_xlsx(layout: Layout, rows: Iterator[list[Any]], path: Path) -> int:
    """Write a streamed "responses" sheet and a "codebook" sheet."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("responses")
    sheet.append(layout.columns)
    written = 0
    for row in rows:
        # openpyxl refuses control characters, which a pasted comment may hold.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", cell) if isinstance(cell, str) else cell
                      for cell in row])
        written += 1
    codebook = book.create_sheet("codebook")
    codebook.append(["question", "questionnaire", "text_vi", "text_en", "values"])
    for question in layout.questions:
        values = "; ".join(f"{value} = {label}" for value, label in question.labels.items())
        codebook.append([question.code, question.questionnaire, question.text_vi,
                         question.text_en, values])
    book.save(path)
    return written


def _write_sav(layout: Layout, rows: Iterator[list[Any]], path: Path) -> int:
    """Write SPSS with Vietnamese variable and value labels; built in memory (see above)."""
    columns = layout.columns
    names = _spss_names(columns)
    codes = set(layout.codes)
    data: dict[str, list[Any]] = {name: [] for name in columns}
    for row in rows:
        for name, cell in zip(columns, row, strict=True):
            if name in codes:
                cell = SAV_NA if cell == NA else (float("nan") if cell is None else cell)
            data[name].append("" if cell is None else cell)
    frame = pd.DataFrame({names[name]: pd.Series(values, dtype="float64" if name in codes
                                                 else None) for name, values in data.items()})
    labels, value_labels = _sav_labels(layout, names)
    pyreadstat.write_sav(frame, str(path), column_labels=[labels[names[c]] for c in columns],
                         variable_value_labels=value_labels,
                         missing_ranges={names[code]: [SAV_NA] for code in layout.codes})
    return len(frame)


def _sav_labels(layout: Layout, names: dict[str, str]) -> tuple[dict[str, str], dict]:
    """Return variable labels (texts in Vietnamese) and value labels (scale labels) by name."""
    labels = {names[column]: SAV_LABELS.get(column, column) for column in layout.columns}
    value_labels: dict[str, dict[float, str]] = {}
    for question in reversed(layout.questions):  # the first questionnaire asking a code wins
        name = names[question.code]
        labels[name] = question.text_vi
        value_labels[name] = {**{float(v): text for v, text in question.labels.items()},
                              float(SAV_NA): SAV_NA_LABEL}
    return labels, value_labels


def _spss_names(columns: list[str]) -> dict[str, str]:
    """Map columns to valid, distinct SPSS names: a letter first, then letters, digits or _."""
    names: dict[str, str] = {}
    for column in columns:
        name = re.sub(r"[^A-Za-z0-9_]", "_", column)
        name = name if name[:1].isalpha() else f"Q{name}"
        base, n = name, 1
        while name.lower() in {taken.lower() for taken in names.values()}:
            n += 1
            name = f"{base}_{n}"
        names[column] = name
    return names
