from sqlalchemy import func, select

from survey.models import Response
from tests.conftest import csrf_token


def test_quick_survey_submission_is_counted(client, demo, db):
    from survey.models import Counter

    counter = db.session.scalars(select(Counter).order_by(Counter.code)).first()
    page = client.get(f"/s/{counter.survey_code}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    key = html.split('name="idempotency_key" type="hidden" value="')[1].split('"')[0]
    answer = client.post(f"/s/{counter.survey_code}", data={
        "csrf_token": csrf_token(html), "idempotency_key": key, "q_overall": "5"})
    assert answer.status_code == 302
    assert db.session.scalar(select(func.count(Response.id))) == 1
