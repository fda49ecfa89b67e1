"""Run dbt in-process (dbtRunner) against WAREHOUSE_TARGET, from the project folder."""

from __future__ import annotations

import os
from collections.abc import Sequence

from ingest import config
from ingest.log import log_format, say


def invoke(args: Sequence[str], target: str | None = None):
    """Run a dbt command; returns dbt's result object (`.success`, `.result`)."""
    from dbt.cli.main import dbtRunner

    target = target or config.env("WAREHOUSE_TARGET", "dev")
    resolved = config.target(target)  # validate early, with a clear message
    if resolved.is_duckdb:
        # dbt resolves relative paths from the project folder; hand it the absolute path
        # the loader used, so both always open the same file.
        var = "WAREHOUSE_DUCKDB_PATH" if target == "dev" else "WAREHOUSE_CI_DUCKDB_PATH"
        os.environ[var] = str(resolved.duckdb_path)
    if resolved.is_spark:
        # the Spark profile and the lake registration read these; make them absolute, so
        # Spark, dbt and the loader agree wherever the process started
        os.environ["WAREHOUSE_DATA_DIR"] = str(config.data_dir())
        os.environ["WAREHOUSE_LAKE_DIR"] = str(config.lake_dir())
        # Spark's metastore and logs live in <data>/spark; an empty lake is a valid start
        config.lake_dir().mkdir(parents=True, exist_ok=True)
        from ingest import spark_session

        spark_session.session()  # the session dbt-spark will reuse, started with quiet logs
    root = str(config.PROJECT_ROOT)
    full = [*args]
    if "--project-dir" not in full:
        full += ["--project-dir", root]
    if "--profiles-dir" not in full:
        full += ["--profiles-dir", root]
    target_path = os.environ.get("WAREHOUSE_DBT_TARGET_PATH")
    if target_path and "--target-path" not in full and args and args[0] != "clean":
        full += ["--target-path", target_path]
    if "--target" not in full and "-t" not in full:
        full += ["--target", target]
    if log_format() == "json" and "--log-format" not in full:
        full = ["--log-format", "json", *full]  # dbt's lines carry its invocation_id
    cwd = os.getcwd()
    os.chdir(root)  # relative paths in profiles.yml resolve against the project
    try:
        return dbtRunner().invoke(full)
    finally:
        os.chdir(cwd)


def run_cli(dbt_args: Sequence[str]) -> int:
    args = list(dbt_args)
    if args and args[0] == "--":
        args = args[1:]
    if not args:
        args = ["build"]
    result = invoke(args)
    if result.success:
        return 0
    from ingest import failures

    explained = failures.explain_dbt(result, config.target(), args[0])
    if explained:
        say(f"error: {explained}")
    elif result.exception is not None:
        say(f"error: dbt {args[0]} failed: {' '.join(str(result.exception).split())}")
    return 1
