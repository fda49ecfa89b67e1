"""ACA health insurance: members, plans, providers, enrollments and daily claim lines (CSV).

Day 0 holds every plan, member, provider and enrollment; each later day holds the rows that
changed or appeared that day, plus that day's claim lines. Everything is drawn from numpy
generators seeded by (seed, day, stream), so a day's files depend only on the parameters and
the day, never on how many days were generated in one go: `add_day` writes exactly what
`generate` with one more day would have written. `manifest.json` records the parameters, the
rows of every file and, in dirty mode, how many bad rows of each kind were mixed in.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import time
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ingest import config
from ingest.generators import aca_reference as ref
from ingest.log import done_progress, progress, say

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
RATING_AREAS = "rating_areas.csv"
DAY_ENTITIES = ("plans", "members", "providers", "enrollments", "claim_lines")
HEADERS: dict[str, tuple[str, ...]] = {
    "rating_areas": ("statefip", "state", "countyfip", "county", "ratingarea"),
    "plans": ("plan_id", "issuer_name", "plan_name", "metal_tier", "state_code", "rating_area",
              "monthly_premium_usd", "deductible_usd", "oop_max_usd", "updated_at"),
    "members": ("member_id", "first_name", "last_name", "birth_date", "gender",
                "street_address", "zip_code", "county_fips", "updated_at"),
    "providers": ("npi", "provider_name", "specialty", "county_fips", "updated_at"),
    "enrollments": ("enrollment_id", "member_id", "plan_id", "start_date", "end_date",
                    "monthly_premium_usd", "updated_at"),
    "claim_lines": ("claim_id", "line_number", "member_id", "provider_npi", "plan_id",
                    "service_date", "procedure_code", "diagnosis_code", "billed_amount_usd",
                    "allowed_amount_usd", "paid_amount_usd", "claim_status"),
}
CLAIM_DEFECTS = ("unparseable_date", "unparseable_amount", "negative_amount", "blank_key",
                 "duplicate_line", "unknown_member")
MEMBER_DEFECTS = ("unparseable_date", "blank_key")

MEMBERS_PER_SCALE = 10_000
CLAIM_LINES_PER_SCALE_YEAR = 500_000
MAX_SCALE = 1000.0  # keeps the reserved id ranges (M98..., M99...) clear of real members
STREAMS = {name: i for i, name in enumerate((
    "plans", "providers", "members", "enrollments", "claims", "claims_dirty", "members_dirty",
))}
OPEN_END = np.iinfo(np.int64).max
DAY_SECONDS = 86_400
LINES_PER_CLAIM_P = np.array([0.45, 0.25, 0.15, 0.10, 0.05])
# daily event rates
PLAN_CHANGE_RATE = 0.001        # about 3 % of plans a month
PROVIDER_NEW_RATE = 0.0003
PROVIDER_MOVE_RATE = 0.0002
MEMBER_MOVE_RATE = 0.002
MEMBER_RENAME_RATE = 0.0002
MEMBER_NEW_RATE = 0.0003
PLAN_SWITCH_RATE = 0.0006
LATE_CLAIM_SHARE = 0.22
STATUSES = ("paid", "denied", "pending")
STATUS_P = (0.87, 0.08, 0.05)


class GenerationError(ValueError):
    """The request cannot be carried out; the message says why and what to do."""


@dataclass(frozen=True)
class Params:
    seed: int
    scale: float
    start_date: date
    days: int
    dirty: bool
    dirty_share: float

    def as_dict(self) -> dict:
        return {
            "seed": self.seed, "scale": self.scale, "start_date": self.start_date.isoformat(),
            "days": self.days, "dirty": self.dirty, "dirty_share": self.dirty_share,
        }

    @property
    def start_epoch(self) -> int:
        return (self.start_date - date(1970, 1, 1)).days

    @property
    def n_members(self) -> int:
        return max(1, round(self.scale * MEMBERS_PER_SCALE))

    @property
    def n_plans(self) -> int:
        return max(12, round(self.scale * 60))

    @property
    def n_providers(self) -> int:
        return max(20, round(self.scale * 1500))

    @property
    def lines_per_day(self) -> float:
        return self.scale * CLAIM_LINES_PER_SCALE_YEAR / 365


def make_params(
    scale: float, start_date: date, days: int, seed: int, dirty: bool, dirty_share: float
) -> Params:
    if not 0.0001 <= scale <= MAX_SCALE:
        raise GenerationError(f"--scale {scale}: expected a number from 0.0001 to {MAX_SCALE:g}")
    if days < 1:
        raise GenerationError(f"--days {days}: expected at least 1")
    if seed < 0:
        raise GenerationError(f"--seed {seed}: expected a non-negative integer")
    if not 0.0 <= dirty_share <= 0.5:
        raise GenerationError(f"--dirty-share {dirty_share}: expected a share from 0 to 0.5")
    # Without --dirty the share changes nothing, so it is not part of the parameters.
    return Params(int(seed), float(scale), start_date, int(days), bool(dirty),
                  float(dirty_share) if dirty else 0.0)


def _rng(params: Params, day: int, stream: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([params.seed, day, STREAMS[stream]]))


# ---------------------------------------------------------------------------------------------
# Reference tables as arrays
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tables:
    state_codes: tuple[str, ...]
    county_state: np.ndarray        # state index per county
    county_fips: pa.Array           # 5-digit strings
    county_area: np.ndarray         # rating area, -1 when blank
    county_p: np.ndarray            # probability of a member living there
    zip3_flat: np.ndarray
    zip3_start: np.ndarray
    zip3_count: np.ndarray
    move_keys: np.ndarray           # state + cumulative share, sorted
    move_county: np.ndarray         # county for each move key
    first_names: pa.Array           # female names, then male names
    n_female: int
    last_names: pa.Array
    streets: pa.Array
    suffixes: pa.Array
    issuer_names: pa.Array
    issuer_ids: np.ndarray
    issuer_state: np.ndarray
    spec_names: pa.Array
    spec_titles: tuple[str, ...]
    spec_p: np.ndarray
    spec_cred: tuple[tuple[str, ...], ...]
    proc_codes: pa.Array
    proc_price: np.ndarray
    spec_proc: tuple[np.ndarray, np.ndarray, np.ndarray]  # flat, start, count
    dx_codes: pa.Array
    spec_dx: tuple[np.ndarray, np.ndarray, np.ndarray]


def _segments(groups: list[list[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    counts = np.array([len(g) for g in groups], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    flat = np.array([x for g in groups for x in g], dtype=np.int64)
    return flat, starts, counts


def _tables() -> Tables:
    counties = ref.COUNTIES
    states = tuple(dict.fromkeys(c.state_code for c in counties))
    county_state = np.array([states.index(c.state_code) for c in counties])
    pop = np.array([c.population_k for c in counties], dtype=float)
    county_p = np.zeros(len(counties))
    for s, code in enumerate(states):
        in_state = county_state == s
        county_p[in_state] = ref.STATE_WEIGHTS[code] * pop[in_state] / pop[in_state].sum()
    county_p /= county_p.sum()
    keys, move_county = [], []
    for s in range(len(states)):
        idx = np.flatnonzero(county_state == s)
        cum = np.cumsum(pop[idx]) / pop[idx].sum()
        cum[-1] = 1.0
        keys.extend(s + cum * 0.999999)
        move_county.extend(idx)
    zflat, zstart, zcount = _segments([list(c.zip3) for c in counties])
    issuers = [(code, i, name) for code in states for i, name in ref.ISSUERS[code]]
    specs = ref.SPECIALTIES
    procs = list(ref.PROCEDURES)
    dxs = list(ref.DIAGNOSES)
    spec_p = np.array([s.weight for s in specs])
    return Tables(
        state_codes=states,
        county_state=county_state,
        county_fips=pa.array([f"{c.countyfip:05d}" for c in counties]),
        county_area=np.array([-1 if c.ratingarea is None else c.ratingarea for c in counties]),
        county_p=county_p,
        zip3_flat=zflat, zip3_start=zstart, zip3_count=zcount,
        move_keys=np.array(keys), move_county=np.array(move_county),
        first_names=pa.array(ref.FIRST_NAMES_F + ref.FIRST_NAMES_M),
        n_female=len(ref.FIRST_NAMES_F),
        last_names=pa.array(ref.LAST_NAMES),
        streets=pa.array(ref.STREET_NAMES),
        suffixes=pa.array(ref.STREET_SUFFIXES),
        issuer_names=pa.array([n for _, _, n in issuers]),
        issuer_ids=np.array([i for _, i, _ in issuers]),
        issuer_state=np.array([states.index(c) for c, _, _ in issuers]),
        spec_names=pa.array([s.name for s in specs]),
        spec_titles=tuple(s.title for s in specs),
        spec_p=spec_p / spec_p.sum(),
        spec_cred=tuple(s.credentials for s in specs),
        proc_codes=pa.array(procs),
        proc_price=np.array([ref.PROCEDURES[p] for p in procs]),
        spec_proc=_segments([[procs.index(p) for p in s.procedures] for s in specs]),
        dx_codes=pa.array(dxs),
        spec_dx=_segments([[dxs.index(d) for d in s.diagnoses] for s in specs]),
    )


def _pick(rng: np.random.Generator, seg: tuple[np.ndarray, np.ndarray, np.ndarray],
          group: np.ndarray) -> np.ndarray:
    """One uniformly chosen member of each row's group (groups as flat/start/count)."""
    flat, start, count = seg
    offset = np.floor(rng.random(len(group)) * count[group]).astype(np.int64)
    return flat[start[group] + offset]


