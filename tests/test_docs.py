"""Docs that cannot drift: every command of the CLI and every key of ``config.yaml`` is in the README.

As sqlite-utils' ``tests/test_docs.py`` does for its commands: the lists are read from the code itself (the typer
app, the pydantic model), so a new command or setting without documentation fails here.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import typer
from pydantic import BaseModel

from tracker.cli import app
from tracker.config import Config, Localized

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
TABLE_ROWS = [line for line in README.splitlines() if line.startswith("| `")]


def commands(group: click.Command, prefix: str = "tracker") -> Iterator[str]:
    for name, command in sorted(getattr(group, "commands", {}).items()):
        yield f"{prefix} {name}"
        yield from commands(command, f"{prefix} {name}")


def _model(annotation: object) -> type[BaseModel] | None:
    """The settings model a field holds directly (``X`` or ``X | None``); lists and dicts of models are leaves."""
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel) and candidate is not Localized:
            return (
                candidate if typing.get_origin(annotation) in (None, typing.Union, type(int | None)) else None
            )
    return None


def keys(model: type[BaseModel] = Config, prefix: str = "") -> Iterator[str]:
    """Every leaf key of ``config.yaml``, dotted (``schedule.recompute.cron``)."""
    for name, field in model.model_fields.items():
        inner = _model(field.annotation)
        if inner is None:
            yield prefix + name
        else:
            yield from keys(inner, f"{prefix}{name}.")


def documented(key: str) -> bool:
    """In a README table row as `key`, or in its parent's row as `leaf` (``city``: `id`, `name` ...)."""
    parent, _, leaf = key.rpartition(".")
    return any(
        f"`{key}`" in row or (parent and row.startswith(f"| `{parent}`") and f"`{leaf}`" in row)
        for row in TABLE_ROWS
    )


@pytest.mark.parametrize("command", list(commands(typer.main.get_command(app))))
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"`{command}" in README, f"document `{command}` in the README's Commands table"


@pytest.mark.parametrize("key", list(keys()))
def test_every_config_key_is_in_the_readme(key: str) -> None:
    assert documented(key), f"document `{key}` in the README's Configuration table"


def test_the_lists_are_read_from_the_code() -> None:
    """Not vacuous: the walk finds nested keys and sub-commands, and an unknown key is not 'documented'."""
    assert {"schedule.recompute.cron", "limits.yaml_depth", "paths.archive", "city.title"} <= set(keys())
    assert {"tracker db upgrade", "tracker import opensdg"} <= set(commands(typer.main.get_command(app)))
    assert not documented("schedule.recompute.no_such_key")
