"""The CLI fails loudly when a command's module cannot be imported: one line naming the
module and the error, exit 2, whichever command was asked for."""

from __future__ import annotations

import importlib

import pytest

from ingest import cli


@pytest.mark.parametrize("broken", ["tools.bench", "ingest.generators.pm", "ingest.demo"])
def test_a_command_module_that_cannot_be_imported_fails_with_one_line(
        monkeypatch, capsys, broken):
    real = importlib.import_module

    def import_module(name, package=None):
        if name == broken:
            raise ImportError(f"No module named {name!r} (simulated)")
        return real(name, package)

    monkeypatch.setattr(cli.importlib, "import_module", import_module)
    assert cli.main(["domains", "--names"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    # the module, named by the CLI or by the domain registry (a domain's generator)
    assert lines[0].startswith("error: ") and "import" in lines[0], lines[0]
    assert broken in lines[0] and "(simulated)" in lines[0], lines[0]


def test_every_command_module_imports():
    ap = cli.parser()
    commands = ap._subparsers._group_actions[0].choices
    assert {"generate", "load", "bench", "demo", "simulate", "day"} <= set(commands)
