"""Authentication: which ``Authorization`` headers the emulator accepts, and who they name."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ._wire import ApiError

__all__ = ["DEFAULT_CREATOR", "Authenticator", "Creator"]

_CREATOR_CREATED_AT = "2017-05-26T01:38:46Z"
_CREATOR_UPDATED_AT = "2018-01-04T03:02:12Z"


@dataclass(frozen=True)
class Creator:
    """The user (or data source) a credential names: the ``creator`` of what it creates."""

    id: str
    email: str

    def to_json(self) -> dict[str, Any]:
        """Give the ``creator`` object of a notebook.

        Returns:
            ``{id, email, display_name, role, is_registered, created_at, updated_at}``.
        """
        return {
            "id": self.id,
            "email": self.email,
            "display_name": None,
            "role": "admin",
            "is_registered": True,
            "created_at": _CREATOR_CREATED_AT,
            "updated_at": _CREATOR_UPDATED_AT,
        }


DEFAULT_CREATOR = Creator(id="1122334455660", email="test@example.com")
"""Who a bearer token (and a seeded notebook) belongs to."""


class Authenticator:
    """Checks ``Authorization`` headers.

    With neither ``tokens`` nor ``users``, any well-formed credential is accepted: a bearer token,
    Basic ``user-<id>:<token>`` or Basic ``datasource-<id>:<secret>``. Otherwise only the given
    bearer tokens and users are, and data sources never.

    Args:
        tokens: Bearer tokens to accept.
        users: User id (with or without the ``user-`` prefix) -> personal access token.
    """

    __slots__ = ("_restricted", "_tokens", "_users")

    def __init__(self, tokens: Iterable[str] = (), users: Mapping[str, str] | None = None) -> None:
        self._tokens = frozenset(tokens)
        self._users = {_bare_user_id(user): pat for user, pat in (users or {}).items()}
        self._restricted = bool(self._tokens or self._users)

    def authenticate(self, header: str | None) -> Creator:
        """Tell who a request's ``Authorization`` header names.

        Args:
            header: The header's value, or None when it is missing.

        Returns:
            The creator it names.

        Raises:
            ApiError: 401, when the header is missing, malformed or not accepted.
        """
        if not header:
            raise ApiError(401, "authentication required", {"authorization": ["missing"]})
        scheme, _, credential = header.strip().partition(" ")
        credential = credential.strip()
        if scheme.lower() == "bearer" and credential and " " not in credential:
            if self._restricted and credential not in self._tokens:
                raise ApiError(401, "invalid token", {"authorization": ["invalid token"]})
            return DEFAULT_CREATOR
        if scheme.lower() == "basic" and credential:
            creator = self._basic(credential)
            if creator is not None:
                return creator
        raise ApiError(
            401,
            "malformed Authorization header",
            {"authorization": ["expected Bearer <token> or Basic user-<id>:<token>"]},
        )

    def _basic(self, credential: str) -> Creator | None:
        try:
            decoded = base64.b64decode(credential, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, sep, secret = decoded.partition(":")
        if not sep or not secret:
            return None
        if user.startswith("user-") and len(user) > len("user-"):
            user_id = user[len("user-") :]
            if self._restricted and self._users.get(user_id) != secret:
                raise _invalid_credentials()
            return Creator(id=user_id, email=f"{user}@example.com")
        if user.startswith("datasource-") and len(user) > len("datasource-"):
            if self._restricted:
                raise _invalid_credentials()
            return Creator(id=user[len("datasource-") :], email=f"{user}@example.com")
        return None


def _invalid_credentials() -> ApiError:
    return ApiError(401, "invalid credentials", {"authorization": ["invalid credentials"]})


def _bare_user_id(user: str) -> str:
    return user[len("user-") :] if user.startswith("user-") else user
