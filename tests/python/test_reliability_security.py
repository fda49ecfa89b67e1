"""Security: no secret in the repository, and configuration values that reach SQL as names
are refused with a clear error when they are not plain identifiers."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from fixtures.bad_input.reliability import REPO_ROOT, cli

from ingest import config, runner, warehouse

# Credential shapes. Built from parts, so that this file does not match itself.
SECRET_PATTERNS = {
    "AWS access key id": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "private key block": re.compile(r"-----BEGIN ([A-Z]+ )?PRIVATE" + r" KEY-----"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"),
    # a password in a URL, unless the host is a template or a documentation domain (RFC 2606)
    "connection string with a password": re.compile(
        r"\b[a-z][a-z0-9+]*://[^\s:/@'\"]+:(?!\$|\{|%|<|\*)[^\s@'\"/]{3,}@"
        r"(?![{$<]|[\w.-]*\bexample\.(com|org|net)\b)"
    ),
    "password literal": re.compile(
        r"(?i)\b(password|passwd|secret|api_key|token)\b\s*[:=]\s*['\"](?!\s*['\"])"
        r"(?![{$<])[^'\"\s]{6,}['\"]"
    ),
}
BINARY_SUFFIXES = {".duckdb", ".parquet", ".png", ".jpg", ".gz", ".zip", ".pickle", ".msgpack"}


def repository_files() -> list[Path]:
    """Tracked files, plus new files not ignored (what the next commit may add)."""
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO_ROOT, capture_output=True, check=True,
    ).stdout.decode()
    return [REPO_ROOT / p for p in out.split("\0") if p]


def find_secrets(paths: list[Path], root: Path = REPO_ROOT) -> list[str]:
    found = []
    for path in paths:
        if path.suffix in BINARY_SUFFIXES or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            for what, pattern in SECRET_PATTERNS.items():
                if pattern.search(line):
                    found.append(f"{path.relative_to(root)}:{number}: {what}")
    return found


def test_no_secret_in_the_repository():
    files = repository_files()
    assert len(files) > 100  # the listing worked
    assert find_secrets(files) == []


@pytest.mark.parametrize(
    ("what", "line"),
    [
        ("AWS access key id", "key = AKIA" + "ABCDEFGHIJKLMNOP"),
        ("private key block", "-----BEGIN RSA PRIVATE" + " KEY-----"),
        ("connection string with a password", "url: postgresql://app:" + "hunter22@db:5432/x"),
        ("password literal", 'PASSWORD = "' + 'correct-horse"'),
        ("GitHub token", "ghp_" + "a" * 36),
    ],
)
def test_the_scan_finds_a_planted_secret(tmp_path, what, line):
    planted = tmp_path / "settings.py"
    planted.write_text(f"# config\n{line}\n")
    assert find_secrets([planted], tmp_path) == [f"settings.py:2: {what}"]


@pytest.mark.parametrize(
    "line",
    [
        "password: \"{{ env_var('WAREHOUSE_PG_PASSWORD', '') }}\"",
        "POSTGRES_PASSWORD: ${WAREHOUSE_PG_PASSWORD:?set WAREHOUSE_PG_PASSWORD}",
        "url = f'postgresql://{user}:{password}@{host}'",
        "#   export SHOP_URL=postgresql://reader:secret@db.example.com:5432/shop",
        'f"postgresql://nobody:wrong@{server[\'host\']}/postgres"',
        'password = ""',
    ],
)
def test_the_scan_leaves_references_to_the_environment_alone(tmp_path, line):
    path = tmp_path / "profiles.yml"
    path.write_text(line + "\n")
    assert find_secrets([path], tmp_path) == []


HOSTILE = ["warehouse; drop database x", "a b", "x'--", 'x"', "1abc", "", "ä" * 3, "a" * 64]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_identifier_is_refused(name):
    with pytest.raises(config.ConfigError, match="is not a valid identifier"):
        config.safe_identifier(name, "schema")


def test_hostile_database_name_in_the_environment_is_refused(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_PG_DBNAME", "warehouse; drop database postgres")
    with pytest.raises(config.ConfigError, match="WAREHOUSE_PG_DBNAME .* is not a valid"):
        config.target("pg")


def test_hostile_names_never_reach_the_warehouse(duckdb_warehouse):
    with pytest.raises(config.ConfigError, match="domain"):
        runner.pipeline("aca; drop schema raw_aca", duckdb_warehouse)
    with pytest.raises(config.ConfigError, match="schema"), warehouse.connect() as con:
        warehouse.relations(con, "aca' or '1'='1")
    p = runner.pipeline("aca", duckdb_warehouse)
    with pytest.raises(config.ConfigError, match="table"):
        runner.table_exists(p, "x' or '1'='1")


def test_cli_refuses_a_hostile_setting_with_one_line_and_exit_2(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_TARGET", "pg")
    monkeypatch.setenv("WAREHOUSE_PG_DBNAME", "x; drop database postgres")
    done = cli("load", "aca", str(REPO_ROOT / "README.md"), timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: WAREHOUSE_PG_DBNAME 'x; drop database postgres' is not a valid identifier "
        "(letters, digits and underscores, starting with a letter or underscore, at most 63)"
    ]


@pytest.mark.parametrize(
    "dbt_vars",
    [
        '{analyst_role: "analyst; drop schema aca cascade"}',
        '{domains: [{name: aca, mart_schema: "aca; drop schema aca cascade"}]}',
        '{domains: [{name: "aca; drop", mart_schema: aca}]}',
    ],
)
def test_hostile_dbt_var_is_refused_before_any_sql(duckdb_warehouse, dbt_vars):
    done = cli("build", "--", "run-operation", "grant_analyst_schema_usage", "--vars", dbt_vars,
               timeout=900)
    assert done.returncode == 1
    assert "is not a valid identifier" in done.stdout + done.stderr
