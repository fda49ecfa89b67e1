"""The simulated world: the reference tables as arrays, the members, plans, providers and
enrollments of day 0, and the events that change them day by day."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pyarrow as pa

from ingest.generators.aca import reference as ref
from ingest.generators.aca.params import (
    DAY_SECONDS,
    MEMBER_MOVE_RATE,
    MEMBER_NEW_RATE,
    MEMBER_RENAME_RATE,
    OPEN_END,
    PLAN_CHANGE_RATE,
    PLAN_SWITCH_RATE,
    PROVIDER_MOVE_RATE,
    PROVIDER_NEW_RATE,
    Params,
    _rng,
)

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
