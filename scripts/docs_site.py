"""The dbt docs site: generate it (optionally over a small sample warehouse) or serve it.

    python scripts/docs_site.py generate [--static] [--sample]
    python scripts/docs_site.py serve [--port 8080]

`dbt docs generate` reads column types and row counts from the warehouse (the catalog), so
the site is only complete over a built warehouse. `--sample` builds one first: every
domain's sample at a small scale, landed and built without tests into the current
WAREHOUSE_TARGET (a DuckDB target). Without `--sample`, when the DuckDB target's file does
not exist yet (a fresh clone), the docs build that sample in a warehouse of their own under
`<WAREHOUSE_DATA_DIR>/docs-sample/`, so `make docs` works before `make demo`. Artifacts go to
WAREHOUSE_DBT_TARGET_PATH (default `target/`); the single-file site is `static_index.html`.

Column-level lineage comes with it: dbt-colibri reads the manifest and catalog and writes
`lineage/index.html` beside the site (one self-contained page, telemetry off), which the
overview links to. `lineage/index.html?model=<unique_id>&column=<name>&parents=all` opens
one column's lineage back to the raw columns. An error from colibri on any column fails
the run.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from ingest import config, dbt_runner  # noqa: E402

SAMPLE_SCALE = 0.01
SAMPLE_DAYS = 3
SAMPLE_SEED = 42


def target_path() -> Path:
    return Path(os.environ.get("WAREHOUSE_DBT_TARGET_PATH") or PROJECT_ROOT / "target")


def _dbt(args: list[str]) -> None:
    """Run dbt; exit with dbt's message when it fails."""
    result = dbt_runner.invoke(args)
    if result.exception is not None:
        raise SystemExit(f"error: dbt {' '.join(args)} raised: {result.exception}")
    if not result.success:
        failed = [
            f"  {r.node.unique_id}: {r.status} {r.message or ''}".rstrip()
            for r in (result.result or [])
            if str(r.status) not in ("success", "pass", "skipped")
        ]
        raise SystemExit(f"error: dbt {' '.join(args)} failed:\n" + "\n".join(failed[:20]))


def build_sample(scale: float = SAMPLE_SCALE, days: int = SAMPLE_DAYS) -> None:
    """Generate (reused when present), land and build every domain at a small scale."""
    from ingest import demo
    from ingest.generators import synthea as synthea_generator
    from ingest.sources import synthea as synthea_source

    target = config.target()
    if not target.is_duckdb:
        raise SystemExit(
            f"error: --sample builds a DuckDB warehouse; WAREHOUSE_TARGET={target.name} is not one"
        )
    started = time.monotonic()
    demo.prepare(scale, days, SAMPLE_SEED)
    # the demo has no Synthea data; the docs show its rows in the ACA star and its lineage
    synthea_generator.generate(synthea_source.default_dir(), seed=SAMPLE_SEED)
    demo.land(target)
    # Models, seeds and snapshots only: the catalog needs the relations, not the test results.
    _dbt(["build", "--exclude-resource-type", "test", "unit_test"])
    print(f"sample warehouse built in {time.monotonic() - started:.0f}s: {target.describe()}")


def use_docs_sample_warehouse() -> None:
    """Point this process at a DuckDB file and sample folder of the docs' own.

    A fresh clone has no warehouse yet: the docs get a small one under
    `<WAREHOUSE_DATA_DIR>/docs-sample/`, so that `make demo` later finds neither a tiny
    sample in its place nor a warehouse already holding one.
    """
    folder = config.data_dir() / "docs-sample"
    os.environ["WAREHOUSE_TARGET"] = "ci"
    os.environ["WAREHOUSE_CI_DUCKDB_PATH"] = str(folder / "warehouse.duckdb")
    os.environ["WAREHOUSE_DATA_DIR"] = str(folder)


def generate(static: bool, sample: bool) -> Path:
    target = config.target()
    if not sample and target.is_duckdb and not target.duckdb_path.exists():
        print(f"no warehouse at {target.duckdb_path}: the docs use a small sample of their own")
        use_docs_sample_warehouse()
        sample = True
    if sample:
        build_sample()
    # refs whole in the compiled SQL: the column lineage matches them with the catalog (the
    # views built in the warehouse name no catalog: macros/cross_db/relation_names.sql)
    args = ["docs", "generate", "--vars", '{"refs_name_the_catalog": true}']
    if static:
        args.append("--static")
    _dbt(args)
    out = target_path() / ("static_index.html" if static else "index.html")
    if not out.exists():
        raise SystemExit(f"error: dbt docs generate did not write {out}")
    print(f"docs site: {out}")
    column_lineage(target_path())
    return out


def column_lineage(target: Path) -> Path:
    """Write `<target>/lineage/index.html` (and colibri-manifest.json) with dbt-colibri."""
    colibri = Path(sys.executable).with_name("colibri")
    if not colibri.exists():
        raise SystemExit(f"error: {colibri} is missing; run `make setup` (dbt-colibri, dev group)")
    out = target / "lineage"
    done = subprocess.run(
        [str(colibri), "generate", "--output-dir", str(out), "--light", "--disable-telemetry",
         "--manifest", str(target / "manifest.json"), "--catalog", str(target / "catalog.json")],
        capture_output=True, text=True, env={**os.environ, "DO_NOT_TRACK": "1"},
    )
    log = done.stdout + done.stderr
    errors = [line.strip() for line in log.splitlines() if re.search(r"\[ERROR\]", line)]
    page = out / "index.html"
    if done.returncode != 0 or errors or not page.exists():
        detail = "\n".join(errors[:20]) or log[-2000:]
        raise SystemExit(f"error: column lineage (dbt-colibri) failed:\n{detail}")
    print(f"column lineage: {page}")
    return page


def serve(port: int) -> None:
    """Serve the generated site on localhost (dbt docs serve, no browser)."""
    index = target_path() / "index.html"
    if not index.exists():
        raise SystemExit(f"error: {index} is missing; run `make docs` to generate it first")
    print(f"serving the docs on http://localhost:{port} (Ctrl-C stops)")
    _dbt(["docs", "serve", "--port", str(port), "--host", "127.0.0.1", "--no-browser"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write the docs site (index.html or static_index.html)")
    gen.add_argument("--static", action="store_true", help="one self-contained HTML file")
    gen.add_argument("--sample", action="store_true", help="build a small sample warehouse first")
    srv = sub.add_parser("serve", help="serve the generated site on localhost")
    srv.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    try:
        if args.command == "generate":
            generate(args.static, args.sample)
        else:
            serve(args.port)
    except config.ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
