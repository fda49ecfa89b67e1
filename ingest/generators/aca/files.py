"""Rendering a day to CSV files: tables of strings, the bad rows of dirty mode, the writer
and `manifest.json`."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ingest.generators.aca import reference as ref
from ingest.generators.aca.claims import _claims
from ingest.generators.aca.params import (
    CLAIM_DEFECTS,
    DAY_ENTITIES,
    FORMAT_VERSION,
    HEADERS,
    MANIFEST,
    MEMBER_DEFECTS,
    OPEN_END,
    STATUSES,
    GenerationError,
    Params,
    _rng,
    make_params,
)
from ingest.generators.aca.world import Tables, World

# ---------------------------------------------------------------------------------------------
# Rendering to Arrow tables of strings
# ---------------------------------------------------------------------------------------------

def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _money(cents: np.ndarray) -> pa.Array:
    cents = np.asarray(cents, dtype=np.int64)
    mag = np.abs(cents)
    whole = pc.cast(pa.array(mag // 100), pa.string())
    frac = pc.utf8_lpad(pc.cast(pa.array(mag % 100), pa.string()), 2, "0")
    text = pc.binary_join_element_wise(whole, frac, ".")
    return pc.if_else(pa.array(cents < 0), pc.binary_join_element_wise("-", text, ""), text)


def _dates(epoch_days: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.asarray(epoch_days, dtype=np.int32), pa.date32()), pa.string())


def _timestamps(epoch_seconds: np.ndarray) -> pa.Array:
    ts = pa.array(np.asarray(epoch_seconds, dtype=np.int64), pa.timestamp("s"))
    return pc.strftime(ts, format="%Y-%m-%dT%H:%M:%S")


def _padded(numbers: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()),
                        width, "0")


def _plan_ids(t: Tables, world: World, plans: np.ndarray) -> pa.Array:
    issuer = pc.cast(pa.array(t.issuer_ids[world.p_issuer[plans]]), pa.string())
    state = pa.array(t.state_codes).take(pa.array(world.p_state[plans]))
    return pc.binary_join_element_wise(issuer, state, _padded(world.p_product[plans], 3),
                                       _padded(world.p_component[plans], 4), "")


def _table(entity: str, columns: list[pa.Array]) -> pa.Table:
    return pa.Table.from_arrays(columns, names=list(HEADERS[entity]))


def _plans_table(t: Tables, world: World, rows: np.ndarray) -> pa.Table:
    tier = world.p_tier[rows]
    tier_names = pa.array(ref.METAL_TIERS)
    issuer = t.issuer_names.take(pa.array(world.p_issuer[rows]))
    variants = pa.array(["Value", "Select", "Plus", "Essential", "Choice"])
    name = pc.binary_join_element_wise(
        issuer, pa.array([x.title() for x in ref.METAL_TIERS]).take(pa.array(tier)),
        variants.take(pa.array(world.p_variant[rows])),
        pa.array(ref.NETWORK_TYPES).take(pa.array(world.p_network[rows])), " ")
    return _table("plans", [
        _plan_ids(t, world, rows), issuer, name, tier_names.take(pa.array(tier)),
        pa.array(t.state_codes).take(pa.array(world.p_state[rows])),
        pa.array(world.p_area[rows]),
        _money(world.p_premium[rows]), _money(world.p_deductible[rows]),
        _money(world.p_oop[rows]), _timestamps(world.p_updated[rows]),
    ])


def _members_table(t: Tables, world: World, rows: np.ndarray) -> pa.Table:
    house = pc.cast(pa.array(world.m_house[rows]), pa.string())
    street = pc.binary_join_element_wise(
        house, t.streets.take(pa.array(world.m_street[rows])),
        t.suffixes.take(pa.array(world.m_suffix[rows])), " ")
    apt = world.m_apt[rows]
    with_apt = pc.binary_join_element_wise(street, "Apt", pc.cast(pa.array(apt), pa.string()),
                                           " ")
    return _table("members", [
        _ids("M", rows + 1, 8),
        t.first_names.take(pa.array(world.m_first[rows])),
        t.last_names.take(pa.array(world.m_last[rows])),
        _dates(world.m_birth[rows]),
        pa.array(["F", "M", "U"]).take(pa.array(world.m_gender[rows])),
        pc.if_else(pa.array(apt > 0), with_apt, street),
        _padded(world.m_zip[rows], 5),
        t.county_fips.take(pa.array(world.m_county[rows])),
        _timestamps(world.m_updated[rows]),
    ])


def _providers_table(t: Tables, world: World, rows: np.ndarray) -> pa.Table:
    spec = world.v_spec[rows]
    cred = world.v_cred[rows]
    cred_text = pa.array(
        [t.spec_cred[s][c] if c >= 0 else "" for s, c in zip(spec, cred, strict=True)],
        pa.string())
    person = pc.binary_join_element_wise(
        t.first_names.take(pa.array(world.v_first[rows])),
        t.last_names.take(pa.array(world.v_last[rows])), cred_text, " ")
    org = pc.binary_join_element_wise(
        t.last_names.take(pa.array(world.v_last[rows])),
        pa.array(t.spec_titles).take(pa.array(spec)),
        pa.array(ref.ORG_SUFFIXES).take(pa.array(world.v_org[rows])), " ")
    return _table("providers", [
        pc.cast(pa.array(world.v_npi[rows]), pa.string()),
        pc.if_else(pa.array(cred < 0), org, person),
        t.spec_names.take(pa.array(spec)),
        t.county_fips.take(pa.array(world.v_county[rows])),
        _timestamps(world.v_updated[rows]),
    ])


def _enrollments_table(t: Tables, world: World, rows: np.ndarray) -> pa.Table:
    end = world.e_end[rows]
    is_open = end == OPEN_END
    end_text = _dates(np.where(is_open, 0, end))
    return _table("enrollments", [
        _ids("E", rows + 1, 9),
        _ids("M", world.e_member[rows] + 1, 8),
        _plan_ids(t, world, world.e_plan[rows]),
        _dates(world.e_start[rows]),
        pc.if_else(pa.array(is_open), pa.scalar(None, pa.string()), end_text),
        _money(world.e_premium[rows]),
        _timestamps(world.e_updated[rows]),
    ])


def _claim_prefix(params: Params, d: int) -> str:
    return "C" + date.fromordinal(params.start_date.toordinal() + d).strftime("%Y%m%d")


def _claims_table(params: Params, t: Tables, world: World, cols: dict, d: int) -> pa.Table:
    return _table("claim_lines", [
        _ids(_claim_prefix(params, d), cols["claim_seq"], 7),
        pc.cast(pa.array(cols["line_number"]), pa.string()),
        _ids("M", cols["member"] + 1, 8),
        pc.cast(pa.array(world.v_npi[cols["provider"]]), pa.string()),
        _plan_ids(t, world, cols["plan"]),
        _dates(params.start_epoch + cols["service_day"]),
        t.proc_codes.take(pa.array(cols["proc"])),
        t.dx_codes.take(pa.array(cols["dx"])),
        _money(cols["billed"]), _money(cols["allowed"]), _money(cols["paid"]),
        pa.array(STATUSES).take(pa.array(cols["status"])),
    ])


# ---------------------------------------------------------------------------------------------
# Dirty rows
# ---------------------------------------------------------------------------------------------

def _split_counts(rng: np.random.Generator, total: int, kinds: tuple[str, ...]) -> dict:
    counts = np.full(len(kinds), total // len(kinds))
    counts[rng.permutation(len(kinds))[: total % len(kinds)]] += 1
    return {k: int(c) for k, c in zip(kinds, counts, strict=True)}


def _bad_date(rng: np.random.Generator, iso: str) -> str:
    year, month, day = iso[:4], iso[5:7], iso[8:10]
    return (f"{year}-02-30", f"{year}-{month}-32", f"{year}-13-{day}", "not a date")[
        int(rng.integers(0, 4))]


def _mix(rng: np.random.Generator, clean: pa.Table, bad: list[pa.Table],
         dup_sources: np.ndarray) -> pa.Table:
    """Clean rows in order, bad rows at random places, duplicates somewhere after their source."""
    n = clean.num_rows
    extra = pa.concat_tables(bad) if bad else clean.slice(0, 0)
    n_dup = len(dup_sources)
    n_other = extra.num_rows
    keys = np.concatenate([
        np.arange(n, dtype=float),
        rng.uniform(0, n, n_other),
        dup_sources + 0.5 + rng.uniform(0, 1, n_dup) * (n - dup_sources - 0.5),
    ])
    whole = pa.concat_tables([clean, extra, clean.take(pa.array(dup_sources, pa.int64()))])
    return whole.take(pa.array(np.argsort(keys, kind="stable")))


def _dirty_claims(params: Params, clean: pa.Table, n_claims: int, d: int
                  ) -> tuple[pa.Table, dict]:
    rng = _rng(params, d, "claims_dirty")
    n = clean.num_rows
    counts = _split_counts(rng, round(params.dirty_share * n) if n else 0, CLAIM_DEFECTS)
    bad: list[pa.Table] = []
    seq = n_claims
    stamp = _claim_prefix(params, d)
    for kind in CLAIM_DEFECTS:
        k = counts[kind]
        if kind == "duplicate_line" or k == 0:
            continue
        rows = clean.take(pa.array(rng.choice(n, size=k, replace=False))).to_pydict()
        for i in range(k):
            seq += 1
            rows["claim_id"][i] = f"{stamp}{seq:07d}"
            rows["line_number"][i] = "1"
            if kind == "unparseable_date":
                rows["service_date"][i] = _bad_date(rng, rows["service_date"][i])
            elif kind == "unparseable_amount":
                whole, frac = rows["allowed_amount_usd"][i].split(".")
                rows["allowed_amount_usd"][i] = (f"{whole},{frac}", f"{whole}.{frac[0]}x",
                                                 f"USD {whole}.{frac}")[int(rng.integers(0, 3))]
            elif kind == "negative_amount":
                paid = rows["paid_amount_usd"][i]
                rows["paid_amount_usd"][i] = "-" + (paid if paid != "0.00" else "0.01")
                rows["claim_status"][i] = "paid"
            elif kind == "blank_key":
                rows["claim_id"][i] = ("", " ", "   ")[int(rng.integers(0, 3))]
            elif kind == "unknown_member":
                rows["member_id"][i] = f"M99{int(rng.integers(0, 1_000_000)):06d}"
        bad.append(pa.table(rows))
    sources = np.sort(rng.choice(n, size=counts["duplicate_line"], replace=False)) if n else (
        np.zeros(0, dtype=np.int64))
    return _mix(rng, clean, bad, sources), counts


def _dirty_members(params: Params, clean: pa.Table) -> tuple[pa.Table, dict]:
    rng = _rng(params, 0, "members_dirty")
    n = clean.num_rows
    counts = _split_counts(rng, round(params.dirty_share * n), MEMBER_DEFECTS)
    bad: list[pa.Table] = []
    for kind in MEMBER_DEFECTS:
        k = counts[kind]
        if k == 0:
            continue
        rows = clean.take(pa.array(rng.choice(n, size=k, replace=False))).to_pydict()
        for i in range(k):
            if kind == "unparseable_date":
                rows["member_id"][i] = f"M98{i + 1:06d}"
                year = rows["birth_date"][i][:4]
                rows["birth_date"][i] = (f"{year}-02-30", f"{year}-13-01", f"{year}-04-31",
                                         "unknown")[int(rng.integers(0, 4))]
            else:
                rows["member_id"][i] = ("", " ", "  ")[int(rng.integers(0, 3))]
        bad.append(pa.table(rows))
    return _mix(rng, clean, bad, np.zeros(0, dtype=np.int64)), counts


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

_NEEDS_QUOTES = r'[",\r\n]'
_TOKEN = re.compile(rb"\x1f(\d+)\x1f")


def write_csv(path: Path, table: pa.Table) -> None:
    """Comma-separated, header row, `\\n` line ends; a value is quoted only when it must be."""
    quoted: list[bytes] = []
    columns = []
    for col in table.columns:
        if pa.types.is_string(col.type):
            mask = pc.fill_null(pc.match_substring_regex(col, _NEEDS_QUOTES), False)
            if pc.any(mask).as_py():
                values = col.to_pylist()
                for i in np.flatnonzero(mask.to_numpy()):
                    quoted.append(('"' + values[i].replace('"', '""') + '"').encode())
                    values[i] = f"\x1f{len(quoted) - 1}\x1f"
                col = pa.chunked_array([pa.array(values, pa.string())])
        columns.append(col)
    buf = io.BytesIO()
    pacsv.write_csv(pa.Table.from_arrays(columns, names=table.column_names), buf,
                    pacsv.WriteOptions(quoting_style="none", quoting_header="none"))
    data = buf.getvalue()
    if quoted:
        data = _TOKEN.sub(lambda m: quoted[int(m.group(1))], data)
    path.write_bytes(data)


def _rating_areas_table() -> pa.Table:
    rows = sorted(ref.COUNTIES, key=lambda c: (c.statefip, c.county))
    return _table("rating_areas", [
        pa.array([c.statefip for c in rows]), pa.array([c.state for c in rows]),
        pa.array([c.countyfip for c in rows]), pa.array([c.county for c in rows]),
        pa.array([c.ratingarea for c in rows], pa.int64()),
    ])


def _file_entry(entity: str, day: str | None, rows: int, injected: dict) -> dict:
    return {"entity": entity, "date": day, "rows": rows,
            "clean_rows": rows - sum(injected.values()), "injected": injected}


def _write_day(out: Path, params: Params, t: Tables, world: World, changed: dict, d: int
               ) -> tuple[dict, int]:
    iso = date.fromordinal(params.start_date.toordinal() + d).isoformat()
    files: dict[str, dict] = {}
    render = {"plans": _plans_table, "members": _members_table,
              "providers": _providers_table, "enrollments": _enrollments_table}
    for entity in DAY_ENTITIES[:-1]:
        if entity not in changed:
            continue
        table = render[entity](t, world, np.sort(changed[entity]))
        injected: dict[str, int] = {}
        if entity == "members" and d == 0:
            injected = {k: 0 for k in MEMBER_DEFECTS}
            if params.dirty:
                table, injected = _dirty_members(params, table)
        name = f"{entity}_{iso}.csv"
        write_csv(out / name, table)
        files[name] = _file_entry(entity, iso, table.num_rows, injected)
    cols, n_claims = _claims(params, t, world, d)
    table = _claims_table(params, t, world, cols, d)
    injected = {k: 0 for k in CLAIM_DEFECTS}
    if params.dirty:
        table, injected = _dirty_claims(params, table, n_claims, d)
    name = f"claim_lines_{iso}.csv"
    write_csv(out / name, table)
    files[name] = _file_entry("claim_lines", iso, table.num_rows, injected)
    return files, len(cols["line_number"])


# ---------------------------------------------------------------------------------------------
# Manifest
# ---------------------------------------------------------------------------------------------

def _manifest(params: Params, files: dict) -> dict:
    totals: dict[str, dict] = {}
    for entry in files.values():
        tot = totals.setdefault(entry["entity"], {"files": 0, "rows": 0, "clean_rows": 0,
                                                  "injected": {}})
        tot["files"] += 1
        tot["rows"] += entry["rows"]
        tot["clean_rows"] += entry["clean_rows"]
        for kind, count in entry["injected"].items():
            tot["injected"][kind] = tot["injected"].get(kind, 0) + count
    days = [date.fromordinal(params.start_date.toordinal() + d).isoformat()
            for d in range(params.days)]
    return {"generator": "aca", "format_version": FORMAT_VERSION,
            "parameters": params.as_dict(), "generated_days": days, "files": files,
            "totals": totals}


def _write_manifest(out: Path, manifest: dict) -> None:
    tmp = out / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    tmp.replace(out / MANIFEST)


def read_manifest(out_dir: Path) -> dict | None:
    path = Path(out_dir) / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise GenerationError(
            f"{path} is not valid JSON ({exc}); delete the folder and rerun"
        ) from exc
    if manifest.get("generator") != "aca" or "parameters" not in manifest:
        raise GenerationError(f"{path} is not an ACA sample manifest; use another --out folder")
    return manifest


def _params_from_manifest(manifest: dict) -> Params:
    p = manifest["parameters"]
    return make_params(p["scale"], date.fromisoformat(p["start_date"]), p["days"], p["seed"],
                       p["dirty"], p["dirty_share"])
