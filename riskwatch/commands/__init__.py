"""Commands that live in their own modules: each module here defines `command`, a click
command, and `register` adds them all to the `riskwatch` group (riskwatch/cli.py)."""

from __future__ import annotations

import importlib
import pkgutil

import click


def register(group: click.Group) -> None:
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        command = getattr(importlib.import_module(f"{__name__}.{module.name}"), "command", None)
        if isinstance(command, click.Command):
            group.add_command(command)
