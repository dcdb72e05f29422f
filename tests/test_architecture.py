"""Layering rules: core never imports Streamlit; pages hold no SQL."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_core_source_never_imports_streamlit():
    offenders = [
        str(path.relative_to(ROOT)) for path in (ROOT / "core").rglob("*.py")
        if re.search(r"^\s*(import streamlit|from streamlit)", path.read_text(), re.MULTILINE)
    ]
    assert offenders == []


def test_importing_every_core_module_loads_no_streamlit():
    modules = sorted(p.stem for p in (ROOT / "core").glob("*.py") if p.stem not in {"__init__", "__main__"})
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module('core.' + m)\n"
        "print(sorted(k for k in sys.modules if k.split('.')[0] in ('streamlit', 'streamlit_authenticator')))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_pages_contain_no_sql():
    sql = re.compile(r"\b(select|insert|update|delete)\b.+\b(from|into|set)\b", re.IGNORECASE)
    offenders = [
        f"{path.name}:{n}" for path in (ROOT / "pages").glob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if sql.search(line) and not line.strip().startswith("#")
    ]
    assert offenders == []