def _allocate(total: int, weights: np.ndarray, minimum: int) -> np.ndarray:
    """Split `total` into len(weights) integer parts, each >= minimum (largest remainder)."""
    base = np.full(len(weights), minimum, dtype=np.int64)
    rest = total - base.sum()
    share = rest * weights / weights.sum()
    parts = np.floor(share).astype(np.int64)
    order = np.argsort(-(share - parts), kind="stable")
    parts[order[: rest - parts.sum()]] += 1
    return base + parts


# ---------------------------------------------------------------------------------------------
# World state (arrays that grow day by day)
# ---------------------------------------------------------------------------------------------

@dataclass
class World:
    # plans
    p_issuer: np.ndarray
    p_state: np.ndarray
    p_area: np.ndarray
    p_tier: np.ndarray
    p_network: np.ndarray
    p_variant: np.ndarray
    p_product: np.ndarray
    p_component: np.ndarray
    p_premium: np.ndarray       # cents, reference (age 21) premium
    p_deductible: np.ndarray    # cents
    p_oop: np.ndarray           # cents
    p_updated: np.ndarray       # epoch seconds
    # providers
    v_npi: np.ndarray
    v_spec: np.ndarray
    v_county: np.ndarray
    v_first: np.ndarray
    v_last: np.ndarray
    v_cred: np.ndarray          # index into the specialty's credentials, -1: organisation
    v_org: np.ndarray           # organisation-name suffix
    v_created: np.ndarray       # day index
    v_updated: np.ndarray
    # members
    m_first: np.ndarray
    m_last: np.ndarray
    m_birth: np.ndarray         # epoch days
    m_gender: np.ndarray        # 0 F, 1 M, 2 U
    m_house: np.ndarray
    m_street: np.ndarray
    m_suffix: np.ndarray
    m_apt: np.ndarray           # 0: no apartment
    m_zip: np.ndarray
    m_county: np.ndarray
    m_updated: np.ndarray
    m_current: np.ndarray       # index of the member's latest enrollment
    # enrollments
    e_member: np.ndarray
    e_plan: np.ndarray
    e_start: np.ndarray         # epoch days
    e_end: np.ndarray           # epoch days, OPEN_END while open
    e_premium: np.ndarray       # cents
    e_updated: np.ndarray


