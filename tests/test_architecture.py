"""The architecture rules that keep the code easy to find: layers, documented commands and settings."""

from __future__ import annotations

import dataclasses
import importlib
import subprocess
import sys
from pathlib import Path

import click

from tsunagu.cli.main import COMMANDS, HELP_SUMMARY
from tsunagu.settings import SETTINGS_DOC, Settings

ROOT = Path(__file__).resolve().parents[1]


def test_import_layers_point_down() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_command_loads_and_is_summarised() -> None:
    assert set(COMMANDS) == set(HELP_SUMMARY)
    for name, (module, attr) in COMMANDS.items():
        command = getattr(importlib.import_module(module), attr)
        assert isinstance(command, click.Command), name
        assert command.help, f"command {name} has no help text"


def test_every_setting_is_documented() -> None:
    names = {f.name for f in dataclasses.fields(Settings)}
    assert names == set(SETTINGS_DOC)


def test_architecture_doc_names_existing_modules() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    pkg = ROOT / "src" / "tsunagu"
    import re

    for path in re.findall(r"`((?:domain|sources|storage|retrieval|services|cli)/[\w/]+\.py)`", doc):
        assert (pkg / path).exists(), f"docs/architecture.md names {path}, which does not exist"
