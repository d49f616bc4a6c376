"""Flask CLI commands every service has: ``migrate`` and ``declare-topology``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask

from . import migrations
from .messaging import topology

if TYPE_CHECKING:
    from .messaging.consumer import Consumer


def register_commands(
    app: Flask, *, migrations_path: Path, consumers_factory: Callable[[], Iterable[Consumer]] = lambda: []
) -> None:
    """Add ``flask migrate`` and ``flask declare-topology`` to the service's CLI."""
    ext = app.extensions["tiepdan"]

    @app.cli.command("migrate")
    @click.option("--revision", default="head", show_default=True)
    def migrate(revision: str) -> None:
        """Apply the database migrations."""
        migrations.upgrade(migrations_path, ext["settings"].database_url, revision)
        click.echo(f"{ext['settings'].service}: database at {revision}")

    @app.cli.command("declare-topology")
    def declare_topology() -> None:
        """Declare the exchange and this service's queues, so no event is dropped before the worker starts."""
        settings = ext["settings"]
        topology.declare_all(settings, [c.spec(settings) for c in consumers_factory()])
        click.echo(f"{settings.service}: exchange {settings.exchange} and queues declared")
