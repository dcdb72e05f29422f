"""`python -m core send-outbox` delivers the pending mail once and exits."""
from __future__ import annotations

from core import outbox
from core.__main__ import main


def test_send_outbox_command_writes_pending_mail_as_eml_once(portal_env, world, capsys):
    with world.engine.begin() as conn:
        outbox.enqueue(conn, key="cli-1", kind="test", to_addr="all@a.example", subject="Hi", text="Hello")
    world.engine.dispose()  # the command opens the database itself
    assert main(["send-outbox"]) == 0
    assert "sent 1" in capsys.readouterr().out
    assert len(list((portal_env / "outbox").glob("*.eml"))) == 1
    assert main(["send-outbox"]) == 0
    assert "sent 0" in capsys.readouterr().out
    assert len(list((portal_env / "outbox").glob("*.eml"))) == 1
