"""Portal setup: staff only, verified images, required fields, one audit entry."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from PIL import Image

from core import portal
from core import scope as scope_core
from core.errors import ValidationError
from core.schema import accounts, audit_log, portal_settings


def _png(size=(32, 32)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "#336699").save(buf, format="PNG")
    return buf.getvalue()


def _save(world, **overrides):
    staff = world.scope("staff@business.example")
    values = dict(portal_name="Acme Portal", primary_color="#0B6E4F", login_intro="Hello",
                  support_contact="help@acme.example", work_request_staff=[world.account_ids["staff@business.example"]],
                  logo=_png())
    values.update(overrides)
    with world.engine.begin() as conn:
        portal.save_setup(staff, conn, **values)


def test_saving_setup_marks_it_completed_and_stores_a_verified_logo(world):
    with world.engine.begin() as conn:
        conn.execute(portal_settings.update().values(setup_completed=False))
    _save(world)
    with world.engine.connect() as conn:
        brand = portal.branding(conn)
        actions = [r[0] for r in conn.execute(sa.select(audit_log.c.action))]
    assert brand.setup_completed and brand.portal_name == "Acme Portal" and brand.logo_mime == "image/png"
    assert brand.primary_color == "#0b6e4f"
    assert actions.count("portal_setup_saved") == 1


@pytest.mark.parametrize("data, message", [
    (b"%PDF-1.4 not an image", "not a readable"),
    (b"GIF89a" + b"\x00" * 40, "not a readable"),
    (b"\x00" * (portal.LOGO_MAX_BYTES + 1), "at most"),
])
def test_logo_that_is_not_a_small_png_or_jpeg_is_refused(world, data, message):
    with pytest.raises(ValidationError) as err:
        _save(world, logo=data)
    assert message in err.value.errors["Logo"]


def test_gif_logo_is_refused_even_when_pillow_reads_it(world):
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, format="GIF")
    with pytest.raises(ValidationError) as err:
        _save(world, logo=buf.getvalue())
    assert "PNG or JPEG" in err.value.errors["Logo"]


def test_required_fields_and_colour_are_checked(world):
    with pytest.raises(ValidationError) as err:
        _save(world, portal_name=" ", support_contact="", primary_color="red")
    assert {"Portal name", "Support contact", "Primary colour"} <= set(err.value.errors)


def test_work_request_recipients_are_the_chosen_staff_only(world):
    with world.engine.begin() as conn:
        other = conn.execute(accounts.insert().values(
            email="other@business.example", role="staff", first_name="O", last_name="S", active=True,
            created_at=sa.func.now(), receives_work_requests=True).returning(accounts.c.id)).scalar_one()
    _save(world, work_request_staff=[other])
    with world.engine.connect() as conn:
        chosen = {r.email for r in conn.execute(sa.select(accounts.c.email).where(accounts.c.receives_work_requests))}
    assert chosen == {"other@business.example"}
    with pytest.raises(ValidationError):
        _save(world, work_request_staff=[world.account_ids["all@a.example"]])


def test_members_cannot_save_the_setup(world):
    with pytest.raises(scope_core.NotStaff):
        with world.engine.begin() as conn:
            portal.save_setup(world.scope("all@a.example"), conn, portal_name="x", primary_color="#000000",
                              login_intro="", support_contact="x", work_request_staff=[], logo=_png())
