"""Where the app finds its resources and keeps its instance folder, checkout or installed wheel.

The wheel itself is built, installed and served by .ci/serve-wheel; these are the rules it relies on.
"""

from __future__ import annotations

from survey import config
from survey.config import Config, default_instance_path


def test_a_checkout_reads_its_top_level_folders_and_keeps_instance_beside_them():
    assert not config.IS_PACKAGED
    assert config.RESOURCE_ROOT == config.PROJECT_ROOT
    assert (config.RESOURCE_ROOT / "templates" / "base.html").is_file()
    assert default_instance_path({}) == str(config.PROJECT_ROOT / "instance")


def test_an_installed_package_never_keeps_its_instance_in_site_packages(monkeypatch):
    monkeypatch.setattr(config, "IS_PACKAGED", True)
    # None lets Flask choose <prefix>/var/survey-instance for an installed package.
    assert default_instance_path({}) is None


def test_the_instance_folder_can_be_set_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "IS_PACKAGED", True)
    env = {"SURVEY_INSTANCE_PATH": str(tmp_path)}
    assert default_instance_path(env) == str(tmp_path)
    assert Config.from_env(env).instance_path == str(tmp_path)


def test_translations_are_read_from_the_resource_folder():
    settings = Config.from_env({}).flask_settings(config.PROJECT_ROOT / "instance")
    assert settings["BABEL_TRANSLATION_DIRECTORIES"] == str(config.RESOURCE_ROOT / "translations")
