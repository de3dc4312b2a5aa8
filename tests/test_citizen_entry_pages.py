"""Where a citizen starts: the home page, an old poster's page, and the thank-you page."""

import re

import pytest

from survey.services.org import regenerate_survey_code
from tests.conftest import first_counter, submit_survey


def links(html: str) -> list[str]:
    return re.findall(r'<a [^>]*href="([^"]+)"', html)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_home_page_links_to_filing_and_to_tracking(client, demo, lang):
    html = client.get(f"/?lang={lang}").get_data(as_text=True)
    assert "/cases/new" in links(html) and "/track" in links(html)


def test_home_page_says_where_each_link_leads(client, demo):
    html = client.get("/").get_data(as_text=True)
    assert "Gửi phản ánh, kiến nghị, khiếu nại, tố cáo" in html
    assert "Theo dõi hồ sơ đã gửi" in html


def test_revoked_code_page_links_to_filing_and_to_tracking(client, demo, db):
    counter = first_counter(db)
    old = counter.survey_code
    regenerate_survey_code(counter)
    db.session.commit()
    reply = client.get(f"/s/{old}")
    assert reply.status_code == 410
    html = reply.get_data(as_text=True)
    assert "/cases/new" in links(html) and "/track" in links(html)


def test_the_thanks_page_invites_to_file_in_one_sentence(client, demo, db):
    counter = first_counter(db)
    reply = submit_survey(client, f"/s/{counter.survey_code}", {"overall": "4"})
    html = client.get(reply.location).get_data(as_text=True)
    invitation = re.search(r'<p><a href="(/cases/new\?counter=[^"]+)">([^<]+)</a></p>', html)
    assert invitation.group(1) == f"/cases/new?counter={counter.code}"
    sentence = invitation.group(2)
    assert sentence == "Ông/Bà cũng có thể gửi phản ánh, kiến nghị, khiếu nại hoặc tố cáo."
    assert html.count("/cases/new") == 1 and html.count("phản ánh") == 1


def test_a_low_score_still_offers_to_turn_the_comment_into_feedback(client, demo, db):
    counter = first_counter(db)
    reply = submit_survey(client, f"/s/{counter.survey_code}", {"overall": "1"},
                          comment="Chờ lâu")
    html = client.get(reply.location).get_data(as_text=True)
    assert "Chúng tôi rất tiếc" in html
    assert re.search(r'<a class="button" href="/cases/new\?counter=NB-Q01">', html)
    assert "Ông/Bà cũng có thể gửi" not in html  # the offer, not a second invitation
