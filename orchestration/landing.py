"""Each registered domain's landing as one multi-asset: its registry loader's `load_sample`
lands what is new, and the assets it materialises are that domain's dbt source tables (the
keys dagster-dbt gives them), so the graph runs from the sources into staging.

Retries: an unreachable source (connection refused or reset, a timeout, a database that
does not answer) is retried with exponential back-off; anything else, bad data above all
(`FileFormatError` and the loaders' own errors), fails the run at once.
"""

import os
from collections.abc import Iterator, Mapping
from datetime import timedelta

import dagster as dg
from dagster import AssetExecutionContext

from ingest import config, domains, run_lock

RETRY_DELAY_ENV = "WAREHOUSE_RETRY_DELAY_SECONDS"
MAX_RETRIES = 3

# exceptions (or their causes) that say the source was out of reach, not that it was wrong;
# a DuckDB warehouse held by another writer (a CLI run) is waited for the same way
TRANSIENT_TYPES: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError,
                                                    run_lock.LockHeld)
TRANSIENT_NAMES = frozenset({
    "sqlalchemy.exc.OperationalError",
    "sqlalchemy.exc.DisconnectionError",
    "sqlalchemy.exc.TimeoutError",
    "psycopg2.OperationalError",
    "psycopg2.InterfaceError",
    "requests.exceptions.ConnectionError",
    "requests.exceptions.Timeout",
    "requests.exceptions.ConnectTimeout",
    "requests.exceptions.ReadTimeout",
    "urllib3.exceptions.NewConnectionError",
    "urllib3.exceptions.MaxRetryError",
})


def _qualified(exc: BaseException) -> set[str]:
    return {f"{k.__module__}.{k.__qualname__}" for k in type(exc).__mro__}


def is_transient(exc: BaseException) -> bool:
    """True when the error, or an error it was raised from, is an unreachable source."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, TRANSIENT_TYPES) or _qualified(current) & TRANSIENT_NAMES:
            return True
        current = current.__cause__ or current.__context__
    return False


def retry_policy() -> dg.RetryPolicy:
    """Three retries, 30 s, 60 s, 120 s apart (with jitter); WAREHOUSE_RETRY_DELAY_SECONDS
    sets the first delay."""
    delay = float(config.env(RETRY_DELAY_ENV, "30"))
    return dg.RetryPolicy(max_retries=MAX_RETRIES, delay=delay,
                          backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)


def source_tables(manifest: Mapping, domain: str) -> list[dict]:
    """The dbt source tables of a domain (source name = domain name), in manifest order."""
    return [s for s in manifest["sources"].values() if s["source_name"] == domain]


def freshness_policy(source: Mapping) -> dg.FreshnessPolicy | None:
    """The source's dbt `freshness` rule as a Dagster time-window policy: `error_after` fails,
    `warn_after` warns; a rule with only `warn_after` warns in dbt, so it only warns here
    too (a fail window of twice the warn window)."""
    rule = source.get("freshness") or (source.get("config") or {}).get("freshness")
    if not rule:
        return None
    warn = _window(rule.get("warn_after"))
    fail = _window(rule.get("error_after"))
    if warn is None and fail is None:
        return None
    if fail is None:
        return dg.FreshnessPolicy.time_window(fail_window=2 * warn, warn_window=warn)
    if warn is None or warn >= fail:
        return dg.FreshnessPolicy.time_window(fail_window=fail)
    return dg.FreshnessPolicy.time_window(fail_window=fail, warn_window=warn)


def _window(rule: Mapping | None) -> timedelta | None:
    if not rule or not rule.get("count") or not rule.get("period"):
        return None
    return timedelta(**{f"{rule['period']}s": int(rule["count"])})


def source_key(source: Mapping) -> dg.AssetKey:
    """dagster-dbt's key of a dbt source table: [source name, table name]."""
    return dg.AssetKey([source["source_name"], source["name"]])


def landing_assets(manifest: Mapping, writer_tags: Mapping[str, str]) -> list[dg.AssetsDefinition]:
    return [_landing_asset(domain, source_tables(manifest, domain.name), writer_tags)
            for domain in domains.all_domains()]


def _landing_asset(domain: domains.Domain, sources: list[dict],
                   writer_tags: Mapping[str, str]) -> dg.AssetsDefinition:
    specs = [
        dg.AssetSpec(
            key=source_key(source),
            description=source.get("description") or None,
            group_name=domain.name,
            kinds={"dlt"},
            freshness_policy=freshness_policy(source),
            metadata={"dagster/table_name": f"{domain.raw_schema}.{source['name']}"},
        )
        for source in sources
    ]

    @dg.multi_asset(
        name=f"land_{domain.name}",
        specs=specs,
        description=f"Land what is new: {domain.description} (`python -m ingest load "
                    f"{domain.name}`)",
        retry_policy=retry_policy(),
        op_tags=dict(writer_tags),
    )
    def land(context: AssetExecutionContext) -> Iterator[dg.MaterializeResult]:
        target = config.target()
        os.environ["WAREHOUSE_TARGET"] = target.name
        try:
            # the lock the CLI's writing commands take: one writer per DuckDB file
            with run_lock.hold(target, f"dagster land {domain.name}", say=context.log.info,
                               landing=domain.name):
                summary = domain.loader_module().load_sample(target)
        except Exception as exc:
            if is_transient(exc):
                context.log.warning(
                    f"{domain.name}: source out of reach ({type(exc).__name__}: {exc}); "
                    f"retry {context.retry_number + 1} of {MAX_RETRIES}"
                )
                raise
            raise dg.Failure(
                description=f"{domain.name}: {type(exc).__name__}: {exc}",
                allow_retries=False,
            ) from exc
        describe = getattr(summary, "describe", None)
        text = describe() if describe else str(summary)
        context.log.info(text)
        for spec in specs:
            yield dg.MaterializeResult(
                asset_key=spec.key,
                metadata={"load": dg.MetadataValue.md(f"```\n{text}\n```"),
                          "target": target.describe()},
            )

    return land
