"""``abeja-notebooks demo``: a full notebook lifecycle against an in-process emulator."""

from __future__ import annotations

from rich.console import Console

from abeja_notebooks import Client
from abeja_notebooks._models import NotebookStatus
from abeja_notebooks.testing import (
    DEFAULT_JOB_DEFINITION,
    DEFAULT_ORGANIZATION_ID,
    Emulator,
    EmulatorServer,
    RealClock,
)

from ._app import Output
from ._output import Printer

__all__ = ["run_demo"]


def run_demo(console: Console) -> None:
    """Create, wait, read logs, update, stop, list and delete, printing each step.

    The emulator runs in this process on a loopback port, on the real clock with short delays,
    so the whole lifecycle takes a few seconds and needs no credentials or network.
    """
    job = DEFAULT_JOB_DEFINITION
    printer = Printer(Output.TABLE, console)
    emulator = Emulator(clock=RealClock(), start_delay=1.0, log_interval=0.25)
    with (
        EmulatorServer(emulator) as server,
        Client(
            base_url=server.base_url,
            organization_id=DEFAULT_ORGANIZATION_ID,
            auth_token="demo-token",
        ) as client,
    ):
        console.print(f"[bold]Emulated Notebook API[/bold] at {server.base_url}\n")
        nb = client.notebooks.create(job, instance_type="cpu-1", notebook_type="lab")
        console.print(f"[bold]1. created[/bold] {nb.name} ({nb.id})")
        with console.status("waiting for it to run...", spinner="dots"):
            nb.wait_until(NotebookStatus.RUNNING, timeout=30, poll_interval=0.25)
        console.print("[bold]2. running[/bold]")
        printer.notebook(nb)
        console.print("\n[bold]3. logs[/bold] (following for two seconds)")
        for event in nb.logs(follow=True, poll_interval=0.25, timeout=2):
            printer.event(event)
        nb.update(instance_type="cpu-4")
        console.print(f"\n[bold]4. updated[/bold] instance type to {nb.instance_type}")
        nb.stop()
        console.print(f"[bold]5. stopped[/bold] ({nb.status.value})")
        client.notebooks.create(job, instance_type="gpu:b-1")
        console.print(f"\n[bold]6. notebooks of {job}[/bold]")
        printer.notebooks(client.notebooks.list(job))
        for other in list(client.notebooks.list(job)):
            other.delete()
        left = client.notebooks.list_page(job).total
        console.print(f"\n[bold]7. deleted[/bold] every notebook; {left} left")
