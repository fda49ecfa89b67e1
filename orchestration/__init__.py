"""The Dagster code location of the warehouse (`make orchestrate`): the asset graph from the
source files and databases through dbt to the dashboards, with one job per domain, a
nightly job, a daily schedule and a sensor on the ACA drop folder.

`orchestration.definitions` is what `dagster dev` loads; `orchestration.graph` builds it.
"""
