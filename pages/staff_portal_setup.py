"""Staff: portal setup — name, logo, colour, login page, support contact, work-request e-mails."""
import streamlit as st

from core import portal
from core.errors import PortalError
from ui import context
from ui.widgets import show_error

scope = context.staff_scope()
engine = context.engine()

brand = context.brand()
with engine.connect() as conn:
    staff = portal.staff_accounts(scope, conn)

st.title("Portal setup")
if message := st.session_state.pop("setup_saved_message", None):
    st.success(message)
if not brand.setup_completed:
    st.warning("The portal setup is not completed yet: portal members can be created once it is saved.")

labels = {s["id"]: s["label"] for s in staff}
with st.form("portal_setup"):
    portal_name = st.text_input("Portal name", value=brand.portal_name, max_chars=portal.NAME_MAX)
    if brand.logo:
        st.image(brand.logo, caption="Current logo", width=120)
    logo = st.file_uploader("Logo", type=["png", "jpg", "jpeg"],
                            help=f"PNG or JPEG, at most {portal.LOGO_MAX_BYTES // 1024 // 1024} MB. "
                                 "Leave empty to keep the current logo.")
    primary_color = st.color_picker("Primary colour", value=brand.primary_color or "#1f6feb")
    login_intro = st.text_area("Login intro", value=brand.login_intro, max_chars=portal.INTRO_MAX,
                               help="Shown above the login form, as plain text.")
    if brand.wallpaper:
        st.image(brand.wallpaper, caption="Current wallpaper", width=240)
    wallpaper = st.file_uploader(
        "Wallpaper", type=["png", "jpg", "jpeg"],
        help=f"Optional picture above the login form: PNG or JPEG, at most "
             f"{portal.WALLPAPER_MAX_BYTES // 1024 // 1024} MB.")
    remove_wallpaper = st.checkbox("Remove the wallpaper", value=False, disabled=not brand.wallpaper)
    support_contact = st.text_input("Support contact", value=brand.support_contact, max_chars=portal.SUPPORT_MAX,
                                    help="E-mail address and/or phone number members can contact.")
    recipients = st.multiselect("Work request e-mails to", options=list(labels), format_func=labels.get,
                                default=[s["id"] for s in staff if s["receives_work_requests"]])
    submitted = st.form_submit_button("Save portal setup", type="primary")

if submitted:
    try:
        with engine.begin() as conn:
            portal.save_setup(
                scope, conn, portal_name=portal_name, primary_color=primary_color, login_intro=login_intro,
                support_contact=support_contact, work_request_staff=recipients,
                logo=logo.getvalue() if logo else None, wallpaper=wallpaper.getvalue() if wallpaper else None,
                remove_wallpaper=remove_wallpaper,
            )
    except PortalError as exc:
        show_error(exc)
    else:
        st.session_state["setup_saved_message"] = "Portal setup saved."
        st.rerun()
