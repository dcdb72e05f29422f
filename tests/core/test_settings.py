"""Settings: environment over secrets.toml over defaults, validated with the variable named."""
import pytest

from core import settings
from core.settings import SettingsError


def test_defaults_are_demo_mode_on_embedded_duckdb(tmp_path):
    cfg = settings.load({}, tmp_path / "none.toml")
    assert cfg.demo is True
    assert cfg.db_url == f"duckdb:///{settings.PROJECT_ROOT / 'data' / 'portal.duckdb'}"
    assert cfg.base_url == "http://localhost:8501"
    assert cfg.smtp_host is None
    assert cfg.cookie_key  # demo mode generates one


def test_demo_cookie_key_is_generated_once_and_kept(tmp_path):
    first = settings.load({}, tmp_path / "none.toml").cookie_key
    second = settings.load({}, tmp_path / "none.toml").cookie_key
    assert first == second and len(first) >= 32


def test_outside_demo_mode_the_portal_refuses_to_start_without_cookie_key(tmp_path):
    with pytest.raises(SettingsError, match="PORTAL_COOKIE_KEY"):
        settings.load({"PORTAL_DB_URL": "postgresql+psycopg://u@localhost/db"}, tmp_path / "none.toml")


def test_command_line_tools_do_not_need_the_cookie_key(tmp_path):
    cfg = settings.load({"PORTAL_DB_URL": "postgresql+psycopg://u@localhost/db"}, tmp_path / "none.toml",
                        for_web=False)
    assert cfg.demo is False


def test_setting_db_url_turns_demo_off_unless_asked(tmp_path):
    env = {"PORTAL_DB_URL": "duckdb:////tmp/x.duckdb", "PORTAL_COOKIE_KEY": "k" * 40}
    assert settings.load(env, tmp_path / "none.toml").demo is False
    assert settings.load({**env, "PORTAL_DEMO": "1"}, tmp_path / "none.toml").demo is True


def test_environment_wins_over_secrets_file(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('PORTAL_BASE_URL = "https://from-file.example"\nPORTAL_MAIL_FROM = "file@example.com"\n')
    cfg = settings.load({"PORTAL_BASE_URL": "https://from-env.example/"}, secrets)
    assert cfg.base_url == "https://from-env.example"
    assert cfg.mail_from == "file@example.com"


@pytest.mark.parametrize("name, value", [
    ("PORTAL_DEMO", "maybe"),
    ("PORTAL_SMTP_PORT", "smtp"),
    ("PORTAL_BASE_URL", "localhost:8501"),
    ("PORTAL_DB_URL", "sqlite:///x.db"),
    ("PORTAL_MAX_UPLOAD_MB", "0"),
])
def test_bad_values_are_refused_naming_the_variable(tmp_path, name, value):
    with pytest.raises(SettingsError, match=name):
        settings.load({name: value, "PORTAL_COOKIE_KEY": "k" * 40}, tmp_path / "none.toml")


def test_relative_paths_resolve_against_the_project_folder(tmp_path):
    cfg = settings.load({"PORTAL_OUTBOX_DIR": "data/mail"}, tmp_path / "none.toml")
    assert cfg.outbox_dir == settings.PROJECT_ROOT / "data" / "mail"


def test_every_setting_has_help():
    assert all(s.help for s in settings.SETTINGS)
    assert "PORTAL_COOKIE_KEY" in settings.help_table()
