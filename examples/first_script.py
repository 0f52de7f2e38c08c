"""A first script: list the notebooks of a training job definition.

Set ABEJA_ORGANIZATION_ID and PLATFORM_AUTH_TOKEN (or ABEJA_PLATFORM_USER_ID and
ABEJA_PLATFORM_PERSONAL_ACCESS_TOKEN), or save them with `abeja config init`.
Then run: python examples/first_script.py train-resnet
"""

import sys

from abeja_notebooks import Client


def main(job_definition_name: str) -> None:
    with Client() as client:  # reads the environment
        for nb in client.notebooks.list(job_definition_name):
            email = nb.creator.email
            print(nb.id, nb.name, nb.status, nb.instance_type, email)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "train-resnet")