def _append(world: World, prefix: str, **columns: np.ndarray) -> None:
    for f in fields(world):
        if f.name.startswith(prefix):
            setattr(world, f.name, np.concatenate([getattr(world, f.name), columns[f.name]]))


def _age_years(birth: np.ndarray, on_day: np.ndarray | int) -> np.ndarray:
    return np.floor((on_day - birth) / 365.25).astype(np.int64)


def _age_factor(age: np.ndarray) -> np.ndarray:
    """A simplified ACA age-rating curve: 3:1 between age 64 and age 21-24."""
    older = 1.0 + (np.minimum(age, 64) - 24) * 0.05
    return np.where(age <= 20, 0.8, np.where(age <= 24, 1.0, older))


def _first_of_next_month(epoch_day: int) -> int:
    d = np.datetime64(epoch_day, "D")
    return int((d.astype("datetime64[M]") + 1).astype("datetime64[D]").astype(np.int64))


def _last_of_month(epoch_day: int) -> int:
    return _first_of_next_month(epoch_day) - 1


def _time_of_day(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(7 * 3600, 20 * 3600, size=n)


def _new_addresses(rng: np.random.Generator, t: Tables, county: np.ndarray) -> dict:
    n = len(county)
    zip3 = t.zip3_flat[t.zip3_start[county] + np.floor(
        rng.random(n) * t.zip3_count[county]).astype(np.int64)]
    return {
        "m_house": rng.integers(1, 9900, size=n),
        "m_street": rng.integers(0, len(t.streets), size=n),
        "m_suffix": rng.integers(0, len(t.suffixes), size=n),
        "m_apt": np.where(rng.random(n) < 0.25, rng.integers(1, 40, size=n), 0),
        "m_zip": zip3 * 100 + rng.integers(1, 100, size=n),
    }


def _county_in_state(rng: np.random.Generator, t: Tables, state: np.ndarray) -> np.ndarray:
    """A county of each row's state, chosen with the counties' population weights."""
    pos = np.searchsorted(t.move_keys, state + rng.random(len(state)) * 0.999999)
    return t.move_county[np.minimum(pos, len(t.move_county) - 1)]


def _move_within_state(rng: np.random.Generator, t: Tables, county: np.ndarray) -> np.ndarray:
    return _county_in_state(rng, t, t.county_state[county])


def _new_members(rng: np.random.Generator, t: Tables, n: int, on_day: int) -> dict:
    gender = rng.choice(3, size=n, p=[0.51, 0.485, 0.005])
    n_male = len(t.first_names) - t.n_female
    first = np.where(gender == 1, t.n_female + rng.integers(0, n_male, size=n),
                     rng.integers(0, t.n_female, size=n))
    # gender U takes a name from either list
    first = np.where(gender == 2, rng.integers(0, len(t.first_names), size=n), first)
    bands = np.array([[0, 18], [18, 26], [26, 35], [35, 45], [45, 55], [55, 65]])
    band = rng.choice(len(bands), size=n, p=[0.18, 0.10, 0.15, 0.15, 0.18, 0.24])
    age_days = rng.integers(bands[band, 0] * 365, bands[band, 1] * 365 - 1)
    county = rng.choice(len(t.county_p), size=n, p=t.county_p)
    cols = {
        "m_first": first,
        "m_last": rng.integers(0, len(t.last_names), size=n),
        "m_birth": on_day - age_days,
        "m_gender": gender,
        "m_county": county,
    }
    cols.update(_new_addresses(rng, t, county))
    return cols


@dataclass(frozen=True)
class PlanIndex:
    by_county: tuple[np.ndarray, np.ndarray, np.ndarray]
    by_state: tuple[np.ndarray, np.ndarray, np.ndarray]
    pos_in_state: np.ndarray


def _plan_index(t: Tables, world: World) -> PlanIndex:
    states = [np.flatnonzero(world.p_state == s).tolist() for s in range(len(t.state_codes))]
    by_county = []
    for c in range(len(t.county_state)):
        same = [p for p in states[t.county_state[c]] if world.p_area[p] == t.county_area[c]]
        by_county.append(same or states[t.county_state[c]])
    pos = np.zeros(len(world.p_state), dtype=np.int64)
    for members in states:
        pos[members] = np.arange(len(members))
    return PlanIndex(_segments(by_county), _segments(states), pos)


def _enroll(world: World, members: np.ndarray, plans: np.ndarray, start: np.ndarray,
            updated: np.ndarray) -> None:
    age = _age_years(world.m_birth[members], start)
    premium = np.round(world.p_premium[plans] * _age_factor(age)).astype(np.int64)
    first = len(world.e_member)
    _append(world, "e_", e_member=members, e_plan=plans, e_start=start,
            e_end=np.full(len(members), OPEN_END, dtype=np.int64), e_premium=premium,
            e_updated=updated)
    world.m_current[members] = first + np.arange(len(members))


def _initial_world(params: Params, t: Tables) -> tuple[World, PlanIndex]:
    day0 = params.start_epoch
    start_s = day0 * DAY_SECONDS
    # plans
    rng = _rng(params, 0, "plans")
    n_states = len(t.state_codes)
    per_state = _allocate(params.n_plans, np.array([ref.STATE_WEIGHTS[s] for s in t.state_codes]),
                          2)
    p_state = np.repeat(np.arange(n_states), per_state)
    n = len(p_state)
    p_issuer = np.empty(n, dtype=np.int64)
    p_area = np.empty(n, dtype=np.int64)
    for s in range(n_states):
        rows = np.flatnonzero(p_state == s)
        issuers = np.flatnonzero(t.issuer_state == s)
        p_issuer[rows] = issuers[np.arange(len(rows)) % len(issuers)]
        rated = np.flatnonzero((t.county_state == s) & (t.county_area >= 0))
        w = t.county_p[rated] / t.county_p[rated].sum()
        p_area[rows] = t.county_area[rated[rng.choice(len(rated), size=len(rows), p=w)]]
    tier = rng.choice(len(ref.METAL_TIERS), size=n, p=ref.METAL_WEIGHTS)
    network = rng.integers(0, len(ref.NETWORK_TYPES), size=n)
    variant = rng.integers(0, 5, size=n)
    component = np.zeros(n, dtype=np.int64)
    for key in np.unique(p_issuer * 10 + network):
        rows = np.flatnonzero(p_issuer * 10 + network == key)
        component[rows] = np.arange(1, len(rows) + 1)
    area_factor = 0.85 + 0.4 * rng.random(n)
    premium = np.array(ref.METAL_BASE_PREMIUM)[tier] * area_factor * rng.normal(1, 0.04, n)
    ded_lo, ded_hi = np.array(ref.METAL_DEDUCTIBLE).T
    oop_lo, oop_hi = np.array(ref.METAL_OOP_MAX).T
    oop = np.round((oop_lo[tier] + rng.random(n) * (oop_hi[tier] - oop_lo[tier])) / 50) * 50
    ded = np.round((ded_lo[tier] + rng.random(n) * (ded_hi[tier] - ded_lo[tier])) / 50) * 50
    ded = np.minimum(ded, oop)
    earliest_start = int((np.datetime64(params.start_date, "M") - 11).astype("datetime64[D]")
                         .astype(np.int64))
    p_updated = ((earliest_start - rng.integers(15, 75, size=n)) * DAY_SECONDS
                 + _time_of_day(rng, n))

    # providers
    rng = _rng(params, 0, "providers")
    n_prov = params.n_providers
    prov_state = np.repeat(np.arange(n_states), _allocate(
        n_prov, np.array([ref.STATE_WEIGHTS[s] for s in t.state_codes]), 1))
    prov_cols = _new_providers(rng, t, params, prov_state, first_index=0, day=0)
    prov_cols["v_updated"] = start_s - rng.integers(31 * DAY_SECONDS, 1500 * DAY_SECONDS,
                                                    size=n_prov)

    # members and their first enrollments
    rng = _rng(params, 0, "members")
    m = params.n_members
    mem = _new_members(rng, t, m, day0)
    months_back = rng.choice(12, size=m, p=_months_back_p())
    e_start = (np.datetime64(params.start_date, "M") - months_back).astype(
        "datetime64[D]").astype(np.int64)
    e_updated = e_start * DAY_SECONDS - rng.integers(DAY_SECONDS, 30 * DAY_SECONDS, size=m)
    mem["m_updated"] = e_updated - rng.integers(3600, 60 * DAY_SECONDS, size=m)
    # nobody's record (or coverage) predates their birth: infants are born before both
    mem["m_birth"] = np.minimum(mem["m_birth"], mem["m_updated"] // DAY_SECONDS - 1)

    empty = np.zeros(0, dtype=np.int64)
    world = World(
        p_issuer=p_issuer, p_state=p_state, p_area=p_area, p_tier=tier, p_network=network,
        p_variant=variant, p_product=network + 1, p_component=component,
        p_premium=np.round(premium * 100).astype(np.int64),
        p_deductible=(ded * 100).astype(np.int64), p_oop=(oop * 100).astype(np.int64),
        p_updated=p_updated,
        **prov_cols,
        **mem, m_current=np.full(m, -1, dtype=np.int64),
        e_member=empty, e_plan=empty, e_start=empty, e_end=empty, e_premium=empty,
        e_updated=empty,
    )
    pix = _plan_index(t, world)
    rng = _rng(params, 0, "enrollments")
    members = np.arange(m)
    plans = _pick(rng, pix.by_county, world.m_county[members])
    _enroll(world, members, plans, e_start, e_updated)
    return world, pix


def _months_back_p() -> np.ndarray:
    p = np.array([0.55] + [0.45 / 11] * 11)
    return p / p.sum()


def _npi_numbers(params: Params, index: np.ndarray) -> np.ndarray:
    """Unique 10-digit NPIs: a 9-digit identifier spread by a fixed stride, plus a check digit."""
    span = 200_000_000
    offset = (params.seed * 7_919_423) % span
    base9 = 100_000_000 + (offset + index * 48_271_327) % span  # stride is coprime with span
    return base9 * 10 + npi_check_digit(base9)


def npi_check_digit(base9: np.ndarray) -> np.ndarray:
    """Luhn check digit of the 9-digit identifier prefixed with 80840 (the NPI standard)."""
    digits = np.stack([(base9 // 10 ** k) % 10 for k in range(9)], axis=1)  # rightmost first
    doubled = digits[:, 0::2] * 2
    total = (doubled // 10 + doubled % 10).sum(axis=1) + digits[:, 1::2].sum(axis=1)
    total = total + 24  # the prefix 80840 contributes 24 in every NPI
    return (10 - total % 10) % 10


def _new_providers(rng: np.random.Generator, t: Tables, params: Params, state: np.ndarray,
                   first_index: int, day: int) -> dict:
    n = len(state)
    spec = rng.choice(len(t.spec_p), size=n, p=t.spec_p)
    # county within the state, weighted by population
    county = _county_in_state(rng, t, state)
    n_cred = np.array([len(c) for c in t.spec_cred])[spec]
    is_org = (n_cred == 0) | (rng.random(n) < 0.2)
    cred = np.where(is_org, -1, np.floor(rng.random(n) * np.maximum(n_cred, 1)).astype(np.int64))
    return {
        "v_npi": _npi_numbers(params, first_index + np.arange(n)),
        "v_spec": spec,
        "v_county": county,
        "v_first": rng.integers(0, len(t.first_names), size=n),
        "v_last": rng.integers(0, len(t.last_names), size=n),
        "v_cred": cred,
        "v_org": rng.integers(0, len(ref.ORG_SUFFIXES), size=n),
        "v_created": np.full(n, day, dtype=np.int64),
        "v_updated": np.zeros(n, dtype=np.int64),
    }


# ---------------------------------------------------------------------------------------------
# Day events
# ---------------------------------------------------------------------------------------------

def _advance(params: Params, t: Tables, world: World, pix: PlanIndex, d: int) -> dict:
    """Apply day d's changes to the world; return the changed row indices per entity."""
    today = params.start_epoch + d
    day_s = today * DAY_SECONDS
    changed: dict[str, np.ndarray] = {}

    rng = _rng(params, d, "plans")
    n = len(world.p_state)
    hit = np.flatnonzero(rng.random(n) < PLAN_CHANGE_RATE)
    if len(hit):
        k = len(hit)
        step = np.round(rng.integers(5, 21, size=k) * 50 * np.where(rng.random(k) < 0.5, -1, 1))
        new_ded = np.clip(world.p_deductible[hit] + step.astype(np.int64) * 100, 0,
                          world.p_oop[hit])
        change_ded = (rng.random(k) < 0.4) & (new_ded != world.p_deductible[hit])
        factor = 1 + np.clip(rng.normal(0.02, 0.03, k), -0.1, 0.2)
        factor = np.where(np.abs(factor - 1) < 0.005, 1.01, factor)
        new_prem = np.round(world.p_premium[hit] * factor).astype(np.int64)
        world.p_deductible[hit] = np.where(change_ded, new_ded, world.p_deductible[hit])
        world.p_premium[hit] = np.where(change_ded, world.p_premium[hit], new_prem)
        world.p_updated[hit] = day_s + _time_of_day(rng, k)
        changed["plans"] = hit

    rng = _rng(params, d, "providers")
    n = len(world.v_npi)
    moved = np.flatnonzero(rng.random(n) < PROVIDER_MOVE_RATE)
    world.v_county[moved] = _move_within_state(rng, t, world.v_county[moved])
    world.v_updated[moved] = day_s + _time_of_day(rng, len(moved))
    n_new = int(rng.poisson(params.n_providers * PROVIDER_NEW_RATE))
    if n_new:
        state = rng.choice(len(t.state_codes), size=n_new,
                           p=[ref.STATE_WEIGHTS[s] for s in t.state_codes])
        cols = _new_providers(rng, t, params, state, first_index=n, day=d)
        cols["v_updated"] = day_s + _time_of_day(rng, n_new)
        _append(world, "v_", **cols)
    prov = np.concatenate([moved, np.arange(n, n + n_new)])
    if len(prov):
        changed["providers"] = prov

    rng = _rng(params, d, "members")
    n = len(world.m_county)
    movers = np.flatnonzero(rng.random(n) < MEMBER_MOVE_RATE)
    new_county = _move_within_state(rng, t, world.m_county[movers])
    addr = _new_addresses(rng, t, new_county)
    world.m_county[movers] = new_county
    for name, values in addr.items():
        getattr(world, name)[movers] = values
    adult = _age_years(world.m_birth, today) >= 18
    renamed = np.flatnonzero((rng.random(n) < MEMBER_RENAME_RATE) & adult)
    shift = rng.integers(1, len(t.last_names), size=len(renamed))
    world.m_last[renamed] = (world.m_last[renamed] + shift) % len(t.last_names)
    touched = np.union1d(movers, renamed)
    world.m_updated[touched] = day_s + _time_of_day(rng, len(touched))
    n_new = int(rng.poisson(params.n_members * MEMBER_NEW_RATE))
    if n_new:
        cols = _new_members(rng, t, n_new, today)
        cols["m_updated"] = day_s + _time_of_day(rng, n_new)
        cols["m_current"] = np.full(n_new, -1, dtype=np.int64)
        _append(world, "m_", **cols)
    mem = np.concatenate([touched, np.arange(n, n + n_new)])
    if len(mem):
        changed["members"] = mem

    rng = _rng(params, d, "enrollments")
    first_new_enrollment = len(world.e_member)
    cur = world.m_current[:n]
    state_plans = pix.by_state[2][t.county_state[world.m_county[:n]]]
    eligible = (world.e_start[cur] <= today) & (world.e_end[cur] == OPEN_END) & (state_plans > 1)
    switch = np.flatnonzero((rng.random(n) < PLAN_SWITCH_RATE) & eligible)
    ended = world.m_current[switch]
    if len(switch):
        end = _last_of_month(today)
        world.e_end[ended] = end
        updated = day_s + _time_of_day(rng, len(switch))
        world.e_updated[ended] = updated
        old_plan = world.e_plan[ended]
        flat, start, count = pix.by_state
        st = world.p_state[old_plan]
        step = 1 + np.floor(rng.random(len(switch)) * (count[st] - 1)).astype(np.int64)
        new_plan = flat[start[st] + (pix.pos_in_state[old_plan] + step) % count[st]]
        _enroll(world, switch, new_plan, np.full(len(switch), end + 1), updated + 60)
    if n_new:
        joiners = np.arange(n, n + n_new)
        plans = _pick(rng, pix.by_county, world.m_county[joiners])
        _enroll(world, joiners, plans,
                np.full(n_new, _first_of_next_month(today)),
                world.m_updated[joiners] + rng.integers(60, 3600, size=n_new))
    enr = np.concatenate([ended, np.arange(first_new_enrollment, len(world.e_member))])
    if len(enr):
        changed["enrollments"] = enr
    return changed


def _all_rows(world: World) -> dict:
    return {
        "plans": np.arange(len(world.p_state)),
        "members": np.arange(len(world.m_county)),
        "providers": np.arange(len(world.v_npi)),
        "enrollments": np.arange(len(world.e_member)),
    }


# ---------------------------------------------------------------------------------------------
# Claims
# ---------------------------------------------------------------------------------------------

def _lines_per_claim(rng: np.random.Generator, n_lines: int) -> np.ndarray:
    parts, total = [], 0
    while total < n_lines:
        k = rng.choice(5, size=int((n_lines - total) / 2.05 * 1.1) + 16, p=LINES_PER_CLAIM_P) + 1
        parts.append(k)
        total += int(k.sum())
    if not parts:
        return np.zeros(0, dtype=np.int64)
    lpc = np.concatenate(parts)
    cum = np.cumsum(lpc)
    n_claims = int(np.searchsorted(cum, n_lines)) + 1
    lpc = lpc[:n_claims].copy()
    lpc[-1] -= cum[n_claims - 1] - n_lines
    return lpc


def _pick_enrollments(rng: np.random.Generator, params: Params, world: World,
                      service_day: np.ndarray, d: int) -> tuple[np.ndarray, np.ndarray]:
    """An enrollment active on each claim's service day (older members weigh more). A drawn
    day without any active enrollment falls back to the file's own day, on which every day-0
    member is covered."""
    weight = 0.5 + np.clip(_age_years(world.m_birth, params.start_epoch + d), 0, 64) / 25.0
    pick = np.zeros(len(service_day), dtype=np.int64)
    fallback = np.zeros(len(service_day), dtype=bool)

    def draw(rows: np.ndarray, day_index: int) -> bool:
        day = params.start_epoch + day_index
        active = np.flatnonzero((world.e_start <= day) & (world.e_end >= day))
        if len(active) == 0:
            return False
        cum = np.cumsum(weight[world.e_member[active]])
        at = np.searchsorted(cum, rng.random(len(rows)) * cum[-1], side="right")
        pick[rows] = active[np.minimum(at, len(active) - 1)]
        return True

    for s in np.unique(service_day):
        rows = np.flatnonzero(service_day == s)
        if not draw(rows, int(s)):
            fallback[rows] = True
    if fallback.any():
        service_day = np.where(fallback, d, service_day)
        if not draw(np.flatnonzero(fallback), d):
            raise GenerationError(f"day {d}: no member is enrolled (internal error)")
    return pick, service_day


def _pick_providers(rng: np.random.Generator, t: Tables, world: World, county: np.ndarray,
                    service_day: np.ndarray) -> np.ndarray:
    """A provider of the member's county (70 %) or state, known the day before the service."""
    cutoff = np.maximum(service_day - 1, 0)
    prefer_county = rng.random(len(county)) < 0.7
    u = rng.random(len(county))
    big = 1 << 20

    def choose(provider_group: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        keys = provider_group * big + world.v_created
        order = np.argsort(keys, kind="stable")
        lo = np.searchsorted(keys[order], group * big)
        hi = np.searchsorted(keys[order], group * big + cutoff, side="right")
        at = np.minimum(lo + np.floor(u * (hi - lo)).astype(np.int64), len(order) - 1)
        return order[at], hi > lo

    in_county, county_ok = choose(world.v_county, county)
    in_state, _ = choose(t.county_state[world.v_county], t.county_state[county])
    return np.where(prefer_county & county_ok, in_county, in_state)


def _claims(params: Params, t: Tables, world: World, d: int) -> tuple[dict, int]:
    """Day d's clean claim lines as numpy/arrow columns, and the number of claims."""
    rng = _rng(params, d, "claims")
    n_lines = int(rng.poisson(params.lines_per_day))
    lpc = _lines_per_claim(rng, n_lines)
    nc = len(lpc)
    late = rng.random(nc) < LATE_CLAIM_SHARE
    lag_p = np.exp(-np.arange(30) / 8.0)
    lag = np.where(late, 1 + rng.choice(30, size=nc, p=lag_p / lag_p.sum()), 0)
    enr, service_day = _pick_enrollments(rng, params, world, d - lag, d)
    member = world.e_member[enr]
    plan = world.e_plan[enr]
    prov = _pick_providers(rng, t, world, world.m_county[member], service_day)
    spec = world.v_spec[prov]
    dx = _pick(rng, t.spec_dx, spec)
    status = rng.choice(3, size=nc, p=STATUS_P)

    claim = np.repeat(np.arange(nc), lpc)
    first_line = np.cumsum(lpc) - lpc
    line_number = np.arange(n_lines) - np.repeat(first_line, lpc) + 1
    proc = _pick(rng, t.spec_proc, spec[claim])
    billed = np.maximum(np.round(t.proc_price[proc] * 100 * rng.lognormal(0, 0.3, n_lines)), 500)
    allowed = np.floor(billed * rng.uniform(0.35, 0.85, n_lines))
    share = np.array(ref.METAL_PAID_SHARE)[world.p_tier[plan[claim]]]
    paid = np.floor(allowed * share * rng.uniform(0.9, 1.0, n_lines))
    paid = np.where(rng.random(n_lines) < 0.1, 0, paid)  # applied to the deductible
    line_status = status[claim]
    allowed = np.where(line_status == 1, 0, allowed)
    paid = np.where(line_status == 0, paid, 0)
    cols = {
        "claim_seq": claim + 1,
        "line_number": line_number,
        "member": member[claim],
        "provider": prov[claim],
        "plan": plan[claim],
        "service_day": service_day[claim],
        "proc": proc,
        "dx": dx[claim],
        "billed": billed.astype(np.int64),
        "allowed": allowed.astype(np.int64),
        "paid": paid.astype(np.int64),
        "status": line_status,
    }
    return cols, nc


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
