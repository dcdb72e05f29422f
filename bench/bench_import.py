"""Bench (not a test): import the demo data set from files into an empty DuckDB.

    python bench/bench_import.py [--scale large|small] [--format csv|parquet|both] [--keep DIR]

Writes the SPEC §8 files of `core.demo.frames(scale)` to a temporary folder, then imports them
with `core.importer` in a fresh child process (so its peak memory is the import's alone, not
the generator's) and prints rows per second and the child's peak resident memory.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def write_files(scale: str, fmt: str, folder: Path) -> int:
    from core import demo

    started = time.perf_counter()
    frames = demo.frames(scale)
    folder.mkdir(parents=True, exist_ok=True)
    rows = 0
    for kind, frame in frames.items():
        if fmt == "csv":
            frame.to_csv(folder / f"{kind}.csv", index=False)
        else:
            frame.to_parquet(folder / f"{kind}.parquet", index=False)
        rows += len(frame)
    size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
    print(f"  wrote {rows:,} rows as {fmt} ({size:,.0f} MB) in {time.perf_counter() - started:.1f} s", flush=True)
    return rows


def import_child(folder: str, db_path: str) -> None:
    """Run in the child process: import the folder into an empty database, print JSON."""
    from core import importer, schema
    from core.db import make_engine

    engine = make_engine(f"duckdb:///{db_path}")
    schema.init(engine)
    last = [""]
    began = time.perf_counter()

    def progress(text: str, fraction: float) -> None:
        step = text.split(":")[0]
        if step != last[0]:
            print(f"    {time.perf_counter() - began:7.1f} s {fraction:4.0%} {step}", file=sys.stderr, flush=True)
            last[0] = step

    tracemalloc.start()
    started = time.perf_counter()
    report = importer.run(engine, importer.sources_from_path(folder), apply=True,
                          base_url="http://localhost:8501", progress=progress)
    seconds = time.perf_counter() - started
    python_peak = tracemalloc.get_traced_memory()[1]
    rows = sum(k.rows for k in report.kinds)
    print(json.dumps({"ok": report.ok, "rows": rows, "seconds": seconds, "python_peak": python_peak,
                      "rss_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                      "problems": [p.reason for p in report.problems[:5]]}))


def bench(scale: str, fmt: str, keep: Path | None) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        base = keep or Path(tmp)
        folder = base / f"{scale}-{fmt}"
        print(f"{scale} data set as {fmt}:", flush=True)
        write_files(scale, fmt, folder)
        db_path = base / f"{scale}-{fmt}.duckdb"
        db_path.unlink(missing_ok=True)
        child = subprocess.run([sys.executable, __file__, "--child", str(folder), str(db_path)],
                               stdout=subprocess.PIPE, text=True, check=True, cwd=ROOT)
        result = json.loads(child.stdout.strip().splitlines()[-1])
        if not result["ok"]:
            print(f"  import refused: {result['problems']}")
            return
        print(f"  imported {result['rows']:,} rows in {result['seconds']:.1f} s = "
              f"{result['rows'] / result['seconds']:,.0f} rows/s", flush=True)
        print(f"  peak memory of the import process: {result['rss_peak'] / 1e6:,.0f} MB resident "
              f"(Python heap peak, tracemalloc: {result['python_peak'] / 1e6:,.0f} MB)", flush=True)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        import_child(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["small", "large"], default="large")
    parser.add_argument("--format", choices=["csv", "parquet", "both"], default="both")
    parser.add_argument("--keep", type=Path, help="write the files and database here instead of a temp dir")
    args = parser.parse_args()
    for fmt in (["csv", "parquet"] if args.format == "both" else [args.format]):
        bench(args.scale, fmt, args.keep)


if __name__ == "__main__":
    main()
