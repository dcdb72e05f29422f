"""Command line: `python -m core init | demo | create-staff | settings` (SPEC §9).

Every command honours the PORTAL_* settings.
"""
from __future__ import annotations

import argparse
import getpass
import sys
import time

from core import accounts, demo, schema
from core import settings as settings_core
from core.db import make_engine
from core.errors import ValidationError


def _engine():
    cfg = settings_core.load(for_web=False)
    return make_engine(cfg.db_url)


def cmd_init(args) -> int:
    version = schema.init(_engine())
    print(f"schema ready (version {version})")
    return 0


def cmd_demo(args) -> int:
    engine = _engine()
    schema.init(engine)
    if not demo.is_empty(engine):
        print("the database already holds data; demo data goes only into an empty database", file=sys.stderr)
        return 1
    started = time.perf_counter()

    def progress(kind: str, n: int, total: int) -> None:
        print(f"  [{n}/{total}] {kind}", file=sys.stderr)

    counts = demo.load(engine, args.scale, progress=progress,
                       documents_dir=settings_core.load(for_web=False).documents_dir)
    for kind, count in counts.items():
        print(f"{kind:>18}: {count:,}")
    print(f"demo data ({args.scale}) loaded in {time.perf_counter() - started:.1f} s")
    return 0


def cmd_create_staff(args) -> int:
    if sys.stdin.isatty():
        password = getpass.getpass("Password (at least 12 characters): ")
        if getpass.getpass("Repeat password: ") != password:
            print("the passwords differ", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\n")
    engine = _engine()
    schema.init(engine)
    try:
        with engine.begin() as conn:
            accounts.create_staff(conn, args.email, first_name=args.first_name, last_name=args.last_name,
                                  password=password)
    except ValidationError as exc:
        for field, message in exc.errors.items():
            print(f"{field} {message}", file=sys.stderr)
        return 1
    print(f"staff account {args.email.strip().lower()} created")
    return 0


def cmd_settings(args) -> int:
    print(settings_core.help_table())
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The `python -m core` argument parser (other modules add their commands here)."""
    parser = argparse.ArgumentParser(prog="python -m core", description="Client portal commands")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="create or upgrade the schema (idempotent)").set_defaults(func=cmd_init)
    p = sub.add_parser("demo", help="load the demo data set into an empty database")
    p.add_argument("--scale", choices=sorted(demo.SCALES), default="small")
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("create-staff", help="create a staff account; password from standard input")
    p.add_argument("email")
    p.add_argument("--first-name", required=True)
    p.add_argument("--last-name", required=True)
    p.set_defaults(func=cmd_create_staff)
    sub.add_parser("settings", help="list the PORTAL_* settings").set_defaults(func=cmd_settings)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except settings_core.SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
