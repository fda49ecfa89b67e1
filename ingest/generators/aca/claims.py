"""A day's claim lines: which enrollments claim, at which providers, how many lines."""

from __future__ import annotations

import numpy as np

from ingest.generators.aca import reference as ref
from ingest.generators.aca.params import (
    LATE_CLAIM_SHARE,
    LINES_PER_CLAIM_P,
    STATUS_P,
    GenerationError,
    Params,
    _rng,
)
from ingest.generators.aca.world import Tables, World, _age_years, _pick

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
