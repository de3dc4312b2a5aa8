"""The inspector's desk on a real database: figures, subtree limits, comments and downloads."""

from __future__ import annotations

import io
import re
import tempfile
from datetime import UTC, datetime

import pandas as pd
import pyreadstat
from sqlalchemy import select

from survey.models import Counter, Unit
from survey.services.questionnaires import current_version
from survey.services.responses import Submission, record_response
from tests.conftest import login

YEAR = 2027
PERIOD = f"date_from={YEAR}-01-01&date_to={YEAR}-12-31"


def counter(db, code: str) -> Counter:
    return db.session.scalar(select(Counter).where(Counter.code == code))


def rate(db, counter_code: str, overall: int | None, when: datetime, key: str,
         comment: str | None = None) -> None:
    where = counter(db, counter_code)
    record_response(Submission(version_id=current_version("quick").id, unit_id=where.unit_id,
                               counter_id=where.id, answers={"overall": overall},
                               idempotency_key=key, comment=comment, submitted_at=when))


def rate_many(db, counter_code: str, satisfied: int, unsatisfied: int, month: int,
              prefix: str) -> None:
    """``satisfied`` answers of 5 and ``unsatisfied`` answers of 2 on the 10th of ``month``."""
    when = datetime(YEAR, month, 10, 3, tzinfo=UTC)
    for i in range(satisfied):
        rate(db, counter_code, 5, when, f"{prefix}-s{i}")
    for i in range(unsatisfied):
        rate(db, counter_code, 2, when, f"{prefix}-u{i}")


def page(client, query: str) -> tuple[int, str]:
    reply = client.get(f"/inspect/?{query}")
    return reply.status_code, reply.get_data(as_text=True)


def test_the_rate_matches_the_count_by_hand_with_its_interval(client, demo, db):
    rate_many(db, "NB-Q01", satisfied=30, unsatisfied=10, month=3, prefix="a")
    db.session.commit()
    login(client, "thanhtra")
    status, html = page(client, f"{PERIOD}&method=satisfaction-rate&by=unit")
    assert status == 200
    assert "75,00%" in html  # 30 of 40
    # Wilson 95% interval for 30/40: 59,81% – 85,81%
    assert "59,81% – 85,81%" in html
    assert re.search(r">\s*40\s*<", html)  # n
    assert "2027-03" in html and "2027-12" in html  # every month of the period, gaps included


def test_with_and_without_excluded_side_by_side(client, demo, db):
    from survey.models import Response, ResponseExclusion

    rate_many(db, "NB-Q01", satisfied=30, unsatisfied=10, month=3, prefix="a")
    db.session.commit()
    unsatisfied = db.session.scalars(select(Response.id).where(
        Response.idempotency_key.like("a-u%"))).all()
    for response_id in unsatisfied:
        db.session.add(ResponseExclusion(response_id=response_id, reason="thử nghiệm"))
    db.session.commit()
    login(client, "thanhtra")
    status, html = page(client, f"{PERIOD}&method=satisfaction-rate")
    assert status == 200
    assert "75,00%" in html and "100,00%" in html  # with all 40, then without the 10 excluded


def test_a_leader_sees_only_their_subtree(client, demo, db):
    rate_many(db, "NB-Q01", satisfied=5, unsatisfied=0, month=3, prefix="a")
    db.session.commit()
    login(client, "lanhdao1")  # leader of a commune centre
    status, html = page(client, PERIOD)
    assert status == 200
    own = db.session.scalar(select(Unit).where(Unit.code == "NB-HL-TT"))
    assert own.name in html
    assert 'value="NB"' not in html  # the province is not even offered
    status, html = page(client, f"{PERIOD}&unit=NB")
    assert status == 400 and "Not a valid choice" not in html  # translated, and refused
    assert client.get(f"/inspect/export.csv?{PERIOD}&unit=NB").status_code == 400
    assert client.get(f"/inspect/comments?{PERIOD}&unit=NB").status_code == 400


def test_a_counter_outside_the_chosen_unit_is_refused_with_the_filters_kept(client, demo, db):
    login(client, "thanhtra")
    status, html = page(client, f"{PERIOD}&unit=NB-HL&counter=NB-Q01")
    assert status == 400
    assert 'value="2027-01-01"' in html  # what was chosen stays
    assert "err" in html


def test_end_before_start_is_explained(client, demo, db):
    login(client, "thanhtra")
    status, html = page(client, "date_from=2027-05-01&date_to=2027-04-01")
    assert status == 400 and 'value="2027-05-01"' in html and 'class="err"' in html


