"""Printers named by URI: tcp://HOST[:PORT] (raw, 9100), cups://QUEUE (lp -o raw), folder:PATH."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from toteflow.station.ports.packing import PrinterDown

RAW_PORT = 9100
FORMATS = ("zpl", "png", "pdf", "txt")


@dataclass(frozen=True)
class PrinterSpec:
    """A configured printer: how to reach it and which format it takes for labels."""

    name: str
    kind: str  # tcp, cups or folder
    target: str  # host:port, queue name, or folder path
    format: str  # zpl for thermal printers; pdf or png for laser printers and folders


def parse_printer(name: str, uri: str, base: Path | None = None) -> PrinterSpec:
    """`tcp://10.0.0.50:9100`, `cups://ZEBRA1?format=zpl`, `folder:labels?format=png`."""
    parts = urlsplit(uri)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    fmt = query.get("format", "")
    if parts.scheme == "tcp":
        if not parts.hostname:
            raise ValueError(f"printer {name}: {uri!r} needs a host, e.g. tcp://10.0.0.50:9100")
        port = parts.port or RAW_PORT
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        spec = PrinterSpec(name, "tcp", f"{host}:{port}", fmt or "zpl")
    elif parts.scheme == "cups":
        queue = parts.netloc or parts.path.lstrip("/")
        if not queue:
            raise ValueError(f"printer {name}: {uri!r} needs a queue, e.g. cups://ZEBRA1")
        spec = PrinterSpec(name, "cups", queue, fmt or "zpl")
    elif parts.scheme == "folder":
        folder = Path(parts.netloc + parts.path).expanduser()
        if not str(folder) or str(folder) == ".":
            raise ValueError(f"printer {name}: {uri!r} needs a folder, e.g. folder:labels")
        if not folder.is_absolute() and base is not None:
            folder = base / folder
        spec = PrinterSpec(name, "folder", str(folder), fmt or "png")
    else:
        raise ValueError(f"printer {name}: {uri!r} is not tcp://, cups:// or folder:")
    if spec.format not in FORMATS:
        raise ValueError(f"printer {name}: format must be one of {', '.join(FORMATS)}")
    return spec


class TcpPrinter:
    """A network printer taking raw data on a TCP port (JetDirect / port 9100)."""

    def __init__(self, spec: PrinterSpec, timeout: float = 5.0) -> None:
        self.spec = spec
        host, _, port = spec.target.rpartition(":")
        self.host = host.strip("[]")
        self.port = int(port)
        self.timeout = timeout

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def format(self) -> str:
        return self.spec.format

    def send(self, data: bytes, title: str) -> None:
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout) as conn:
                conn.sendall(data)
                # A clean close tells the printer the job is complete.
                conn.shutdown(socket.SHUT_WR)
        except OSError as exc:
            raise PrinterDown(
                f"printer {self.name} ({self.spec.target}) does not answer: {exc.strerror or exc}"
            ) from None


class CupsPrinter:
    """A CUPS queue, given the data raw (`lp -d QUEUE -o raw`), so ZPL reaches the printer."""

    def __init__(self, spec: PrinterSpec, timeout: float = 15.0, lp: str = "lp") -> None:
        self.spec = spec
        self.timeout = timeout
        self.lp = lp

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def format(self) -> str:
        return self.spec.format

    def send(self, data: bytes, title: str) -> None:
        command = [self.lp, "-d", self.spec.target, "-t", title[:60]]
        if self.spec.format in ("zpl", "txt"):
            command += ["-o", "raw"]
        try:
            done = subprocess.run(
                command, input=data, capture_output=True, timeout=self.timeout, check=False
            )
        except FileNotFoundError:
            raise PrinterDown(f"printer {self.name}: CUPS is not installed (no `lp`)") from None
        except subprocess.TimeoutExpired:
            raise PrinterDown(f"printer {self.name}: CUPS did not take the job in time") from None
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}"
            raise PrinterDown(f"printer {self.name} ({self.spec.target}): {message}")


class FolderPrinter:
    """Writes each job as a file: for previews, for a print server that watches a folder."""

    def __init__(self, spec: PrinterSpec) -> None:
        self.spec = spec
        self.folder = Path(spec.target)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def format(self) -> str:
        return self.spec.format

    def send(self, data: bytes, title: str) -> None:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in title)[:100] or "job"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # Write then rename: a watcher never picks up half a file.
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".part")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, self.folder / f"{safe}.{_extension(data, self.spec.format)}")
        except OSError as exc:
            raise PrinterDown(
                f"printer {self.name}: cannot write to {self.folder}: {exc.strerror or exc}"
            ) from None


def _extension(data: bytes, configured: str) -> str:
    # A packing slip goes out as text even to a PNG folder: name the file for what it holds.
    if data.startswith(b"\x89PNG"):
        return "png"
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.lstrip().startswith(b"^XA"):
        return "zpl"
    return "txt" if configured in ("png", "pdf") else configured


def make_printer(
    spec: PrinterSpec, timeout: float = 5.0
) -> TcpPrinter | CupsPrinter | FolderPrinter:
    if spec.kind == "tcp":
        return TcpPrinter(spec, timeout)
    if spec.kind == "cups":
        return CupsPrinter(spec, max(timeout, 15.0))
    return FolderPrinter(spec)
