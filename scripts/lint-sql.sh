#!/usr/bin/env bash
# sqlfluff over the project's SQL with the dbt templater, as one engine renders it.
#   scripts/lint-sql.sh duckdb|postgres [lint|fix] [PATH...]   (default: lint, every SQL folder)
# DuckDB renders through the `ci` target (a scratch file under test-output/lint); PostgreSQL
# through the `pg` target, which only compiles: no table is read, so the server's `postgres`
# database serves unless WAREHOUSE_PG_DBNAME names another.
set -euo pipefail
cd "$(dirname "$0")/.."

dialect="${1:?usage: scripts/lint-sql.sh duckdb|postgres [lint|fix] [PATH...]}"
shift
command="lint"
if [ "${1:-}" = "lint" ] || [ "${1:-}" = "fix" ]; then
    command="$1"
    shift
fi
if [ "$#" -eq 0 ]; then
    set -- models snapshots analyses tests
fi

case "$dialect" in
    duckdb)
        mkdir -p test-output/lint
        export WAREHOUSE_TARGET=ci
        export WAREHOUSE_CI_DUCKDB_PATH="$PWD/test-output/lint/lint.duckdb"
        ;;
    postgres)
        export WAREHOUSE_TARGET=pg
        export WAREHOUSE_PG_DBNAME="${WAREHOUSE_PG_DBNAME:-postgres}"
        ;;
    *)
        echo "error: dialect must be duckdb or postgres, not $dialect" >&2
        exit 2
        ;;
esac

extra=()
if [ "$command" = "fix" ]; then
    # Long lines are fixed by hand: sqlfluff's line breaking mangles templated macro calls.
    rules=$(sed -n 's/^exclude_rules = //p' .sqlfluff)
    extra=(--exclude-rules "${rules// /},LT05")
fi
exec .venv/bin/sqlfluff "$command" --dialect "$dialect" --processes "${SQLFLUFF_PROCESSES:-2}" \
    "${extra[@]}" "$@"
