"""The TES generator and reader: determinism, the shapes of the real publications, bad input."""

from __future__ import annotations

import json
from pathlib import Path

from ingest.generators import tes as generator
from ingest.readers import REJECTED_LINES
from ingest.sources import tes as source


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.*"))}


def _rows(tables) -> dict[str, int]:
    return {name: t.num_rows for name, t in tables}


def test_generation_is_deterministic_and_later_releases_leave_earlier_ones_alone(tmp_path):
    generator.generate(tmp_path / "a", scale=0.3, seed=5, releases=2)
    generator.generate(tmp_path / "b", scale=0.3, seed=5, releases=2)
    generator.generate(tmp_path / "c", scale=0.3, seed=5, releases=3)
    generator.generate(tmp_path / "d", scale=0.3, seed=6, releases=2)
    a, b, c, d = (_files(tmp_path / x) for x in "abcd")
    assert a == b
    for name, content in a.items():
        if name != generator.MANIFEST:
            assert c[name] == content, f"{name} changed when a release was added"
    assert any(n.startswith("release_003/") for n in c)
    assert a != d


def test_releases_have_the_real_shapes_and_new_versions(tmp_path):
    manifest = generator.generate(tmp_path, scale=0.5, seed=3, releases=2)
    assert [r["release"] for r in manifest["releases"]] == [1, 2]
    rel1, rel2 = tmp_path / "release_001", tmp_path / "release_002"
    rs1 = json.loads(next(rel1.glob("reporting_spec_grouper_*.json")).read_text())
    rs2 = json.loads(next(rel2.glob("reporting_spec_grouper_*.json")).read_text())
    cg2 = json.loads((rel2 / "condition_grouper_2.0.0.json").read_text())
    assert set(rs1) == {"metadata", "valuesets"}
    for vs in rs1["valuesets"]:
        focus = [c for u in vs["useContext"] if u["code"]["code"] == "focus"
                 for c in u["valueCodeableConcept"]["coding"]]
        assert focus and focus[0]["system"] == "http://snomed.info/sct"
        assert all("system" in inc and inc["concept"] for inc in vs["compose"]["include"])
    # some reporting-spec groupers got a new version with changed codes, the rest kept theirs
    v1 = {vs["url"]: (vs["version"], vs["compose"]) for vs in rs1["valuesets"]}
    v2 = {vs["url"]: (vs["version"], vs["compose"]) for vs in rs2["valuesets"]}
    changed = [u for u in v1 if v1[u][0] != v2[u][0]]
    assert 0 < len(changed) < len(v1)
    assert all(v1[u][1] != v2[u][1] for u in changed)
    # condition grouper 2.0.0 references exactly the current versions, plus context groupers
    current = {f"{u}|{v[0]}" for u, v in v2.items()}
    refs = {r for vs in cg2["valuesets"] for inc in vs["compose"]["include"]
            for r in inc["valueSet"]}
    assert current <= refs
    contexts = json.loads((rel2 / "additional_context_grouper_2.0.0.json").read_text())
    assert refs - current == {f"{vs['url']}|{vs['version']}" for vs in contexts["valuesets"]}
    # configuration files of both shapes; the loader knows every file
    assert list(rel1.glob("configurations_*.json")) and list(rel1.glob("configurations_*.csv"))
    files, not_landed, unknown = source.discover([tmp_path])
    assert unknown == [] and [p.name for p in not_landed] == [generator.MANIFEST]
    assert len(files) == len(list(tmp_path.rglob("*.*"))) - 1


def test_dirty_defects_are_counted(tmp_path):
    manifest = generator.generate(tmp_path, scale=0.3, seed=2, releases=1, dirty=True)
    assert manifest["releases"][0]["defects"] == dict.fromkeys(generator.DEFECTS, 1)


def test_reader_splits_the_real_publications(real_data):
    tes = real_data / "tes"
    files, not_landed, unknown = source.discover([tes])
    assert unknown == []
    assert sorted(p.name for p in not_landed) == [
        "manifest_2025-09-16.json", "manifest_2026-05-22.json", "rsg_cg_mapping.json"]
    manifest = json.loads((tes / "manifest_2025-09-16.json").read_text())["files"]
    for version in ("1.0.0", "2.0.0", "3.0.0"):
        name = f"condition_grouper_{version}.json"
        rows = _rows(source.read(tes / name))
        assert rows["valuesets"] == manifest[name]["record_count"]
        assert rows["valueset_concepts"] == 0  # condition groupers only reference
        assert rows[REJECTED_LINES] == 0
    rs = _rows(source.read(tes / "reporting_spec_groupers_covid19_20250328.json"))  # a bare list
    assert rs["valuesets"] == 2 and rs["valueset_concepts"] == 1150 + 680
    single = _rows(source.read(tes / "condition_grouper_covid19_2.0.0_single.json"))
    assert single["valuesets"] == 1 and single["valueset_references"] == 7
    conf = dict(source.read(tes / "sample_configuration_seed_data.json"))
    assert conf["configurations"].num_rows == 3
    assert conf["activations"].column("snomed_code").to_pylist() == ["840539006", "772828001"]
    lists = conf["configuration_codes"].column("list_name").to_pylist()
    assert lists.count("custom_codes") == 2 and len(lists) == 9
    jur = dict(source.read(tes / "eCR_Jurisdictions.csv"))["jurisdictions"]
    assert jur.num_rows == 75 and "CCC" in jur.column("routingcode").to_pylist()


def test_unreadable_input_becomes_rejected_lines_not_a_crash(tmp_path):
    broken = tmp_path / "condition_grouper_9.0.0.json"
    broken.write_text('{"metadata": {}, "valuesets": [\n  {"resourceType": "ValueSet",,}\n]}')
    rows = dict(source.read(broken))
    bad = rows[REJECTED_LINES].to_pylist()
    assert len(bad) == 1 and bad[0]["line_number"] == 2 and "invalid JSON" in bad[0]["reason"]
    odd = tmp_path / "reporting_spec_grouper_x.json"
    odd.write_text(json.dumps([{"resourceType": "ValueSet", "url": "u", "version": "1"}, 42]))
    rows = dict(source.read(odd))
    assert rows["valuesets"].num_rows == 1
    reasons = rows[REJECTED_LINES].column("reason").to_pylist()
    assert reasons == ["valuesets entry 2 is not an object"]
    conf = tmp_path / "configurations.csv"
    conf.write_text("configuration_id,version,jurisdiction_id,child_grouper_url,extra_codes\n"
                    "C1,1,CA,http://x/rs-grouper-1,loinc|1-8; http://snomed.info/sct|22;bare\n")
    rows = dict(source.read(conf))
    codes = rows["configuration_codes"].to_pylist()
    assert [(c["system"], c["code"]) for c in codes] == [
        ("loinc", "1-8"), ("http://snomed.info/sct", "22"), (None, "bare")]
    assert rows["configuration_groupers"].column("canonical_url").to_pylist() == [
        "http://x/rs-grouper-1"]
