"""The eCR Refiner value-set database end to end, on DuckDB and PostgreSQL.

The real TES publications land and build; the COVID-19 chain (condition grouper 2.0.0 to its
two reporting-spec groupers) gives a cache row with exactly their codes plus the sample
configuration's extras; landing the same files again changes nothing; a new grouper version
and a configuration change each rewrite only the cache rows they affect.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from conftest import dbt, query, scalar

from ingest import dbt_runner
from ingest.generators import tes as generator
from ingest.loaders import tes as loader

pytestmark = pytest.mark.build

COVID_URL = "https://tes.tools.aimsplatform.org/api/fhir/ValueSet/07221093-b8a1-4b1d-8678-259277bfba64"
RSG = "https://tes.tools.aimsplatform.org/api/fhir/ValueSet/rs-grouper-"
SYSTEM_OF_LIST = {
    "loinc_codes_additions": "http://loinc.org",
    "snomed_codes_additions": "http://snomed.info/sct",
    "icd10_codes_additions": "http://hl7.org/fhir/sid/icd-10-cm",
    "rxnorm_codes_additions": "http://www.nlm.nih.gov/research/umls/rxnorm",
    "custom_codes": "custom",
}
NEW_CODE = "U00.0-TEST"
CONFIG_HEADER = ("configuration_id,version,jurisdiction_id,name,display_name_override,is_active,"
                 "child_grouper_url,child_grouper_version,extra_codes,updated_at\n")


def build() -> None:
    # the domain and the ctl tables it feeds; cautious: leave out the tests that also read
    # other domains (their reconciliations against ctl.rejects)
    dbt("build", "--select", "tag:tes", "rejects", "loaded_files",
        "--indirect-selection", "cautious")


def run_models() -> None:
    dbt("run", "--select", "tag:tes")


def raw_row_counts() -> dict[str, int]:
    tables = [t for (t,) in query("select table_name from information_schema.tables "
                                  "where table_schema = 'raw_tes' order by 1")]
    return {t: scalar(f"select count(*) from raw_tes.{t}") for t in tables}


def cache() -> dict[tuple[str, str], dict]:
    rows = query(
        "select snomed_code, jurisdiction_id, condition_grouper_version, "
        "reporting_spec_grouper_version, configuration_id, configuration_version, "
        "cache_inputs_hash, refreshed_invocation_id, code_count from ecr.refinement_cache"
    )
    names = ("parent", "child", "config", "config_version", "hash", "invocation", "codes")
    return {(r[0], r[1]): dict(zip(names, r[2:], strict=True)) for r in rows}


def cache_codes(snomed: str, jurisdiction: str) -> set[tuple[str, str]]:
    rows = query(
        "select distinct system_uri, code from ecr.refinement_cache_codes "
        f"where snomed_code = '{snomed}' and jurisdiction_id = '{jurisdiction}'"
    )
    return {(s, c) for s, c in rows}


def grouper_codes(valuesets: list[dict]) -> set[tuple[str, str]]:
    return {(inc["system"], c["code"]) for vs in valuesets
            for inc in vs["compose"]["include"] for c in inc.get("concept", [])}


def sample_extras(tes: Path) -> set[tuple[str, str]]:
    doc = json.loads((tes / "sample_configuration_seed_data.json").read_text())
    conf = next(c for c in doc["configurations"] if c["family_id"] == 1001 and c["version"] == 2)
    return {(system, item["code"]) for key, system in SYSTEM_OF_LIST.items()
            for item in conf[key]}


def include_system(rsgs: list[dict]) -> str:
    """The code system of the first include of reporting-spec grouper 186747009."""
    return next(v for v in rsgs if v["url"] == f"{RSG}186747009")["compose"]["include"][0]["system"]


def write_new_covid_version(folder: Path, tes: Path) -> set[tuple[str, str]]:
    """A new version of reporting-spec grouper 186747009 (one more code) and of the COVID-19
    condition grouper (2.1.0) that references it; returns the new grouper's codes."""
    rsgs = json.loads((tes / "reporting_spec_groupers_covid19_20250328.json").read_text())
    child = copy.deepcopy(next(v for v in rsgs if v["url"] == f"{RSG}186747009"))
    child["version"], child["date"] = "20250601", "2025-06-01T09:00:00-07:00"
    include = child["compose"]["include"][0]
    assert NEW_CODE not in {c["code"] for c in include["concept"]}
    include["concept"].append({"code": NEW_CODE, "display": "A code added in the new version"})
    parent = copy.deepcopy(json.loads(
        (tes / "condition_grouper_covid19_2.0.0_single.json").read_text())[0])
    parent["version"], parent["date"] = "2.1.0", "2025-06-02T16:38:00-06:00"
    for inc in parent["compose"]["include"]:
        inc["valueSet"] = [
            r.replace("rs-grouper-186747009|20250328", "rs-grouper-186747009|20250601")
            for r in inc["valueSet"]
        ]
    folder.mkdir(parents=True)
    (folder / "reporting_spec_grouper_20250601.json").write_text(json.dumps([child]))
    (folder / "condition_grouper_2.1.0.json").write_text(
        json.dumps({"metadata": {"category": "condition_grouper_2.1.0"}, "valuesets": [parent]}))
    return grouper_codes([child])


