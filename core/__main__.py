"""Command line: `python -m core init | demo | create-staff | import | send-outbox | settings` (SPEC §9).

Every command honours the PORTAL_* settings.
"""
from __future__ import annotations

import argparse
import getpass
import sys
import time
from pathlib import Path

from core import accounts, demo, importer, schema
from core import settings as settings_core
from core.db import make_engine
from core.errors import ValidationError


def _engine():
    cfg = settings_core.load(for_web=False)
    return make_engine(cfg.db_url)


def cmd_init(args) -> int:
    """`init`: create or upgrade the schema."""
    version = schema.init(_engine())
    print(f"schema ready (version {version})")
    return 0


def cmd_demo(args) -> int:
    """`demo`: load the demo data set into an empty database."""
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
    """`create-staff`: create a staff account, password from standard input or a prompt."""
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


class _ProgressBar:
    """A one-line progress bar on stderr when it is a terminal; silent otherwise."""

    WIDTH = 30

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.live = stream.isatty()
        self.last = ""

    def __call__(self, text: str, fraction: float) -> None:
        if not self.live:
            return
        filled = int(self.WIDTH * max(0.0, min(fraction, 1.0)))
        line = f"[{'#' * filled}{' ' * (self.WIDTH - filled)}] {fraction:4.0%} {text}"[:100]
        self.stream.write("\r" + line.ljust(len(self.last)))
        self.stream.flush()
        self.last = line

    def close(self) -> None:
        if self.live and self.last:
            self.stream.write("\n")
            self.stream.flush()


def cmd_import(args) -> int:
    """`import`: check and import a folder, file or ZIP; non-zero exit on problems."""
    cfg = settings_core.load(for_web=False)
    engine = make_engine(cfg.db_url)
    schema.init(engine)
    path = Path(args.path)
    if not path.exists():
        print(f"{path}: no such file or folder", file=sys.stderr)
        return 2
    bar = _ProgressBar()
    started = time.perf_counter()
    try:
        report = importer.run(engine, importer.sources_from_path(path), apply=not args.check,
                              base_url=cfg.base_url, progress=bar)
    finally:
        bar.close()
    print(importer.format_report(report), file=sys.stdout if report.ok else sys.stderr)
    if report.ok:
        print(f"{'checked' if args.check else 'imported'} in {time.perf_counter() - started:.1f} s")
    return 0 if report.ok else 1


def cmd_send_outbox(args) -> int:
    """`send-outbox`: deliver the pending e-mail once and exit."""
    from core import mailer

    cfg = settings_core.load(for_web=False)
    engine = make_engine(cfg.db_url)
    schema.init(engine)
    result = mailer.send_pending(engine, cfg, limit=args.limit)
    print(f"sent {result.sent}, to retry {result.retrying}, failed {result.failed}")
    return 0


def cmd_settings(args) -> int:
    """`settings`: print the settings table."""
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
    p = sub.add_parser("import", help="import a folder of files, one file or a ZIP (SPEC section 8)")
    p.add_argument("path", help="folder, file (.csv, .xlsx, .parquet) or .zip")
    p.add_argument("--check", action="store_true", help="only check the files; write nothing")
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("send-outbox", help="deliver the pending e-mail once and exit")
    p.add_argument("--limit", type=int, default=1000, help="at most this many e-mails in this run")
    p.set_defaults(func=cmd_send_outbox)
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
