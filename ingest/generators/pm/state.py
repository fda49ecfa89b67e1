"""The simulation's in-memory state (every table's live rows, the clock, the day's changes)
and the primitives every change goes through: tick the clock, insert, update, delete, log."""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ingest.generators.pm import schema
from ingest.generators.pm.pools import CENT, RAMP_DAYS, RATES, Key, PmError, Row

# --------------------------------------------------------------------------- state


@dataclass
class State:
    seed: int
    scale: float
    history_start: date
    start_date: date
    clock_date: date
    day_index: int
    next_ids: dict[str, int]
    rows: dict[str, dict[Key, Row]]
    loaded: dict[str, set[Key]]
    touched: dict[str, set[Key]] = field(default_factory=lambda: defaultdict(set))
    history: list[Row] = field(default_factory=list)
    created_at: datetime | None = None


@dataclass
class Day:
    state: State
    rng: random.Random
    date: date
    ramp_day: int | None
    now: datetime
    end: datetime
    mean_gap: int
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def rows(self) -> dict[str, dict[Key, Row]]:
        return self.state.rows


def _empty_state(seed: int, scale: float, start_date: date) -> State:
    history_start = start_date - timedelta(days=RAMP_DAYS)
    names = [t.name for t in schema.OPERATIONAL_TABLES if len(schema.pk_columns(t)) == 1]
    return State(
        seed=seed,
        scale=scale,
        history_start=history_start,
        start_date=start_date,
        clock_date=history_start,
        day_index=0,
        next_ids={**{name: 1 for name in names}, "sim_history": 1},
        rows={t.name: {} for t in schema.OPERATIONAL_TABLES},
        loaded={t.name: set() for t in schema.OPERATIONAL_TABLES},
    )


def _key_of(table: str, row: Row) -> Key:
    cols = schema.pk_columns(schema.TABLES[table])
    return row[cols[0]] if len(cols) == 1 else tuple(row[c] for c in cols)


def _entity_id(key: Key) -> str:
    return "|".join(str(k) for k in key) if isinstance(key, tuple) else str(key)


def _json_default(value: Any) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _snapshot(row: Row) -> str:
    return json.dumps(row, default=_json_default, ensure_ascii=False, separators=(",", ":"))


def _new_row(table: str, **values: Any) -> Row:
    columns = schema.TABLES[table].columns.keys()
    unknown = set(values) - set(columns)
    if unknown:
        raise PmError(f"unknown columns for {table}: {sorted(unknown)}")
    return {c: values.get(c) for c in columns}


def _new_id(day: Day, table: str) -> int:
    value = day.state.next_ids[table]
    day.state.next_ids[table] = value + 1
    return value


# --------------------------------------------------------------------------- clock + changes


def _tick(day: Day, close: bool = False) -> datetime:
    """Next timestamp of the simulated clock: strictly later than every earlier change."""
    gap = 1 if close or day.mean_gap <= 1 else day.rng.randint(1, 2 * day.mean_gap - 1)
    nxt = day.now + timedelta(seconds=gap)
    if nxt > day.end:
        nxt = day.now + timedelta(milliseconds=1)
        if nxt > day.end:
            raise PmError(f"more changes than the simulated day {day.date} can hold")
    day.now = nxt
    return nxt


def _log(day: Day, table: str, key: Key, at: datetime, kind: str, row: Row | None) -> None:
    state = day.state
    state.touched[table].add(key)
    state.history.append({
        "history_id": state.next_ids["sim_history"],
        "table_name": table,
        "entity_id": _entity_id(key),
        "change_at": at,
        "change_kind": kind,
        "row_json": None if row is None else _snapshot(row),
    })
    state.next_ids["sim_history"] += 1


def _insert(day: Day, table: str, row: Row, stamp: Iterable[str] = (), close: bool = False) -> Key:
    at = _tick(day, close)
    row["created_at"] = row["updated_at"] = at
    for name in stamp:
        row[name] = at
    key = _key_of(table, row)
    if key in day.rows[table]:
        raise PmError(f"duplicate key {key!r} in {table}")
    day.rows[table][key] = row
    _log(day, table, key, at, "insert", row)
    return key


def _update(day: Day, table: str, key: Key, changes: Row, at: datetime | None = None) -> bool:
    """Apply the changes that differ from the row; bump updated_at only if something did."""
    row = day.rows[table].get(key)
    if row is None:
        return False
    diff = {k: v for k, v in changes.items() if row[k] != v}
    if not diff:
        return False
    at = at or _tick(day)
    row.update(diff)
    row["updated_at"] = at
    _log(day, table, key, at, "update", row)
    return True


def _soft_delete(day: Day, table: str, key: Key) -> bool:
    row = day.rows[table].get(key)
    if row is None or row["deleted_at"] is not None:
        return False
    at = _tick(day)
    row["deleted_at"] = row["updated_at"] = at
    _log(day, table, key, at, "soft_delete", row)
    return True


def _hard_delete(day: Day, table: str, key: Key) -> None:
    if key in day.rows[table]:
        at = _tick(day, close=True)
        del day.rows[table][key]
        _log(day, table, key, at, "hard_delete", None)


# --------------------------------------------------------------------------- helpers


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _count(rng: random.Random, expected: float) -> int:
    whole = math.floor(expected)
    return whole + (1 if rng.random() < expected - whole else 0)


def _live(day: Day, table: str, pred: Callable[[Row], bool] | None = None) -> list[Key]:
    return [k for k, r in sorted(day.rows[table].items())
            if r["deleted_at"] is None and (pred is None or pred(r))]


def _is_active_user(row: Row | None) -> bool:
    return row is not None and row["deleted_at"] is None and row["is_active"]


def _pick(day: Day, candidates: list[Key], valid: Callable[[Key], bool]) -> Key | None:
    for _ in range(6):
        if not candidates:
            return None
        key = day.rng.choice(candidates)
        if valid(key):
            return key
    return None


def _active_user(day: Day, exclude: int | None = None) -> int | None:
    users = day.rows["users"]
    candidates = day.cache.get("active_users")
    if candidates is None:
        candidates = _live(day, "users", lambda r: r["is_active"])
    key = _pick(day, candidates, lambda k: _is_active_user(users.get(k)) and k != exclude)
    return None if key is None else int(key)


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def _rate(day: Day, name: str) -> float:
    per_scale, floor = RATES[name]
    return max(floor, per_scale * day.state.scale)
