"""Streamlit glue for a client's portal members: the list, the create form, one member's panel.

The panel is a list of sections (title, render function); another module adds a section by
appending to `member_sections()` — the documents editor of ui/documents.py is picked up that way.
"""
from __future__ import annotations

from typing import Callable

import streamlit as st
from sqlalchemy.engine import Engine

from core import members
from core.errors import PortalError
from core.rights import NOTIFICATIONS, RIGHTS
from core.scope import StaffScope
from ui import context, sender
from ui.widgets import page_number, pager, plain, show_error

FLASH_KEY = "members_flash"
Section = Callable[[StaffScope, Engine, int, dict], None]


def _flash(message: str) -> None:
    st.session_state[FLASH_KEY] = plain(message)  # names and addresses typed by people: no Markdown
    st.rerun()


def show_flash() -> None:
    """The message of the last member action (kept across the rerun that refreshed the page)."""
    if message := st.session_state.pop(FLASH_KEY, None):
        st.success(message)


def _checkboxes(prefix: str, rights: frozenset = frozenset(), notifications: frozenset = frozenset()):
    st.markdown("**Access rights**")
    cols = st.columns(3)
    chosen_rights = [key for i, (key, label) in enumerate(RIGHTS.items())
                     if cols[i % 3].checkbox(label, value=key in rights, key=f"{prefix}_right_{key}")]
    st.caption(members.NO_RIGHTS_NOTICE)
    st.markdown("**E-mail notifications**")
    cols = st.columns(3)
    chosen_notes = [key for i, (key, label) in enumerate(NOTIFICATIONS.items())
                    if cols[i].checkbox(label, value=key in notifications, key=f"{prefix}_notify_{key}")]
    return chosen_rights, chosen_notes


def create_form(scope: StaffScope, engine: Engine, client_id: int, *, setup_completed: bool) -> None:
    """The *Create portal member* form; it keeps what was typed when core refuses it."""
    st.subheader("New portal member")
    if not setup_completed:
        st.warning(str(members.SetupIncomplete()))
        st.page_link("pages/staff_portal_setup.py", label="Go to Portal setup", icon=":material/tune:")
    version = st.session_state.get(f"new_member_version_{client_id}", 0)
    prefix = f"new_member_{client_id}_{version}"  # a new prefix after success gives an empty form
    with st.form(f"{prefix}_form"):
        cols = st.columns(2)
        first_name = cols[0].text_input("First name", key=f"{prefix}_first")
        last_name = cols[1].text_input("Last name", key=f"{prefix}_last")
        email = cols[0].text_input("Login email", key=f"{prefix}_email")
        job_title = cols[1].text_input("Job title", key=f"{prefix}_title")
        rights, notifications = _checkboxes(prefix)
        submitted = st.form_submit_button("Create portal member", type="primary")
    if not submitted:
        return
    try:
        with engine.begin() as conn:
            members.create_member(scope, conn, client_id, first_name=first_name, last_name=last_name, email=email,
                                  job_title=job_title, rights=rights, notifications=notifications,
                                  cfg=context.settings())
    except members.SetupIncomplete as exc:
        st.error(str(exc))
        st.page_link("pages/staff_portal_setup.py", label="Go to Portal setup", icon=":material/tune:")
    except PortalError as exc:
        show_error(exc)
    else:
        sender.wake()
        st.session_state[f"new_member_version_{client_id}"] = version + 1
        message = f"Portal member {first_name.strip()} {last_name.strip()} created; the invitation to " \
                  f"{email.strip().lower()} is on its way."
        if not rights:
            message += " No access right is checked: this member sees only Home and Account."
        _flash(message)


def member_list(scope: StaffScope, engine: Engine, client_id: int):
    """The client's members as a table; returns the page of rows shown."""
    search = st.text_input("Search members by name or login email", key=f"members_search_{client_id}")
    with engine.connect() as conn:
        result = members.list_members(scope, conn, client_id, search=search,
                                      page=page_number(f"members_page_{client_id}"))
    if result.total == 0:
        st.info("No portal member of this client matches this search." if search.strip()
                else "This client has no portal members yet.")
        return result
    st.dataframe(
        result.rows.drop(columns=["id"]), hide_index=True,
        column_config={"name": "Name", "login_email": "Login email", "job_title": "Job title", "rights": "Rights",
                       "notifications": "Notifications", "status": "Status",
                       "last_login": st.column_config.DatetimeColumn("Last login (UTC)", format="YYYY-MM-DD HH:mm")},
    )
    pager(result, key=f"members_page_{client_id}")
    return result


def _act(action: Callable, message: str, *, wakes_sender: bool = False) -> None:
    try:
        with context.engine().begin() as conn:
            action(conn)
    except PortalError as exc:
        show_error(exc)
    else:
        if wakes_sender:
            sender.wake()
        _flash(message)


