"""Constants and small helpers shared by the emulator tests."""

from __future__ import annotations

import base64
import ssl
from typing import Any, Literal

import httpx

from abeja_notebooks.testing import DEFAULT_JOB_DEFINITION, DEFAULT_ORGANIZATION_ID

ORG = DEFAULT_ORGANIZATION_ID
JOB = DEFAULT_JOB_DEFINITION
P = f"/organizations/{ORG}/training/definitions/{JOB}/notebooks"
"""The notebooks collection of the default organization and job definition."""

Status = Literal["Pending", "Running", "Stopped", "Failed"]
"""The notebook states the emulator produces."""

TLS = ssl.create_default_context()
"""One TLS context for every client (unused on plain HTTP; building one per client is slow)."""

TOKEN = "test-token"
BEARER = {"Authorization": f"Bearer {TOKEN}"}

NOTEBOOK_KEYS = [
    "job_definition_id",
    "training_notebook_id",
    "name",
    "description",
    "status",
    "status_message",
    "instance_type",
    "image",
    "creator",
    "created_at",
    "modified_at",
]
CREATOR_KEYS = ["id", "email", "display_name", "role", "is_registered", "created_at", "updated_at"]


def basic(user: str, secret: str) -> dict[str, str]:
    """Build a Basic Authorization header.

    Args:
        user: The user part, e.g. ``user-123``.
        secret: The password part.

    Returns:
        The header, as a dict.
    """
    token = base64.b64encode(f"{user}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def create(http: httpx.Client, **fields: Any) -> dict[str, Any]:
    """Create a notebook in the default job definition and return its JSON.

    Args:
        http: A client on the emulator.
        **fields: The request body.

    Returns:
        The created notebook.
    """
    response = http.post(P, json=fields)
    assert response.status_code == 200, response.text
    notebook: dict[str, Any] = response.json()
    return notebook


def assert_api_error(response: httpx.Response, status: int, error: str) -> dict[str, Any]:
    """Check that a response is a JSON error in the API's shape.

    Args:
        response: The response.
        status: The expected status code.
        error: The expected ``error`` code.

    Returns:
        The error body.
    """
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"]
    body: dict[str, Any] = response.json()
    assert list(body) == ["error", "error_description", "error_detail"]
    assert body["error"] == error
    assert isinstance(body["error_description"], str)
    assert isinstance(body["error_detail"], dict)
    return body
