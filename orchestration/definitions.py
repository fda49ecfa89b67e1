"""The code location `dagster dev -m orchestration.definitions` loads (`make orchestrate`)."""

from orchestration.graph import build_definitions

defs = build_definitions()
