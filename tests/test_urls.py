"""Links in mails and on printed codes: built from the routes, always on SURVEY_BASE_URL."""

from __future__ import annotations

from survey.web.urls import external_url, track_url


def test_links_are_built_from_the_routes_on_the_base_url(app):
    assert track_url() == "http://survey.test/track"
    assert external_url("officer.show_case", case_id=7) == "http://survey.test/officer/cases/7"
    assert external_url("officer.desk") == "http://survey.test/officer/"
    assert external_url("public.survey_quick", code="AB12", t="tok") == \
        "http://survey.test/s/AB12?t=tok"


def test_a_base_under_a_path_keeps_the_path(app_factory):
    app = app_factory(base_url="https://gov.example.vn/khaosat")
    with app.app_context():
        assert track_url() == "https://gov.example.vn/khaosat/track"


def test_the_host_of_the_request_does_not_choose_the_link(app):
    with app.test_request_context("/", base_url="http://attacker.example"):
        assert track_url() == "http://survey.test/track"
