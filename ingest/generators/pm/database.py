"""The operational database (SQLite or PostgreSQL): its URL, engine, the state loaded from it
and written back, and tables rebuilt as of a moment from `sim_history`."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.engine.url import URL

from ingest.config import data_dir, env, safe_identifier
from ingest.generators.pm import schema
from ingest.generators.pm.pools import Key, PmError, Row
from ingest.generators.pm.state import State, _key_of

# --------------------------------------------------------------------------- database


def default_url() -> str:
    return f"sqlite:///{data_dir() / 'ops' / 'pm.sqlite'}"


def _warehouse_dbname() -> str:
    return env("WAREHOUSE_PG_DBNAME", "warehouse")


def _parse_url(url: str | None) -> URL:
    try:
        parsed = make_url(url or default_url())
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy raises several types here
        raise PmError(f"not a database URL: {url!r} ({exc})") from exc
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg2")
        dbname = safe_identifier(parsed.database or "", "PostgreSQL database name")
        if dbname == _warehouse_dbname():
            raise PmError(
                f"refusing to use {dbname!r} as the operational database: it is the warehouse "
                "database (WAREHOUSE_PG_DBNAME); choose another database name")
    elif backend != "sqlite":
        raise PmError(f"unsupported database backend {backend!r}: use sqlite or postgresql")
    return parsed


def _engine(url: str | None, create: bool) -> Engine:
    parsed = _parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if path and path != ":memory:" and not path.startswith("file:"):
            if create:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            elif not Path(path).exists():
                raise PmError(f"no operational database at {path}; run `generate pm` first")
        engine = sa.create_engine(parsed)
        sa.event.listen(engine, "connect", _sqlite_connect)
        sa.event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("begin"))
        return engine
    if create:
        _ensure_pg_database(parsed)
    return sa.create_engine(parsed, executemany_mode="values_plus_batch")


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Check foreign keys (SQLite does only when asked, per connection), and let SQLAlchemy
    begin transactions itself so that DDL is part of them (generation is all or nothing)."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("pragma foreign_keys = on")
    cursor.close()


def _ensure_pg_database(parsed: URL) -> None:
    dbname = safe_identifier(parsed.database or "", "PostgreSQL database name")
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                sa.text("select 1 from pg_database where datname = :name"), {"name": dbname}
            ).first()
            if not exists:
                conn.exec_driver_sql(f'create database "{dbname}"')
    except sa.exc.OperationalError as exc:
        raise PmError(f"cannot reach PostgreSQL at {parsed.host}:{parsed.port}: {exc}") from exc
    finally:
        admin.dispose()


def _read_clock(conn: Connection, lock: bool = False) -> Row | None:
    if not sa.inspect(conn).has_table("sim_clock"):
        return None
    query = sa.select(schema.sim_clock).where(schema.sim_clock.c.clock_id == 1)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def _load_state(conn: Connection, clock: Row) -> State:
    rows: dict[str, dict[Key, Row]] = {}
    for table in schema.OPERATIONAL_TABLES:
        pk = [table.c[c] for c in schema.pk_columns(table)]
        result = conn.execute(sa.select(table).order_by(*pk)).mappings()
        rows[table.name] = {_key_of(table.name, dict(r)): dict(r) for r in result}
    return State(
        seed=clock["seed"],
        scale=clock["scale"],
        history_start=clock["history_start"],
        start_date=clock["start_date"],
        clock_date=clock["clock_date"],
        day_index=clock["day_index"],
        next_ids=json.loads(clock["next_ids"]),
        rows=rows,
        loaded={name: set(table_rows) for name, table_rows in rows.items()},
        created_at=clock["created_at"],
    )


def _key_params(table: sa.Table, key: Key) -> Row:
    cols = schema.pk_columns(table)
    values = key if isinstance(key, tuple) else (key,)
    return {f"k_{c}": v for c, v in zip(cols, values, strict=True)}


def _flush(conn: Connection, state: State) -> None:
    """Write the net difference between the loaded and the simulated state, then the log."""
    deletes: list[tuple[sa.Table, list[Key]]] = []
    for table in schema.OPERATIONAL_TABLES:
        live, before = state.rows[table.name], state.loaded[table.name]
        touched = sorted(state.touched.get(table.name, ()))
        inserts = [live[k] for k in touched if k in live and k not in before]
        updates = [k for k in touched if k in live and k in before]
        deletes.append((table, [k for k in touched if k not in live and k in before]))
        cols = schema.pk_columns(table)
        for start in range(0, len(inserts), 5000):
            conn.execute(table.insert(), inserts[start:start + 5000])
        if updates:
            where = sa.and_(*(table.c[c] == sa.bindparam(f"k_{c}") for c in cols))
            params = [{**_key_params(table, k),
                       **{c: v for c, v in live[k].items() if c not in cols}} for k in updates]
            conn.execute(table.update().where(where), params)
    for table, keys in reversed(deletes):
        if keys:
            cols = schema.pk_columns(table)
            where = sa.and_(*(table.c[c] == sa.bindparam(f"k_{c}") for c in cols))
            conn.execute(table.delete().where(where), [_key_params(table, k) for k in keys])
    for start in range(0, len(state.history), 5000):
        conn.execute(schema.sim_history.insert(), state.history[start:start + 5000])
    last = state.history[-1]["change_at"] if state.history else None
    clock = {
        "seed": state.seed, "scale": state.scale, "history_start": state.history_start,
        "start_date": state.start_date, "clock_date": state.clock_date,
        "day_index": state.day_index, "next_ids": json.dumps(state.next_ids, sort_keys=True),
    }
    if state.created_at is None:
        stamp = last or datetime.combine(state.clock_date, datetime.min.time())
        conn.execute(schema.sim_clock.insert(),
                     {"clock_id": 1, **clock, "created_at": stamp, "updated_at": stamp})
    else:
        values = {**clock, **({"updated_at": last} if last else {})}
        conn.execute(schema.sim_clock.update().where(schema.sim_clock.c.clock_id == 1), values)


def _summary(state: State, url: URL, first_day: date, seconds: float) -> dict[str, Any]:
    kinds = {"insert": "inserted", "update": "updated", "soft_delete": "soft_deleted",
             "hard_delete": "hard_deleted"}
    counts: dict[str, Counter[str]] = {t.name: Counter() for t in schema.OPERATIONAL_TABLES}
    for h in state.history:
        counts[h["table_name"]][kinds[h["change_kind"]]] += 1
    return {
        "status": "done",
        "url": url.render_as_string(hide_password=True),
        "seed": state.seed,
        "scale": state.scale,
        "first_day": first_day,
        "last_day": state.clock_date - timedelta(days=1),
        "clock_date": state.clock_date,
        "seconds": round(seconds, 2),
        "changes": {t: {k: c[k] for k in kinds.values()} for t, c in counts.items()},
        "rows": {t: len(r) for t, r in state.rows.items()},
        "history_rows": len(state.history),
    }


def _drop_all(conn: Connection) -> None:
    schema.metadata.drop_all(conn, checkfirst=True)




def _decode(table: sa.Table, data: Row) -> Row:
    out: Row = {}
    for column in table.columns:
        value = data[column.name]
        if value is not None:
            kind = column.type
            if isinstance(kind, sa.DateTime):
                value = datetime.fromisoformat(value)
            elif isinstance(kind, sa.Date):
                value = date.fromisoformat(value)
            elif isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
                value = Decimal(value)
            elif isinstance(kind, sa.Boolean):
                value = bool(value)
        out[column.name] = value
    return out


def _table(name: str) -> sa.Table:
    if name not in schema.TABLES:
        raise PmError(f"unknown table {name!r}; expected one of {sorted(schema.TABLES)}")
    return schema.TABLES[name]


def _pk_sort(table: sa.Table) -> Callable[[Row], tuple]:
    cols = schema.pk_columns(table)
    return lambda row: tuple(row[c] for c in cols)


def state_as_of(url: str | None, table: str, as_of: datetime) -> list[dict[str, Any]]:
    """The rows of `table` as they stood at `as_of`, rebuilt from `sim_history`."""
    t = _table(table)
    h = schema.sim_history
    engine = _engine(url, create=False)
    try:
        with engine.connect() as conn:
            result = conn.execute(
                sa.select(h.c.entity_id, h.c.row_json)
                .where(h.c.table_name == table, h.c.change_at <= as_of)
                .order_by(h.c.history_id)
            )
            latest: dict[str, str | None] = {}
            for entity_id, row_json in result:
                latest[entity_id] = row_json
    finally:
        engine.dispose()
    rows = [_decode(t, json.loads(j)) for j in latest.values() if j is not None]
    return sorted(rows, key=_pk_sort(t))


def live_rows(url: str | None, table: str) -> list[dict[str, Any]]:
    """The current rows of `table`, in primary-key order."""
    t = _table(table)
    engine = _engine(url, create=False)
    try:
        with engine.connect() as conn:
            pk = [t.c[c] for c in schema.pk_columns(t)]
            return [dict(r) for r in conn.execute(sa.select(t).order_by(*pk)).mappings()]
    finally:
        engine.dispose()
