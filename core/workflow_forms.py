"""Workflow forms (questions and answers on a job), downloadable once their job is completed."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core import db
from core.errors import NotFound, RightMissing
from core.jobs import may_download_documents, require_document_access
from core.rights import RIGHTS
from core.schema import clients, jobs, sites, workflow_answers, workflow_forms
from core.scope import MemberScope


def get_form(scope: MemberScope, conn: Connection, form_id: int) -> dict:
    """One workflow form of a completed job of the client, with its questions and answers."""
    if not may_download_documents(scope):
        raise RightMissing(RIGHTS["completed_jobs"])
    row = conn.execute(
        sa.select(workflow_forms, jobs.c.ref.label("job_ref"), jobs.c.title.label("job_title"),
                  sites.c.name.label("site"), clients.c.name.label("client_name"))
        .select_from(workflow_forms.join(jobs, sa.and_(jobs.c.id == workflow_forms.c.job_id,
                                                       jobs.c.client_id == scope.client_id))
                     .outerjoin(sites, sa.and_(sites.c.id == jobs.c.site_id,
                                               sites.c.client_id == scope.client_id))
                     .join(clients, clients.c.id == workflow_forms.c.client_id))
        .where(workflow_forms.c.id == int(form_id), workflow_forms.c.client_id == scope.client_id)
    ).mappings().first()
    if row is None:
        raise NotFound("No such workflow form.")
    require_document_access(scope, conn, row["job_id"])
    form = dict(row)
    form["answers"] = db.read_frame(conn, (
        sa.select(workflow_answers.c.position, workflow_answers.c.question, workflow_answers.c.answer)
        .where(workflow_answers.c.form_id == form["id"], workflow_answers.c.client_id == scope.client_id)
        .order_by(workflow_answers.c.position)
    ))
    return form