def test_real_covid_chain_reloads_and_incremental_cache(warehouse, real_data, tmp_path):
    tes = real_data / "tes"
    rsgs = json.loads((tes / "reporting_spec_groupers_covid19_20250328.json").read_text())
    covid_codes = grouper_codes(rsgs)
    extras = sample_extras(tes)
    assert len(covid_codes) == 1150 and len(extras) == 9
    tx_v1, tx_v2 = ("http://loinc.org", "8302-2"), ("http://loinc.org", "29463-7")
    assert tx_v1 not in covid_codes and tx_v2 not in covid_codes

    # CA follows the latest version of 186747009; TX pins 840539006|20250328 with an extra code
    configs = tmp_path / "configs_1"
    configs.mkdir()
    (configs / "configurations_1.csv").write_text(
        CONFIG_HEADER
        + f"CA-1,1,CA,COVID CA,,true,{RSG}186747009,,,2025-05-01T00:00:00\n"
        + f"TX-1,1,tx,COVID TX,Covid (TX),true,{RSG}840539006,20250328,loinc|8302-2,"
        "2025-05-01T00:00:00\n"
    )
    first = loader.load([tes, configs])
    assert len(first.files_landed) == 8
    run_models()

    assert scalar("select count(*) from ecr.tes_condition_groupers") == 201 + 218 + 235
    assert scalar("select count(*) from ecr.tes_reporting_spec_groupers") == 2
    assert query(
        "select parent_grouper_version, child_snomed_code from ecr.tes_condition_grouper_references"
        " order by 2") == [("2.0.0", "186747009"), ("2.0.0", "840539006")]
    # every other reference points at something never landed: reported, not lost
    assert query("select reason, count(*) from ecr.tes_unresolved_references group by reason") == [
        ("target not landed", 240 + 399 + 417 - 2)]
    assert scalar("select count(*) from ecr.jurisdictions") == 75 + 1  # routing codes + SDDH
    assert scalar("select count(*) from staging.stg_tes__rejects") == 0
    # the influenza activation has no landed reporting-spec grouper: no cache row, a status
    assert query(
        "select resolution_status from ecr.configurations where snomed_code = '772828001'") == [
        ("activated SNOMED code has no landed reporting-spec grouper in the configuration",)]

    before = cache()
    assert set(before) == {("840539006", "SDDH"), ("186747009", "CA"), ("840539006", "TX")}
    sddh = before[("840539006", "SDDH")]
    assert (sddh["parent"], sddh["child"], sddh["config"], sddh["config_version"]) == (
        "2.0.0", "20250328", "1001", 2)
    assert cache_codes("840539006", "SDDH") == covid_codes | extras
    assert sddh["codes"] == len({code for _, code in covid_codes | extras})
    assert cache_codes("840539006", "TX") == covid_codes | {tx_v1}
    lists = query("select loinc_codes, other_codes from ecr.refinement_cache "
                  "where jurisdiction_id = 'SDDH'")[0]
    loinc = sorted(code for system, code in covid_codes | extras if system == "http://loinc.org")
    assert lists[0] == ",".join(loinc)
    assert "custom|SDDH-COV-001" in lists[1].split(",")

    # the same files again: nothing lands, so nothing can change
    raw_counts = raw_row_counts()
    again = loader.load([tes, configs])
    assert again.files_landed == [] and len(again.files_skipped) == 8
    assert raw_row_counts() == raw_counts

    # a new version of 186747009 (and a condition grouper 2.1.0 referencing it) lands:
    # CA (following the latest) and TX (whose child the newest parent now references) change,
    # SDDH (pinned to condition grouper 2.0.0) is not touched
    new_codes = write_new_covid_version(tmp_path / "new_version", tes)
    loader.load([tmp_path / "new_version"])
    run_models()
    after_version = cache()
    assert after_version[("840539006", "SDDH")] == sddh
    ca = after_version[("186747009", "CA")]
    assert (ca["parent"], ca["child"]) == ("2.1.0", "20250601")
    assert ca["invocation"] != before[("186747009", "CA")]["invocation"]
    assert after_version[("840539006", "TX")]["parent"] == "2.1.0"
    codes_840 = grouper_codes([v for v in rsgs if v["url"] == f"{RSG}840539006"])
    assert cache_codes("186747009", "CA") == codes_840 | new_codes
    assert cache_codes("840539006", "TX") == codes_840 | new_codes | {tx_v1}
    assert (new_codes - covid_codes) == {(include_system(rsgs), NEW_CODE)}

    # a configuration change: TX moves to version 2 with another extra code, CA is switched off
    changes = tmp_path / "configs_2"
    changes.mkdir()
    (changes / "configurations_2.csv").write_text(
        CONFIG_HEADER
        + f"CA-1,1,CA,COVID CA,,false,{RSG}186747009,,,2025-07-01T00:00:00\n"
        + f"TX-1,1,TX,COVID TX,Covid (TX),false,{RSG}840539006,20250328,loinc|8302-2,"
        "2025-07-01T00:00:00\n"
        + f"TX-1,2,TX,COVID TX,Covid (TX),true,{RSG}840539006,20250328,loinc|29463-7,"
        "2025-07-01T00:00:00\n"
    )
    loader.load([changes])
    build()
    final = cache()
    assert set(final) == {("840539006", "SDDH"), ("840539006", "TX")}  # no configuration, no row
    assert scalar("select count(*) from ctl.rejects where domain = 'tes'") == 0
    assert scalar("select count(*) from ctl.loaded_files where domain = 'tes'") == 8 + 2 + 1
    assert final[("840539006", "SDDH")] == sddh
    tx = final[("840539006", "TX")]
    assert (tx["config"], tx["config_version"]) == ("TX-1", 2)
    assert tx["invocation"] != after_version[("840539006", "TX")]["invocation"]
    assert tx_v2 in cache_codes("840539006", "TX") and tx_v1 not in cache_codes("840539006", "TX")


