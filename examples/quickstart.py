"""A whole notebook lifecycle, offline, against the bundled emulator.

Run it with `python examples/quickstart.py`: no credentials, no network. The
emulator runs in this process, served over real HTTP on a loopback port, on the
real clock with short delays (a notebook is Running a second after it starts,
and logs a line every quarter second).

Against the platform, drop the emulator and build the client from your
environment: `Client()` reads ABEJA_ORGANIZATION_ID and PLATFORM_AUTH_TOKEN.
"""

from abeja_notebooks import Client, NotebookStatus
from abeja_notebooks.testing import (
    DEFAULT_ORGANIZATION_ID,
    Emulator,
    EmulatorServer,
    RealClock,
)

JOB = "train-resnet"


def main() -> None:
    emulator = Emulator(clock=RealClock(), start_delay=1.0, log_interval=0.25)
    with (
        EmulatorServer(emulator) as server,
        Client(
            base_url=server.base_url,
            organization_id=DEFAULT_ORGANIZATION_ID,
            auth_token="quickstart-token",
        ) as client,
    ):
        print(f"Emulated Notebook API at {server.base_url}\n")
        notebooks = client.notebooks

        nb = notebooks.create(
            JOB,
            instance_type="cpu-1",
            image="abeja-inc/all-cpu:19.10",
            notebook_type="lab",
        )
        print(f"created   {nb.name} (id {nb.id}): {nb.status}, {nb.image}")

        nb.wait_until(NotebookStatus.RUNNING, timeout=30, poll_interval=0.25)
        print(f"running   {nb.name} since {nb.modified_at:%H:%M:%S} UTC")

        print("\nlogs (following for two seconds):")
        for event in nb.logs(follow=True, poll_interval=0.25, timeout=2):
            print(f"  {event.timestamp:%H:%M:%S.%f}"[:-3], event.message)

        nb.update(instance_type="cpu-4")
        print(f"\nupdated   {nb.name}: instance type is now {nb.instance_type}")

        nb.stop()
        print(f"stopped   {nb.name}: {nb.status}")

        notebooks.create(JOB, instance_type="gpu:b-1")
        print(f"\nnotebooks of {JOB}:")
        for other in notebooks.list(JOB):
            print(
                f"  {other.id}  {other.name:<12} {other.status:<8}"
                f" {other.instance_type:<8} by {other.creator.email}"
            )

        # Collect first, then delete: deleting during the walk shifts the pages.
        for other in list(notebooks.list(JOB)):
            other.delete()
        remaining = notebooks.list_page(JOB).total
        print(f"\ndeleted every notebook; {remaining} left")


if __name__ == "__main__":
    main()