def test_every_method_and_breakdown_renders(client, demo, db):
    from survey.services.demo import add_synthetic_responses

    add_synthetic_responses(200, seed=9)
    db.session.commit()
    login(client, "thanhtra")
    for method in ("satisfaction-rate", "sipas", "decree61", "qd766"):
        for by in ("unit", "counter", "procedure", "officer", "channel", "month", "quarter",
                   "year"):
            status, html = page(client, f"method={method}&by={by}&compare=previous")
            assert status == 200, (method, by)


def test_comparison_gives_a_verdict(client, demo, db):
    rate_many(db, "NB-Q01", satisfied=160, unsatisfied=40, month=3, prefix="now")
    when = datetime(YEAR - 1, 3, 10, 3, tzinfo=UTC)
    for i in range(200):
        rate(db, "NB-Q01", 5 if i < 120 else 2, when, f"before-{i}")
    db.session.commit()
    login(client, "thanhtra")
    status, html = page(client, f"{PERIOD}&method=satisfaction-rate&compare=last_year")
    assert status == 200
    assert "verdict-higher" in html  # 80% against 60% of 200 each: z ≈ 4.36
    assert "verdict.higher" not in html  # the verdict is shown in words, not as its code


def test_comments_are_masked_on_the_desk(client, demo, db):
    rate(db, "NB-Q01", 4, datetime(YEAR, 2, 1, 3, tzinfo=UTC), "c1",
         comment="Gọi tôi 0912 345 678 nhé")
    db.session.commit()
    login(client, "thanhtra")
    status, html = page(client, PERIOD)
    assert status == 200 and "[số điện thoại]" in html and "345" not in html
    more = client.get(f"/inspect/comments?{PERIOD}").get_data(as_text=True)
    assert "[số điện thoại]" in more and "0912" not in more


def _export(client, fmt: str, query: str = ""):
    reply = client.get(f"/inspect/export.{fmt}?{PERIOD}{query}")
    assert reply.status_code == 200, reply.status_code
    return reply


def test_downloads_open_again_with_their_contents(client, demo, db):
    rate_many(db, "NB-Q01", satisfied=3, unsatisfied=1, month=3, prefix="a")
    rate(db, "NB-Q01", None, datetime(YEAR, 4, 1, 3, tzinfo=UTC), "na",
         comment="email a@b.vn")
    db.session.commit()
    login(client, "thanhtra")

    csv = _export(client, "csv")
    assert csv.data.startswith("\ufeff".encode())  # Excel reads UTF-8 only with a BOM
    assert "attachment" in csv.headers["Content-Disposition"]
    frame = pd.read_csv(io.BytesIO(csv.data), encoding="utf-8-sig", keep_default_na=False)
    assert len(frame) == 5 and sorted(frame["overall"]) == ["2", "5", "5", "5", "NA"]
    assert "comment" not in frame.columns  # not asked for

    xlsx = _export(client, "xlsx", "&comments=y")
    sheets = pd.read_excel(io.BytesIO(xlsx.data), sheet_name=None)
    responses, codebook = list(sheets.values())[0], list(sheets.values())[1]
    assert len(responses) == 5 and "overall" in set(codebook.iloc[:, 0].astype(str)) | set(
        codebook.astype(str).values.ravel())
    assert "[email]" in " ".join(responses["comment"].dropna().astype(str))

    sav = _export(client, "sav")
    with tempfile.NamedTemporaryFile(suffix=".sav") as handle:
        handle.write(sav.data)
        handle.flush()
        frame, meta = pyreadstat.read_sav(handle.name, user_missing=True)
    assert len(frame) == 5
    assert meta.column_names_to_labels["unit"] == "Đơn vị"
    assert meta.variable_value_labels["overall"][5.0]


def test_leaders_never_download_comments(client, demo, db):
    rate(db, "NB-Q01", 4, datetime(YEAR, 2, 1, 3, tzinfo=UTC), "c1", comment="Tốt lắm")
    db.session.commit()
    login(client, "lanhdao")
    frame = pd.read_csv(io.BytesIO(_export(client, "csv", "&comments=y").data),
                        encoding="utf-8-sig")
    assert len(frame) == 1 and "comment" not in frame.columns


def test_the_download_follows_the_filters(client, demo, db):
    rate_many(db, "NB-Q01", satisfied=2, unsatisfied=0, month=3, prefix="a")
    rate_many(db, "NB-Q02", satisfied=3, unsatisfied=0, month=3, prefix="b")
    db.session.commit()
    login(client, "thanhtra")
    frame = pd.read_csv(io.BytesIO(_export(client, "csv", "&counter=NB-Q02").data),
                        encoding="utf-8-sig")
    assert len(frame) == 3 and set(frame["counter"]) == {"NB-Q02"}