# Each data test and the break that must make it fail, in rounds: one dbt invocation per round,
# and within a round no break touches what another round-mate's test reads, so each failure is
# its own break's doing. assert_refinement_cache_matches_expected checks everything the cache
# depends on, so it goes first, alone; emptying the cache goes last.
BREAKS: list[dict[str, str]] = [
    {
        "assert_refinement_cache_matches_expected":
            "update ecr.refinement_cache set cache_inputs_hash = 'stale' "
            "where snomed_code = (select min(snomed_code) from ecr.refinement_cache)",
    },
    {
        "assert_tes_concepts_reconcile":
            "delete from staging.stg_tes__valueset_codes where code = "
            "(select min(code) from staging.stg_tes__valueset_codes)",
        "no_duplicate_condition_groupers":
            "insert into ecr.tes_condition_groupers "
            "select * from ecr.tes_condition_groupers limit 1",
        "no_duplicate_reporting_spec_groupers":
            "insert into ecr.tes_reporting_spec_groupers "
            "select * from ecr.tes_reporting_spec_groupers limit 1",
        "assert_no_orphaned_references":
            "insert into ecr.tes_condition_grouper_references (reference_sk, parent_grouper_url, "
            "parent_grouper_version, child_grouper_url, child_grouper_version, child_snomed_code) "
            "values ('x', 'nowhere', '1', 'nothing', '1', '1')",
        "assert_refinement_cache_codes_complete":
            "update ecr.refinement_cache_codes set code = 'not-a-code' where cache_code_sk = "
            "(select min(cache_code_sk) from ecr.refinement_cache_codes)",
        "assert_no_cache_row_without_active_configuration":
            "update ecr.configurations set is_active = false where configuration_sk in ("
            "select c.configuration_sk from ecr.configurations c join ecr.refinement_cache r "
            "on c.snomed_code = r.snomed_code and c.jurisdiction_id = r.jurisdiction_id "
            "and c.configuration_id = r.configuration_id "
            "and c.configuration_version = r.configuration_version)",
    },
    {"refinement_cache_populated": "delete from ecr.refinement_cache"},
]


