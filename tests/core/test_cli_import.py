"""`python -m core import PATH`: imports a folder, prints the summary, exits non-zero on problems."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import sqlalchemy as sa

from core import __main__ as cli
from core.db import make_engine
from core.schema import clients, jobs

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample-import"


def count(db_url: str, table) -> int:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
    finally:
        engine.dispose()


def test_import_command_imports_the_sample_folder_and_prints_counts(portal_env, db_url, capsys):
    assert cli.main(["import", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "clients" in out and "inserted" in out and "imported in" in out
    assert count(db_url, clients) == 2


def test_import_command_check_writes_nothing(portal_env, db_url, capsys):
    assert cli.main(["import", str(SAMPLE), "--check"]) == 0
    assert "no problems" in capsys.readouterr().out
    assert count(db_url, clients) == 0


def test_import_command_with_a_bad_row_exits_non_zero_lists_it_and_writes_nothing(portal_env, db_url, tmp_path, capsys):
    folder = tmp_path / "bad"
    shutil.copytree(SAMPLE, folder)
    text = (folder / "jobs.csv").read_text().replace(",assigned,", ",done,")
    (folder / "jobs.csv").write_text(text)

    assert cli.main(["import", str(folder)]) == 1

    err = capsys.readouterr().err
    assert "jobs.csv, row 3, status: unknown status 'done'" in err
    assert "nothing was imported" in err
    assert count(db_url, jobs) == 0


def test_import_command_refuses_a_missing_path(portal_env, tmp_path, capsys):
    assert cli.main(["import", str(tmp_path / "nowhere")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_is_drawn_on_a_terminal_only():
    terminal, pipe = _Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        bar = cli._ProgressBar(stream)
        bar("Reading jobs.csv", 0.5)
        bar.close()
    assert "\r[###############               ]  50% Reading jobs.csv" in terminal.getvalue()
    assert pipe.getvalue() == ""
