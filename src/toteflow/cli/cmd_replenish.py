"""`toteflow replenish sweep|list`: replenish pick faces below minimum now, see what is open."""

from __future__ import annotations

import typer

from toteflow.central import bootstrap
from toteflow.central.services.replenishment import ReplenishmentService
from toteflow.cli.common import ConfigOption, app, fail, settings_or_exit
from toteflow.domain.actor import SYSTEM
from toteflow.domain.words import plural

replenish = typer.Typer(
    help="Replenish pick faces: run the schedule now, list the open replenishments.",
    no_args_is_help=True,
)
app.add_typer(replenish, name="replenish")


def _service(config: ConfigOption) -> ReplenishmentService:
    settings = settings_or_exit(config)
    try:
        engine = bootstrap.open_database(bootstrap.database_url(settings.server))
    except Exception as exc:
        fail(f"cannot open the database: {exc.__class__.__name__}: {exc}")
    return bootstrap.build_services(engine, settings).replenishment


@replenish.command(
    "sweep",
    help="Make a replenishment for every pick face below its minimum that has none open "
    "(what the server does every [replenishment] sweep_minutes).",
)
def sweep(config: ConfigOption = None) -> None:
    made = _service(config).sweep(SYSTEM)
    typer.echo(
        f"checked {plural(made.checked, 'face')}: {made.below_minimum} below minimum, "
        f"{plural(len(made.created), 'replenishment')} made"
    )
    for face in made.without_source:
        typer.echo(f"no stock to replenish {face} from")


@replenish.command("list", help="The open replenishments, a wave's first.")
def list_open(config: ConfigOption = None) -> None:
    page = _service(config).open(SYSTEM, 0, 500)
    if not page.items:
        typer.echo("no replenishment is open")
    for r in page.items:
        wave = f" (wave {r.wave_id}, before task {r.before_task_id})" if r.wave_id else ""
        typer.echo(
            f"{r.id:>6} {r.status:<6} {r.source:<12} -> {r.location:<12} "
            f"{r.sku} x {r.quantity} [{r.trigger}]{wave}"
        )
