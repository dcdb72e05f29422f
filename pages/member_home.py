"""Member home: headline figures and charts for the sections the member may see."""
import altair as alt
import streamlit as st

from core import home
from ui import context
from ui.widgets import plain

scope = context.member_scope()
engine = context.engine()

st.title(f"Welcome, {plain(scope.name)}")
st.caption(plain(scope.client_name))

with engine.connect() as conn:
    figures = home.figures(scope, conn)
    charts = home.charts(scope, conn)
color = context.brand().primary_color

if not figures and not charts:
    st.info("Your login has no sections with figures yet. Ask your contact at the business for access.")

for start in range(0, len(figures), 4):
    cols = st.columns(4)
    for col, fig in zip(cols, figures[start:start + 4]):
        col.metric(fig.label, fig.value, help=fig.help or None)

if charts:
    cols = st.columns(len(charts))
    for col, (title, frame) in zip(cols, charts.items()):
        x, y = frame.columns[0], frame.columns[1]
        chart = (
            alt.Chart(frame, title=title)
            .mark_bar(color=color)
            .encode(x=alt.X(f"{x}:N", sort=list(frame[x]), axis=alt.Axis(labelAngle=0)),
                    y=alt.Y(f"{y}:Q"),
                    tooltip=list(frame.columns))
        )
        col.altair_chart(chart, width="stretch")
