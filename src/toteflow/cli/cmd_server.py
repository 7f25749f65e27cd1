"""`toteflow server` and `toteflow migrate`: run the central server, upgrade its database."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from toteflow.central import bootstrap
from toteflow.cli.common import ConfigOption, app, fail, settings_or_exit

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL; default: a SQLite file in the user's data directory. "
        "PostgreSQL: postgresql+psycopg://user@host/db",
    ),
]


@app.command()
def server(
    config: ConfigOption = None,
    host: Annotated[str | None, typer.Option(help="address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on", min=1, max=65535)] = None,
    database_url: DatabaseUrl = None,
    workers: Annotated[
        int | None, typer.Option(help="server processes (PostgreSQL only for more than 1)", min=1)
    ] = None,
    tls_cert: Annotated[Path | None, typer.Option(help="certificate (PEM) to serve HTTPS")] = None,
    tls_key: Annotated[Path | None, typer.Option(help="private key (PEM) for --tls-cert")] = None,
    no_migrate: Annotated[
        bool, typer.Option("--no-migrate", help="refuse to start if the schema is behind")
    ] = False,
) -> None:
    """Run the central server (FastAPI on uvicorn)."""
    import uvicorn

    # Command-line values become environment settings so that every worker process sees them.
    overrides = {
        "TOTEFLOW_SERVER_HOST": host,
        "TOTEFLOW_SERVER_PORT": port,
        "TOTEFLOW_SERVER_DATABASE_URL": database_url,
        "TOTEFLOW_SERVER_WORKERS": workers,
        "TOTEFLOW_SERVER_TLS_CERT": tls_cert,
        "TOTEFLOW_SERVER_TLS_KEY": tls_key,
    }
    for name, value in overrides.items():
        if value is not None:
            os.environ[name] = str(value)
    if config is not None:
        os.environ["TOTEFLOW_CONFIG"] = str(config.resolve())
    settings = settings_or_exit(None)
    srv = settings.server
    url = bootstrap.database_url(srv)
    if srv.workers > 1 and url.startswith("sqlite"):
        fail("several workers need PostgreSQL: SQLite allows one writer process")
    if bool(srv.tls_cert) != bool(srv.tls_key):
        fail("HTTPS needs both --tls-cert and --tls-key")
    for path in (srv.tls_cert, srv.tls_key):
        if path and not Path(path).is_file():
            fail(f"TLS file not found: {path}")
    try:
        # Migrate (or check) once here, before any worker starts.
        bootstrap.open_database(url, migrate_schema=srv.migrate and not no_migrate).dispose()
    except bootstrap.SchemaBehind as exc:
        fail(str(exc))
    except Exception as exc:
        fail(f"cannot open the database {_redact(url)}: {exc.__class__.__name__}: {exc}")
    os.environ["TOTEFLOW_SERVER_MIGRATE"] = "false"
    scheme = "https" if srv.tls_cert else "http"
    typer.echo(f"toteflow server on {scheme}://{srv.host}:{srv.port} (database {_redact(url)})")
    uvicorn.run(
        "toteflow.central.bootstrap:app_from_environment",
        factory=True,
        host=srv.host,
        port=srv.port,
        workers=srv.workers,
        ssl_certfile=srv.tls_cert or None,
        ssl_keyfile=srv.tls_key or None,
        log_level="info",
    )


@app.command()
def migrate(config: ConfigOption = None, database_url: DatabaseUrl = None) -> None:
    """Upgrade the central database's schema to this version of toteflow."""
    from toteflow.central.store import migrate as migrations

    settings = settings_or_exit(config)
    url = database_url or bootstrap.database_url(settings.server)
    try:
        engine = bootstrap.open_database(url, migrate_schema=True)
        typer.echo(f"{_redact(url)} is at schema {migrations.current_revision(engine)}")
        engine.dispose()
    except Exception as exc:
        fail(f"cannot migrate {_redact(url)}: {exc.__class__.__name__}: {exc}")


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
