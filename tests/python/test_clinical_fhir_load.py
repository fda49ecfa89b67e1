"""`load clinical` takes FHIR as well as pipeline output: Bundles and bare resources are
mapped to NCIt inside the load (as `map-fhir` does), then landed once, with rows inserted and
updated per table; a FHIR file that cannot be read stops the load before anything lands."""

from __future__ import annotations

import shutil

import pytest
from conftest import query

from ingest.loaders import clinical as loader
from ingest.sources import clinical as source

BUNDLES = ("fhir_bundle_sr.json", "fhir_bundle_extra_codings.json",
           "fhir_bundle_missing_encounter.json")


@pytest.fixture
def fhir_dir(real_data, tmp_path):
    folder = tmp_path / "fhir"
    folder.mkdir()
    for name in BUNDLES:
        shutil.copy2(real_data / "fhir" / "dfps_regression" / name, folder / name)
    shutil.copy2(real_data / "fhir" / "dfps_regression" / "service_request_active.json",
                 folder / "service_request_active.json")  # a bare ServiceRequest
    return folder


def test_fhir_bundles_and_bare_resources_are_mapped_and_landed_once(duckdb_warehouse, fhir_dir,
                                                                    capsys):
    first = loader.load([fhir_dir], duckdb_warehouse)
    said = capsys.readouterr().err
    assert "fhir: files read: 4, failed: 0" in said
    assert [f.path.name for f in first.landing.files_landed][0].startswith("fhir_")
    requests = first.changes["service_requests"]
    assert requests.rows > 0 and requests.inserted > 0 and requests.updated == 0
    landed = query("select count(*) from raw_clinical.service_requests")[0][0]
    assert landed == requests.rows
    assert "inserted" in first.describe() and "updated" in first.describe()

    # the same inputs map to the same file, which is already landed
    again = loader.load([fhir_dir], duckdb_warehouse)
    assert not again.landing.files_landed and again.landing.files_skipped
    assert query("select count(*) from raw_clinical.service_requests")[0][0] == landed


def test_an_unreadable_fhir_file_stops_the_load_naming_it(duckdb_warehouse, fhir_dir):
    (fhir_dir / "broken.json").write_text('{"resourceType": "Bundle", "entry": [')
    with pytest.raises(source.FileFormatError, match="broken.json"):
        loader.load([fhir_dir], duckdb_warehouse)
    assert query(
        "select count(*) from information_schema.tables where table_schema = 'raw_clinical'"
    ) == [(0,)]
