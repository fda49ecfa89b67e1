"""`python -m ingest config tes ...`: an operator's configuration change reaches the cache.

On a small generated TES warehouse (DuckDB): activating a condition for a jurisdiction adds
exactly the cache row of that condition with its codes, deactivating removes it, adding a
custom code puts it in the cache of the configuration's rows, removing it takes it out; each
change is in the change log with who and when; the cache after the changes equals a full
rebuild from the same raw data; bad input exits 2 with one line and records nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import dbt, query, scalar

from ingest import cli, tes_config
from ingest.generators import tes as generator
from ingest.loaders import tes as loader
from ingest.sources import tes as source

pytestmark = pytest.mark.build

CACHE_COLUMNS = (
    "snomed_code, jurisdiction_id, display_name, condition_grouper_url, condition_grouper_version, "
    "reporting_spec_grouper_url, reporting_spec_grouper_version, configuration_id, "
    "configuration_version, aggregated_codes, loinc_codes, snomed_codes, icd10_codes, "
    "rxnorm_codes, other_codes, code_count, configuration_code_count, cache_inputs_hash"
)
CODE_COLUMNS = ("snomed_code, jurisdiction_id, code_system, system_uri, code, display, "
                "source_type, source_id, source_version, cache_inputs_hash")
CACHE_MODELS = ("+refinement_cache", "+refinement_cache_codes", "configuration_changes")


def cache() -> dict[tuple[str, str], tuple[str, str]]:
    """(snomed, jurisdiction) -> (inputs hash, invocation that wrote the row)."""
    rows = query("select snomed_code, jurisdiction_id, cache_inputs_hash, refreshed_invocation_id "
                 "from ecr.refinement_cache")
    return {(s, j): (h, i) for s, j, h, i in rows}


def cache_codes(snomed: str, jurisdiction: str) -> set[tuple[str, str]]:
    return set(query(
        "select system_uri, code from ecr.refinement_cache_codes "
        f"where snomed_code = '{snomed}' and jurisdiction_id = '{jurisdiction}'"))


def contents() -> tuple[list[tuple], list[tuple]]:
    """The cache and its codes without the columns that name the run that wrote them."""
    return (query(f"select {CACHE_COLUMNS} from ecr.refinement_cache order by 1, 2"),
            query(f"select {CODE_COLUMNS} from ecr.refinement_cache_codes order by 1, 2, 4, 5, 7"))


def config(*args: str) -> int:
    return cli.main(["config", "tes", *args])


def expected_codes(configuration_id: str, version: int, parent_url: str,
                   parent_version: str) -> set[tuple[str, str]]:
    """Every reporting-spec grouper code of a condition grouper version, plus the extra codes
    of a configuration version (read from the marts the cache is built from)."""
    from_groupers = query(
        "select codes.system_uri, codes.code from ecr.tes_condition_grouper_references refs "
        "join ecr.tes_reporting_spec_grouper_codes codes on refs.child_grouper_url = "
        "codes.canonical_url and refs.child_grouper_version = codes.version "
        f"where refs.parent_grouper_url = '{parent_url}' "
        f"and refs.parent_grouper_version = '{parent_version}'")
    extras = query(f"select system_uri, code from ecr.configuration_codes where configuration_id "
                   f"= '{configuration_id}' and configuration_version = {version}")
    return set(from_groupers) | set(extras)


def assert_only_changed(before: dict, after: dict, key: tuple[str, str]) -> None:
    """Every cache row but `key` kept its hash and the invocation that wrote it."""
    assert {k: v for k, v in before.items() if k != key} == {
        k: v for k, v in after.items() if k != key}


def test_config_changes_reach_the_cache_and_match_a_full_rebuild(duckdb_warehouse, capsys):
    started = datetime.now(UTC).replace(tzinfo=None)
    out = source.default_dir()
    generator.generate(out, scale=0.05, seed=42, releases=2)
    loader.load([out])
    dbt("run", "--select", *CACHE_MODELS)

    # a condition no configuration of the jurisdiction has active, with a resolved row
    snomed, jurisdiction, conf_id, conf_version, parent_url, parent_version = query(
        "select snomed_code, jurisdiction_id, configuration_id, configuration_version, "
        "parent_grouper_url, parent_grouper_version from ecr.configurations c "
        "where resolution_status = 'resolved' and not exists (select 1 from ecr.configurations a "
        "where a.jurisdiction_id = c.jurisdiction_id and a.snomed_code = c.snomed_code "
        "and a.is_active) order by load_id desc, configuration_version desc, configuration_id "
        "desc, jurisdiction_id, snomed_code limit 1")[0]
    before = cache()
    assert (snomed, jurisdiction) not in before

    # activate: exactly one new cache row, holding that condition's codes
    assert config("activate", "--jurisdiction", jurisdiction.lower(), "--condition", snomed,
                  "--by", "alice") == 0
    assert "1 row(s) changed (1 added, 0 removed, 0 rewritten)" in capsys.readouterr().err
    activated = cache()
    assert set(activated) - set(before) == {(snomed, jurisdiction)}
    assert_only_changed(before, activated, (snomed, jurisdiction))
    codes = expected_codes(conf_id, conf_version, parent_url, parent_version)
    assert codes and cache_codes(snomed, jurisdiction) == codes
    assert query("select configuration_id, configuration_version from ecr.refinement_cache "
                 f"where snomed_code = '{snomed}' and jurisdiction_id = '{jurisdiction}'") == [
        (conf_id, conf_version)]

    # deactivate: the row goes, nothing else moves
    assert config("deactivate", "--jurisdiction", jurisdiction, "--condition", snomed,
                  "--by", "bob") == 0
    assert cache() == before
    assert cache_codes(snomed, jurisdiction) == set()

    # add a custom code to the configuration of a cached row: it appears in that row only
    key = min(before)
    cached_conf, cached_version = query(
        "select configuration_id, configuration_version from ecr.refinement_cache "
        f"where snomed_code = '{key[0]}' and jurisdiction_id = '{key[1]}'")[0]
    keys_of_conf = set(query(
        "select snomed_code, jurisdiction_id from ecr.refinement_cache where configuration_id = "
        f"'{cached_conf}' and configuration_version = {cached_version}"))
    assert config("add-code", "--configuration", cached_conf, "--version", str(cached_version),
                  "--code", "LOCAL-42", "--display", "A local test code") == 0
    added = cache()
    for k in keys_of_conf:
        assert ("custom", "LOCAL-42") in cache_codes(*k)
        assert added[k][0] != before[k][0]
    assert {k: v for k, v in added.items() if k not in keys_of_conf} == {
        k: v for k, v in before.items() if k not in keys_of_conf}
    assert query("select listed_in from ecr.configuration_codes where code = 'LOCAL-42'") == [
        ("config_changes",)]

    # remove it: gone from the cache, the rows hold what they held before
    assert config("remove-code", "--configuration", cached_conf, "--version",
                  str(cached_version), "--code", "LOCAL-42") == 0
    for k in keys_of_conf:
        assert ("custom", "LOCAL-42") not in cache_codes(*k)
        assert cache()[k][0] == before[k][0]

    # the change log: every change, who and when, kept after it was undone
    log = query("select change_type, jurisdiction_id, snomed_code, configuration_id, code, "
                "changed_by, changed_at, is_in_force from ecr.configuration_changes "
                "order by changed_at")
    assert [row[:5] for row in log] == [
        ("activate", jurisdiction, snomed, conf_id, None),
        ("deactivate", jurisdiction, snomed, None, None),
        ("add_code", None, None, cached_conf, "LOCAL-42"),
        ("remove_code", None, None, cached_conf, "LOCAL-42"),
    ]
    assert [row[5] for row in log[:2]] == ["alice", "bob"] and all(row[5] for row in log)
    assert all(started <= row[6] <= datetime.now(UTC).replace(tzinfo=None) for row in log)
    assert [row[7] for row in log] == [False, True, False, True]
    assert scalar("select count(*) from raw_tes.config_changes") == 4
    assert scalar("select count(*) from staging.base_tes__config_changes "
                  "where reject_reason is not null") == 0

    # bad input: one line, exit 2, nothing recorded
    capsys.readouterr()
    files = sorted(tes_config.changes_dir().iterdir())
    for bad in (
        ["activate", "--jurisdiction", "ZZ", "--condition", snomed],
        ["activate", "--jurisdiction", jurisdiction, "--condition", "999999999"],
        ["add-code", "--configuration", cached_conf, "--code", "12 34", "--system", "loinc"],
        ["remove-code", "--configuration", cached_conf, "--code", "NOT-THERE"],
        ["deactivate", "--jurisdiction", jurisdiction, "--condition", snomed],
    ):
        assert config(*bad) == 2, bad
        lines = capsys.readouterr().err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (bad, lines)
        assert lines[0].endswith("nothing recorded")
    assert sorted(tes_config.changes_dir().iterdir()) == files
    assert scalar("select count(*) from raw_tes.config_changes") == 4

    # the incremental path equals a full rebuild from the same raw data
    incremental = contents()
    dbt("run", "--full-refresh", "--select", *CACHE_MODELS)
    assert contents() == incremental
