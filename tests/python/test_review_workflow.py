"""The review workflow files: valid, and doing what .ci/run and the Makefile do."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = REPO_ROOT / ".github/workflows/pr.yml"
PRE_COMMIT = REPO_ROOT / ".pre-commit-config.yaml"


def make_targets() -> set[str]:
    text = (REPO_ROOT / "Makefile").read_text()
    return set(re.findall(r"^([a-z][a-z-]*):", text, flags=re.MULTILINE))


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def run_lines(data: dict) -> list[str]:
    lines = []
    for job in data["jobs"].values():
        for step in job["steps"]:
            lines += [ln.strip() for ln in step.get("run", "").splitlines() if ln.strip()]
    return lines


def test_workflow_is_a_valid_github_actions_file():
    data = workflow()
    # YAML 1.1 reads a bare `on` as true; the file quotes it so the key stays "on".
    assert "on" in data, "the trigger key must be the string 'on'"
    assert {"pull_request", "push"} <= set(data["on"])
    assert data["jobs"], "no jobs"
    for name, job in data["jobs"].items():
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name), f"bad job id {name}"
        assert job.get("runs-on"), f"job {name} has no runs-on"
        assert job.get("steps"), f"job {name} has no steps"
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), f"{name}: step needs uses or run: {step}"
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", step["uses"]), step["uses"]
        for need in job.get("needs", []):
            assert need in data["jobs"], f"{name} needs unknown job {need}"


def test_workflow_mirrors_ci_run():
    """Every command of .ci/run, and `make test`'s parts, run in the workflow."""
    lines = run_lines(workflow())
    text = "\n".join(lines)
    assert "bash .ci/run" in text
    ci_run = (REPO_ROOT / ".ci/run").read_text()
    assert "make test" in ci_run
    for script in re.findall(r"scripts/[\w.-]+", ci_run):
        assert script in text, f".ci/run calls {script}; the workflow does not"
    assert "scripts/install-system-deps.sh" in text
    # The split jobs run the same make targets that `make test` runs.
    test_prereqs = re.search(r"^test:([^#\n]*)", (REPO_ROOT / "Makefile").read_text(), re.M)
    assert test_prereqs, "Makefile has no test target"
    for target in ("lint", "checks"):
        assert target in test_prereqs.group(1).split(), f"`make test` no longer runs {target}"
        assert f"make {target}" in text, f"the workflow does not run make {target}"


def test_workflow_slim_ci_defers_to_production_artifacts():
    text = "\n".join(run_lines(workflow()))
    assert "state:modified+" in text and "--defer" in text and "--state prod" in text
    assert "full build" in text


def test_workflow_make_targets_exist():
    targets = make_targets()
    for line in run_lines(workflow()):
        for match in re.finditer(r"\bmake ([a-z][a-z-]*)", line):
            assert match.group(1) in targets, f"workflow runs make {match.group(1)}: no such target"


def test_pre_commit_config_is_valid_and_local():
    data = yaml.safe_load(PRE_COMMIT.read_text())
    hooks = {h["id"]: h for repo in data["repos"] for h in repo["hooks"]}
    assert {"ruff", "sqlfluff", "yamllint", "dbt-parse"} <= set(hooks)
    for repo in data["repos"]:
        assert repo["repo"] == "local", "hooks run the locked tools in .venv, nothing fetched"
    for hook in hooks.values():
        program = shlex.split(hook["entry"])[0]
        assert (REPO_ROOT / program).exists(), f"hook {hook['id']}: {program} missing"
    proc = subprocess.run(
        [str(REPO_ROOT / ".venv/bin/pre-commit"), "validate-config", str(PRE_COMMIT)],
        capture_output=True, text=True, cwd=REPO_ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workflow_publishes_the_data_diff():
    """A pull request's slim build is followed by the data diff against main's build, written
    to the job summary and kept as an artifact with Recce's state file."""
    job = workflow()["jobs"]["slim-build"]
    runs = [step.get("run", "") for step in job["steps"]]
    assert any("make setup-review" in run for run in runs)
    build = next(i for i, run in enumerate(runs) if "state:modified+" in run)
    diff = next(i for i, run in enumerate(runs) if "scripts/pr_data_diff.py" in run)
    assert diff > build, "the data diff must run after the slim build"
    assert "--base prod" in runs[diff] and '"$GITHUB_STEP_SUMMARY"' in runs[diff]
    upload = next(step for step in job["steps"][diff:]
                  if step.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["name"] == "data-diff"
    assert "recce_state.json" in upload["with"]["path"]
    assert "data-diff.md" in upload["with"]["path"]
