"""ACA health insurance: members, plans, providers, enrollments and daily claim lines (CSV).

Day 0 holds every plan, member, provider and enrollment; each later day holds the rows that
changed or appeared that day, plus that day's claim lines. Everything is drawn from numpy
generators seeded by (seed, day, stream), so a day's files depend only on the parameters and
the day, never on how many days were generated in one go: `add_day` writes exactly what
`generate` with one more day would have written. `manifest.json` records the parameters, the
rows of every file and, in dirty mode, how many bad rows of each kind were mixed in.

The modules: `params` (parameters, rates, seeded streams), `reference` (plans, rating areas
and other fixed inputs), `world` (the entities and their day events), `claims` (a day's
claim lines), `files` (CSV rendering, dirty rows, the manifest); this module holds
`generate`, `add_day` and the `generate aca` / `day aca` commands.
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

from ingest import config
from ingest.generators.aca import reference as ref
from ingest.generators.aca.files import (
    _file_entry,
    _manifest,
    _params_from_manifest,
    _rating_areas_table,
    _write_day,
    _write_manifest,
    read_manifest,
    write_csv,
)
from ingest.generators.aca.params import (
    CLAIM_DEFECTS,
    FORMAT_VERSION,
    MANIFEST,
    RATING_AREAS,
    GenerationError,
    Params,
    make_params,
)
from ingest.generators.aca.world import _advance, _all_rows, _initial_world, _tables
from ingest.log import done_progress, progress, say

__all__ = [
    "CLAIM_DEFECTS", "MANIFEST", "GenerationError", "add_arguments", "add_day",
    "add_day_arguments", "default_out_dir", "generate", "read_manifest", "run", "run_day",
    "sample",
]


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------

def generate(out_dir: Path, scale: float = 1.0, start_date: date = date(2025, 1, 1),
             days: int = 365, seed: int = 42, dirty: bool = False, dirty_share: float = 0.02
             ) -> dict:
    """Write the sample into out_dir and return its manifest (reuse it when already there)."""
    params = make_params(scale, start_date, days, seed, dirty, dirty_share)
    return _generate(Path(out_dir), params)[0]


def _generate(out: Path, params: Params) -> tuple[dict, bool]:
    """The manifest, and whether an existing sample was reused."""
    existing = read_manifest(out)
    if existing is not None:
        wanted, found = params.as_dict(), existing["parameters"]
        # `day` advances a sample by a day at a time: more days than asked, all else equal,
        # is the same sample advanced, and reused as it is.
        advanced = (
            isinstance(found.get("days"), int)
            and found["days"] > wanted["days"]
            and {**found, "days": wanted["days"]} == wanted
        )
        if (wanted == found or advanced) and existing.get("format_version") == FORMAT_VERSION:
            missing = [name for name in existing["files"] if not (out / name).exists()]
            if missing:
                raise GenerationError(f"{out} lacks {len(missing)} file(s) its {MANIFEST} lists "
                                      f"(first: {missing[0]}); delete the folder and rerun")
            how = (f"advanced to {found['days']} days with `day`" if advanced
                   else "same parameters")
            print(f"reused the existing ACA sample in {out} ({how}); wrote nothing")
            return existing, True
        diff = ", ".join(f"{k} {found.get(k)!r} (asked {v!r})" for k, v in wanted.items()
                         if found.get(k) != v) or "format version"
        raise GenerationError(f"{out} already holds an ACA sample with other parameters: {diff}; "
                              "delete the folder or choose another --out")
    if out.exists() and any(out.glob("*.csv")):
        raise GenerationError(f"{out} holds CSV files but no {MANIFEST} (an interrupted run?); "
                              "delete the folder and rerun")
    out.mkdir(parents=True, exist_ok=True)
    t = _tables()
    write_csv(out / RATING_AREAS, _rating_areas_table())
    files = {RATING_AREAS: _file_entry("rating_areas", None, len(ref.COUNTIES), {})}
    world, pix = _initial_world(params, t)
    for d in range(params.days):
        changed = _all_rows(world) if d == 0 else _advance(params, t, world, pix, d)
        day_files, _ = _write_day(out, params, t, world, changed, d)
        files.update(day_files)
        progress(f"aca: generated day {d + 1}/{params.days}")
    done_progress()
    manifest = _manifest(params, files)
    _write_manifest(out, manifest)
    return manifest, False


def add_day(out_dir: Path) -> dict:
    """Add the next day's files to an existing sample folder; return the updated manifest."""
    out = Path(out_dir)
    manifest = read_manifest(out)
    if manifest is None:
        raise GenerationError(f"{out} has no {MANIFEST}; run `python -m ingest generate aca` "
                              "first")
    params = _params_from_manifest(manifest)
    t = _tables()
    world, pix = _initial_world(params, t)
    for d in range(1, params.days):
        _advance(params, t, world, pix, d)
    d = params.days
    changed = _advance(params, t, world, pix, d)
    day_files, _ = _write_day(out, params, t, world, changed, d)
    files = dict(manifest["files"])
    files.update(day_files)
    new_params = make_params(params.scale, params.start_date, params.days + 1, params.seed,
                             params.dirty, params.dirty_share)
    manifest = _manifest(new_params, files)
    _write_manifest(out, manifest)
    return manifest


def default_out_dir() -> Path:
    return config.data_dir() / "sample" / "aca"


def sample(scale: float, days: int, seed: int) -> None:
    """The demo's sample (domain registry): `days` days from 2025-01-01 in the default
    folder, reused when already there."""
    generate(default_out_dir(), scale, date(2025, 1, 1), days, seed)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: <WAREHOUSE_DATA_DIR>/sample/aca)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="1 = about 10,000 members and 500,000 claim lines a year")
    parser.add_argument("--start-date", type=date.fromisoformat, default=date(2025, 1, 1),
                        help="first day, YYYY-MM-DD (default 2025-01-01)")
    parser.add_argument("--days", type=int, default=365, help="number of days (default 365)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--dirty", action="store_true",
                        help="mix bad rows into claim files and the first members file")
    parser.add_argument("--dirty-share", type=float, default=0.02,
                        help="share of bad rows per dirty file (default 0.02)")


def add_day_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=None,
                        help="existing sample folder (default: <WAREHOUSE_DATA_DIR>/sample/aca)")


def _describe(manifest: dict, out: Path, seconds: float, lines: int | None) -> str:
    tot = manifest["totals"]
    text = (f"ACA sample in {out}: {len(manifest['generated_days'])} days, "
            f"{tot['claim_lines']['rows']:,} claim lines, {tot['members']['rows']:,} member rows")
    if lines is not None and seconds > 0:
        text += f"; {seconds:.1f} s ({lines / seconds * 60:,.0f} claim lines a minute)"
    return text


def run(args: argparse.Namespace) -> int:
    out = args.out or default_out_dir()
    started = time.perf_counter()
    try:
        params = make_params(args.scale, args.start_date, args.days, args.seed, args.dirty,
                             args.dirty_share)
        manifest, reused = _generate(out, params)
    except GenerationError as exc:
        say(f"error: {exc}")
        return 2
    if not reused:
        elapsed = time.perf_counter() - started
        print(_describe(manifest, out, elapsed, manifest["totals"]["claim_lines"]["rows"]))
    return 0


def run_day(args: argparse.Namespace) -> int:
    out = args.out or default_out_dir()
    try:
        manifest = add_day(out)
    except GenerationError as exc:
        say(f"error: {exc}")
        return 2
    print(f"added {manifest['generated_days'][-1]}: " + _describe(manifest, out, 0, None))
    return 0
