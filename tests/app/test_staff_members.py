"""AppTest: staff create portal members on a client's Client portal tab."""
from __future__ import annotations

import sqlalchemy as sa

from core.rights import RIGHTS
from core.schema import accounts, audit_log, outbox, portal_settings
from tests.app.helpers import app_as
from ui.widgets import plain

PAGE = "pages/staff_clients.py"
STAFF = "staff@business.example"


def _open_client(world, letter: str = "A"):
    at = app_as(STAFF, PAGE)
    at.selectbox(key="open_client").set_value(world.client_ids[letter]).run()
    return at


def _text_input(at, label):
    return next(t for t in at.text_input if t.label == label and t.key.startswith("new_member_"))


def _fill(at, *, first="Nina", last="Nieuw", email="nina@a.example", title="Planner", rights=("View invoices",)):
    _text_input(at, "First name").input(first)
    _text_input(at, "Last name").input(last)
    _text_input(at, "Login email").input(email)
    _text_input(at, "Job title").input(title)
    for box in at.checkbox:
        if box.key.startswith("new_member_") and box.label in rights:
            box.check()
    next(b for b in at.button if b.label == "Create portal member").click()
    return at.run()


def _count(engine, table, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()


def _texts(at) -> str:
    return " ".join(str(e.value) for e in [*at.error, *at.warning, *at.success, *at.info])


def test_client_portal_tab_lists_the_clients_members_and_the_create_form(portal_env, world):
    at = _open_client(world)
    assert not at.exception
    assert "Client portal" in [t.label for t in at.tabs]
    shown = at.dataframe[1].value  # [0] is the client list
    assert set(shown["login_email"]) == {"all@a.example", "invoices@a.example", "none@a.example"}
    labels = {b.label for b in at.checkbox if b.key.startswith("new_member_")}
    assert set(RIGHTS.values()) | {"Quotes", "Invoices", "Jobs"} <= labels
    assert any("no right checked" in c.value for c in at.caption)


def test_staff_cannot_create_a_member_before_portal_setup_and_gets_a_link_to_it(portal_env, world):
    with world.engine.begin() as conn:
        conn.execute(portal_settings.update().values(setup_completed=False))
    at = _open_client(world)
    assert any("portal setup" in w.value.lower() for w in at.warning)
    links = [e for e in at.get("page_link")]
    assert any(e.proto.page == "portal-setup" for e in links)
    _fill(at)
    assert any("portal setup" in e.value.lower() for e in at.error)
    assert _count(world.engine, accounts, accounts.c.email == "nina@a.example") == 0

    with world.engine.begin() as conn:
        conn.execute(portal_settings.update().values(setup_completed=True))
    at = _fill(_open_client(world))
    assert not at.error
    assert _count(world.engine, accounts, accounts.c.email == "nina@a.example") == 1


def test_staff_creates_member_row_audit_entry_and_invitation(portal_env, world):
    at = _fill(_open_client(world), rights=("View invoices", "View job status"))
    assert not at.exception and not at.error
    assert any(plain("invitation to nina@a.example") in s.value for s in at.success)
    with world.engine.connect() as conn:
        row = conn.execute(sa.select(accounts).where(accounts.c.email == "nina@a.example")).mappings().one()
    assert row["client_id"] == world.client_ids["A"] and row["right_invoices"] and row["right_job_status"]
    assert not row["right_documents"]
    assert _count(world.engine, audit_log, audit_log.c.action == "member_created",
                  audit_log.c.target == "nina@a.example") == 1
    assert _count(world.engine, outbox, outbox.c.to_addr == "nina@a.example", outbox.c.kind == "invite") == 1
    # The form is empty again, and the new member is in the list.
    assert _text_input(at, "Login email").value == ""
    assert "nina@a.example" in set(at.dataframe[1].value["login_email"])


def test_duplicate_login_email_in_other_case_is_refused_and_the_form_keeps_its_values(portal_env, world):
    before = _count(world.engine, accounts)
    at = _fill(_open_client(world), email="ALL@B.Example", first="Dup", title="Keeps this")
    assert any("Login email" in e.value for e in at.error)
    assert _text_input(at, "Login email").value == "ALL@B.Example"
    assert _text_input(at, "First name").value == "Dup"
    assert _text_input(at, "Job title").value == "Keeps this"
    assert next(b for b in at.checkbox if b.key.startswith("new_member_") and b.label == "View invoices").value
    assert _count(world.engine, accounts) == before
    assert _count(world.engine, outbox) == 0


def test_invalid_login_email_is_refused_naming_the_field(portal_env, world):
    at = _fill(_open_client(world), email="nina.example")
    assert any("Login email" in e.value and "not a valid" in e.value for e in at.error)
    assert _text_input(at, "Login email").value == "nina.example"
    assert _count(world.engine, outbox) == 0


def test_member_with_no_right_is_created_and_the_form_says_so(portal_env, world):
    at = _open_client(world)
    assert any("no right checked" in c.value for c in at.caption)
    at = _fill(at, rights=())
    assert not at.error
    assert any("No access right is checked" in s.value for s in at.success)
    with world.engine.connect() as conn:
        row = conn.execute(sa.select(accounts).where(accounts.c.email == "nina@a.example")).mappings().one()
    assert not any(row[f"right_{k}"] for k in RIGHTS)


def test_staff_removes_a_right_and_deactivates_from_the_member_panel(portal_env, world):
    member_id = world.account_ids["invoices@a.example"]
    at = _open_client(world)
    at.selectbox(key=f"open_member_{world.client_ids['A']}").set_value(member_id).run()
    at.checkbox(key=f"edit_member_{member_id}_right_invoices").uncheck()
    next(b for b in at.button if b.label == "Save changes").click()
    at.run()
    assert not at.error
    assert world.scope("invoices@a.example").rights == frozenset()
    at.button(key=f"deactivate_{member_id}").click()
    at.run()
    assert world.scope("invoices@a.example") is None
    assert any("deactivated" in s.value for s in at.success)


def test_delete_needs_the_confirmation(portal_env, world):
    member_id = world.account_ids["none@a.example"]
    at = _open_client(world)
    at.selectbox(key=f"open_member_{world.client_ids['A']}").set_value(member_id).run()
    assert at.button(key=f"delete_{member_id}").disabled
    at.checkbox(key=f"confirm_delete_{member_id}").check().run()
    at.button(key=f"delete_{member_id}").click().run()
    assert _count(world.engine, accounts, accounts.c.id == member_id) == 0
    assert _count(world.engine, accounts, accounts.c.email == "all@b.example") == 1


def test_members_cannot_reach_the_staff_pages(portal_env, world):
    at = app_as("all@a.example")
    from tests.app.helpers import registered_pages
    pages = registered_pages(at)
    assert not {"clients", "portal-setup", "outbox", "audit-log"} & pages


def test_staff_resend_invitation_from_the_panel_queues_a_new_mail(portal_env, world):
    at = _fill(_open_client(world))
    with world.engine.connect() as conn:
        member_id = conn.execute(sa.select(accounts.c.id).where(accounts.c.email == "nina@a.example")).scalar_one()
    at.selectbox(key=f"open_member_{world.client_ids['A']}").set_value(member_id).run()
    at.button(key=f"resend_{member_id}").click().run()
    assert not at.error
    assert _count(world.engine, outbox, outbox.c.to_addr == "nina@a.example", outbox.c.kind == "invite") == 2


def test_names_typed_by_staff_are_not_rendered_as_markdown(portal_env, world):
    at = _fill(_open_client(world), first="[click](http://evil.example)", last="*Bold*")
    [message] = [s.value for s in at.success]
    assert "\\[click\\]\\(http" in message and "\\*Bold\\*" in message


def test_member_search_narrows_the_list_and_the_manage_member_choices(portal_env, world):
    at = _open_client(world)
    at.text_input(key=f"members_search_{world.client_ids['A']}").input("INVOICES@").run()
    assert not at.exception
    assert list(at.dataframe[1].value["login_email"]) == ["invoices@a.example"]
    picker = at.selectbox(key=f"open_member_{world.client_ids['A']}")
    assert picker.options == ["Choose a member…", "Test Member <invoices@a.example>"]

    at.text_input(key=f"members_search_{world.client_ids['A']}").input("all@b.example").run()
    assert len(at.dataframe) == 1  # only the client list: another client's member is not found
    assert any("matches this search" in i.value for i in at.info)