def test_generated_releases_build_incrementally_and_every_check_can_fail(duckdb_warehouse, capsys):
    from ingest import tes_check
    from ingest.sources import tes as source

    out = source.default_dir()
    manifest = generator.generate(out, scale=0.3, seed=9, releases=2, dirty=True)
    loader.load([out / "release_001"])
    run_models()
    defects = manifest["releases"][0]["defects"]
    rejects = defects.copy()
    rejects.pop("reference_to_unpublished_grouper")  # reported as unresolved, not a reject
    assert scalar("select count(*) from staging.stg_tes__rejects") == sum(rejects.values())
    assert scalar("select count(*) from ecr.tes_unresolved_references "
                  "where reason = 'target not landed'") == 1
    contexts = json.loads((out / "release_001/additional_context_grouper_1.0.0.json").read_text())
    assert scalar(
        "select count(*) from ecr.tes_unresolved_references where reason = "
        "'target is not a reporting-spec grouper (additional-context-grouper)'"
    ) == len(contexts["valuesets"]) > 0
    first = cache()
    assert first

    loader.load([out])  # release 2: new grouper versions, configuration changes
    build()
    second = cache()
    unchanged = [k for k in set(first) & set(second) if first[k]["hash"] == second[k]["hash"]]
    rewritten = [k for k in set(first) & set(second) if first[k]["hash"] != second[k]["hash"]]
    assert unchanged and rewritten, "release 2 should change some cache rows and not others"
    for key in unchanged:
        assert second[key]["invocation"] == first[key]["invocation"], f"{key} was rewritten"
    for key in rewritten:
        assert second[key]["invocation"] != first[key]["invocation"]

    capsys.readouterr()
    assert tes_check.run(type("Args", (), {"target": None})()) == 0
    report = capsys.readouterr().out
    assert report.count("PASSED") == 4 and "refinement_cache" in report

    # every check fails on a deliberately broken table (see BREAKS)
    from ingest import warehouse as wh

    for round_ in BREAKS:
        with wh.connect() as con:
            for sql in round_.values():
                con.execute(sql)
        result = dbt_runner.invoke(["test", "--select", *round_])
        statuses = {r.node.name: str(r.status) for r in result.result or []
                    if r.node.unique_id.startswith("test.")}
        assert statuses == dict.fromkeys(round_, "fail"), f"not every check failed: {statuses}"