def _details_section(scope: StaffScope, engine: Engine, client_id: int, member: dict) -> None:
    prefix = f"edit_member_{member['id']}"
    with st.form(f"{prefix}_form"):
        cols = st.columns(2)
        first_name = cols[0].text_input("First name", value=member["first_name"], key=f"{prefix}_first")
        last_name = cols[1].text_input("Last name", value=member["last_name"], key=f"{prefix}_last")
        email = cols[0].text_input("Login email", value=member["email"], key=f"{prefix}_email")
        job_title = cols[1].text_input("Job title", value=member["job_title"], key=f"{prefix}_title")
        rights, notifications = _checkboxes(prefix, member["rights"], member["notifications"])
        submitted = st.form_submit_button("Save changes", type="primary")
    if submitted:
        name = f"{first_name.strip()} {last_name.strip()}"
        _act(lambda conn: members.update_member(
            scope, conn, client_id, member["id"], first_name=first_name, last_name=last_name, email=email,
            job_title=job_title, rights=rights, notifications=notifications),
            f"Changes to {name} saved; they apply on the member's next click.")


def _login_section(scope: StaffScope, engine: Engine, client_id: int, member: dict) -> None:
    name = f"{member['first_name']} {member['last_name']}"
    cfg = context.settings()
    mid = member["id"]
    st.text(f"Status: {members.STATUS_LABELS[member['status']]}")
    cols = st.columns(4)
    if member["active"]:
        if cols[0].button("Deactivate", key=f"deactivate_{mid}"):
            _act(lambda conn: members.deactivate(scope, conn, client_id, mid),
                 f"{name} is deactivated and logged out everywhere.")
    elif cols[0].button("Reactivate", key=f"reactivate_{mid}"):
        _act(lambda conn: members.reactivate(scope, conn, client_id, mid), f"{name} can log in again.")
    if member["status"] == "invited" and cols[1].button("Resend invitation", key=f"resend_{mid}"):
        _act(lambda conn: members.resend_invitation(scope, conn, client_id, mid, cfg=cfg),
             f"A new invitation to {member['email']} is on its way; earlier links no longer work.", wakes_sender=True)
    if member["active"] and cols[2].button("Send password reset", key=f"reset_{mid}"):
        _act(lambda conn: members.send_password_reset(scope, conn, client_id, mid, cfg=cfg),
             f"A password reset link to {member['email']} is on its way.", wakes_sender=True)
    if cols[3].button("End sessions", key=f"end_sessions_{mid}"):
        _act(lambda conn: members.end_sessions(scope, conn, client_id, mid),
             f"Every session of {name} ends on its next click.")
    st.divider()
    confirmed = st.checkbox(f"Yes, delete {plain(name)} for good", key=f"confirm_delete_{mid}")
    if st.button("Delete member", key=f"delete_{mid}", disabled=not confirmed, type="secondary"):
        st.session_state.pop(f"open_member_{client_id}", None)
        _act(lambda conn: members.delete_member(scope, conn, client_id, mid), f"{name} is deleted.")


def _documents_editor():
    # Issue 5 builds ui/documents.py; until it exists, the panel simply has no Documents section.
    try:
        from ui.documents import member_documents_editor
    except ModuleNotFoundError as exc:
        if exc.name != "ui.documents":
            raise
        return None
    return member_documents_editor


def member_sections() -> list[tuple[str, Section]]:
    """The sections of one member's panel, in tab order (append here to add an action)."""
    sections: list[tuple[str, Section]] = [
        ("Details and rights", _details_section),
        ("Login and sessions", _login_section),
    ]
    if editor := _documents_editor():
        sections.append(("Documents", lambda scope, engine, client_id, member: editor(scope, member["id"])))
    return sections


def member_panel(scope: StaffScope, engine: Engine, client_id: int, rows) -> None:
    """Pick one member of the list shown and manage it (edit, access, sessions, delete, …).

    The list is searched and paged on the server, so every member can be reached from here.
    """
    if rows.empty:
        return
    labels = {int(r.id): f"{r.name} <{r.login_email}>" for r in rows.itertuples()}
    member_id = st.selectbox("Manage member", [None, *labels], key=f"open_member_{client_id}",
                             format_func=lambda m: "Choose a member…" if m is None else labels.get(m, "(gone)"))
    if member_id is None or member_id not in labels:
        return
    try:
        with engine.connect() as conn:
            member = members.get_member(scope, conn, client_id, member_id)
    except PortalError as exc:
        show_error(exc)
        return
    sections = member_sections()
    for tab, (_, render) in zip(st.tabs([title for title, _ in sections]), sections):
        with tab:
            render(scope, engine, client_id, member)
