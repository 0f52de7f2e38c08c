"""Settings, read once from arguments, the environment and the platform's configuration file
when a client is built.

Precedence, for every setting: an explicit keyword argument, then the environment, then the
configuration file that ``abeja config init`` writes, then the default. Numbers from the
environment are parsed here, so a bad value fails when the client is built (with the variable's
name and value in the message), not at the first request.
"""

from __future__ import annotations

import base64
import functools
import logging
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Final, Literal

import httpx

from . import _platform_config as platform_file
from ._errors import ConfigurationError
from ._platform_config import (
    DEFAULT_CONFIG_FILE,
    ENV_API_URL,
    ENV_AUTH_TOKEN,
    ENV_DATASOURCE_ID,
    ENV_DATASOURCE_SECRET,
    ENV_LOG,
    ENV_MAX_RETRIES,
    ENV_ORGANIZATION_ID,
    ENV_PERSONAL_ACCESS_TOKEN,
    ENV_TIMEOUT,
    ENV_USER_ID,
    HEADER_SAFE,
    NOT_HEADER_SAFE,
    FileConfiguration,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RESPONSE_SIZE",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "Credentials",
    "NotGiven",
    "RetryPolicy",
    "Settings",
]

DEFAULT_BASE_URL: Final = "https://api.abeja.io"
DEFAULT_TIMEOUT: Final = 30.0
DEFAULT_MAX_RETRIES: Final = 3
DEFAULT_MAX_RESPONSE_SIZE: Final = 16 * 1024 * 1024
"""16 MiB: more than ten times the largest real answer (a page of recent logs holds at most
about 1 MB; a page of 100 notebooks about 100 KB)."""

MISSING_CREDENTIALS_HELP: Final = (
    "no credentials found: pass auth_token= (or user_id= and personal_access_token=) to the "
    f"client; or set {ENV_AUTH_TOKEN}, or {ENV_USER_ID} and {ENV_PERSONAL_ACCESS_TOKEN}; or save "
    f"them with `abeja config init`, which writes {DEFAULT_CONFIG_FILE}"
)


class NotGiven(Enum):
    """The type of `NOT_GIVEN`: "use the client's default".

    It is distinct from ``None``, which may mean something of its own (``timeout=None``: no
    timeout). Its only member is falsy.
    """

    NOT_GIVEN = "NOT_GIVEN"
    """The one value of this type; use it as ``NOT_GIVEN``."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> Literal[False]:
        return False


NOT_GIVEN: Final = NotGiven.NOT_GIVEN
"""Sentinel for an option left at the client's default (``None`` may mean "no timeout").

Examples:
    >>> from abeja_notebooks import NOT_GIVEN
    >>> bool(NOT_GIVEN)
    False
"""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long to wait between attempts. How many attempts is ``max_retries``, set apart.

    The delay before retry ``n`` (1-based) is ``min(max_delay, initial_delay * 2 ** (n - 1))``,
    shortened by a random share of up to ``jitter`` of itself so that many clients do not retry
    in step. A ``Retry-After`` header from the server replaces that delay; one longer than
    ``max_retry_after`` is not waited for: the error is raised at once.

    Attributes:
        initial_delay: Seconds before the first retry.
        max_delay: The cap on the exponential delay, in seconds.
        jitter: The largest share (0 to 1) taken off a delay at random; 0 makes delays exact.
        max_retry_after: The longest ``Retry-After`` the client will honour, in seconds.
    """

    initial_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.25
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        for name in ("initial_delay", "max_delay", "max_retry_after"):
            value = getattr(self, name)
            if not _is_finite_number(value) or value < 0:
                raise ValueError(f"RetryPolicy.{name} must be a number >= 0, got {value!r}")
        if not _is_finite_number(self.jitter) or not 0 <= self.jitter <= 1:
            raise ValueError(f"RetryPolicy.jitter must be between 0 and 1, got {self.jitter!r}")


@dataclass(frozen=True, slots=True)
class Credentials:
    """One way of authenticating. Its ``repr`` never shows a secret.

    A client builds its credentials from its arguments or the environment; build one yourself
    only to inspect it (``client.settings.credentials``) or in tests.

    Attributes:
        kind: ``"token"``, ``"user"`` or ``"datasource"``.
        identity: The user or datasource id (with its ``user-``/``datasource-`` prefix), or
            ``None`` for a bearer token.
        secret: The token, personal access token or datasource secret (never shown by
            ``repr``).

    Examples:
        >>> Credentials.user("1122334455660", "secret")
        Credentials(kind='user', identity='user-1122334455660', secret=***)
    """

    kind: Literal["token", "user", "datasource"]
    identity: str | None
    secret: str = field(repr=False)

    def __post_init__(self) -> None:
        # Surrounding whitespace (a newline from a file) is dropped; anything else that cannot
        # go into an HTTP header is refused here, before httpx would echo the value in an error.
        for name in ("identity", "secret"):
            value = getattr(self, name)
            if value is None:
                continue
            stripped = value.strip()
            if not stripped or not HEADER_SAFE.fullmatch(stripped):
                what = "secret" if name == "secret" else "id"
                where = f"the {self.kind} credential's {what}"
                raise ConfigurationError(f"{where} {NOT_HEADER_SAFE} (the value is not shown)")
            object.__setattr__(self, name, stripped)

    @property
    def authorization(self) -> str:
        """The value of the ``Authorization`` header."""
        if self.kind == "token":
            return f"Bearer {self.secret}"
        raw = f"{self.identity}:{self.secret}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    @property
    def secrets(self) -> tuple[str, ...]:
        """What must never be shown: the secret, and the encoded Basic credential holding it."""
        if self.kind == "token":
            return (self.secret,)
        return (self.secret, self.authorization.removeprefix("Basic "))

    def __repr__(self) -> str:
        shown = "" if self.identity is None else f", identity={self.identity!r}"
        return f"Credentials(kind={self.kind!r}{shown}, secret=***)"

    @classmethod
    def from_mapping(cls, credential: Mapping[str, object]) -> Credentials:
        """Read the old client's ``credential`` dict, without changing it.

        Args:
            credential: ``{"auth_token": ...}``, ``{"user_id": ..., "personal_access_token": ...}``
                or ``{"datasource_id": ..., "datasource_secret": ...}``.

        Returns:
            The credentials the dict describes.

        Raises:
            ConfigurationError: The dict holds none of the known key sets.
        """
        token = credential.get("auth_token")
        if token:
            return cls("token", None, str(token))
        user_id, pat = credential.get("user_id"), credential.get("personal_access_token")
        if user_id and pat:
            return cls.user(str(user_id), str(pat))
        ds_id, ds_secret = credential.get("datasource_id"), credential.get("datasource_secret")
        if ds_id and ds_secret:
            return cls.datasource(str(ds_id), str(ds_secret))
        keys = ", ".join(sorted(str(k) for k in credential)) or "none"
        raise ConfigurationError(
            "credential must hold 'auth_token', or 'user_id' and 'personal_access_token', or "
            f"'datasource_id' and 'datasource_secret' (keys given: {keys})"
        )

    @classmethod
    def user(cls, user_id: str, personal_access_token: str) -> Credentials:
        """Credentials of a user and a personal access token, sent as HTTP Basic auth.

        Args:
            user_id: The user's id; the ``user-`` prefix is added when missing.
            personal_access_token: The user's personal access token.

        Returns:
            The credentials.
        """
        ident = user_id if user_id.startswith("user-") else f"user-{user_id}"
        return cls("user", ident, personal_access_token)

    @classmethod
    def datasource(cls, datasource_id: str, secret: str) -> Credentials:
        """Credentials of a datasource, sent as HTTP Basic auth.

        Args:
            datasource_id: The datasource's id; the ``datasource-`` prefix is added when
                missing.
            secret: The datasource's secret.

        Returns:
            The credentials.
        """
        ident = (
            datasource_id
            if datasource_id.startswith("datasource-")
            else f"datasource-{datasource_id}"
        )
        return cls("datasource", ident, secret)


@dataclass(frozen=True, slots=True)
class Settings:
    """The settings a client sends with, parsed and validated: ``client.settings``.

    A client builds them once, from its arguments, the environment and the platform's
    configuration file (see the configuration page); read them to see what is in effect. The
    credentials show as ``***``.

    Attributes:
        base_url: The API's root URL, without a trailing slash.
        organization_id: The default organization, or ``None``.
        credentials: How to authenticate, or ``None`` (the first request then fails).
        timeout: The per-attempt timeout of each phase (connect, write, read, pool).
        max_retries: How many times a failed attempt may be retried (0: never).
        retry_policy: The delays between attempts.
        deadline: An overall bound in seconds on one call, attempts and sleeps included.
        configuration: The configuration of the platform's file (``~/.abeja/config``) that
            supplied at least one of these settings: ``"default"`` for the unnamed one, else
            its name; ``None`` when the file supplied nothing.
        max_response_size: The most bytes an answer's body may hold, after decompression.
        attempt_timeout: The bound on each attempt's wall time, in seconds: the timeout when
            it was given as a number, the sum of the phases of an ``httpx.Timeout`` (``None``
            when a phase is unbounded or no timeout was given).
    """

    base_url: str
    organization_id: str | None
    credentials: Credentials | None
    timeout: httpx.Timeout
    max_retries: int
    retry_policy: RetryPolicy
    deadline: float | None
    configuration: str | None = None
    max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE
    attempt_timeout: float | None = None

    def replace(
        self,
        *,
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        retry_policy: RetryPolicy | NotGiven = NOT_GIVEN,
        deadline: float | NotGiven | None = NOT_GIVEN,
        organization_id: str | NotGiven = NOT_GIVEN,
        max_response_size: int | NotGiven = NOT_GIVEN,
    ) -> Settings:
        """A copy with the given options changed, each checked as the client checks it.

        ``client.with_options(...)`` makes its copy of the client with this.

        Args:
            timeout: Seconds per attempt, an ``httpx.Timeout``, or ``None`` for none.
            max_retries: Retries after the first attempt (0 disables them).
            retry_policy: The delays between attempts.
            deadline: Overall seconds per call, or ``None`` for no bound.
            organization_id: The default organization.
            max_response_size: The most bytes an answer's body may hold, after decompression.

        Returns:
            The new settings; options not given keep their value.
        """
        new_timeout = self.timeout if isinstance(timeout, NotGiven) else to_timeout(timeout)
        return Settings(
            base_url=self.base_url,
            organization_id=self.organization_id
            if isinstance(organization_id, NotGiven)
            else check_name(organization_id, "organization_id"),
            credentials=self.credentials,
            timeout=new_timeout,
            max_retries=self.max_retries
            if isinstance(max_retries, NotGiven)
            else check_max_retries(max_retries),
            retry_policy=self.retry_policy
            if isinstance(retry_policy, NotGiven)
            else check_retry_policy(retry_policy),
            deadline=self.deadline if isinstance(deadline, NotGiven) else check_deadline(deadline),
            configuration=self.configuration,
            max_response_size=self.max_response_size
            if isinstance(max_response_size, NotGiven)
            else check_max_response_size(max_response_size),
            attempt_timeout=self.attempt_timeout
            if isinstance(timeout, NotGiven)
            else attempt_bound(timeout, new_timeout),
        )

    @property
    def headers(self) -> dict[str, str]:
        """The headers every request carries (Authorization included when credentials exist)."""
        from ._version import __version__

        headers = {"User-Agent": f"abeja-notebooks/{__version__}", "Accept": "application/json"}
        if self.credentials is not None:
            headers["Authorization"] = self.credentials.authorization
        return headers

    @classmethod
    def build(
        cls,
        *,
        base_url: str | None = None,
        organization_id: str | None = None,
        auth_token: str | None = None,
        user_id: str | None = None,
        personal_access_token: str | None = None,
        credential: Mapping[str, object] | None = None,
        configuration: str | None = None,
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int | NotGiven | None = NOT_GIVEN,
        retry_policy: RetryPolicy | None = None,
        deadline: float | None = None,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        environ: Mapping[str, str] | None = None,
        file_fills: Literal["any", "credentials"] = "any",
    ) -> Settings:
        """Merge keyword arguments with the environment and the platform's configuration file.

        Each of the API root, the organization and the credentials (one setting: a complete set
        wins over every part of a later source) comes from the first source that has it: the
        arguments, a configuration chosen with ``configuration``, the environment, then the
        file's active configuration. The file is read only when a setting is still missing.

        Args:
            base_url: The API root; else ``ABEJA_API_URL``; else the file's
                ``abeja-api-url``; else ``https://api.abeja.io``.
            organization_id: Else ``ABEJA_ORGANIZATION_ID``; else the file's.
            auth_token: A bearer token; beats every env credential.
            user_id: With ``personal_access_token``, Basic auth as ``user-<id>``.
            personal_access_token: See ``user_id``.
            credential: The old client's credential dict (never modified).
            configuration: A configuration of the file, by name, whose values beat the
                environment's (``"default"``: the unnamed one, unless one has that name).
            timeout: Seconds per attempt, an ``httpx.Timeout``, or ``None`` for none; else
                ``ABEJA_SDK_CONNECTION_TIMEOUT``; else 30.
            max_retries: Retries after the first attempt (0 disables); ``None`` or not given
                reads ``ABEJA_SDK_MAX_RETRY_COUNT``; else 3.
            retry_policy: Delays between attempts.
            deadline: Overall seconds per call, or ``None`` for no bound.
            max_response_size: The most bytes an answer's body may hold, after decompression.
            environ: The environment to read (default ``os.environ``); it also says where the
                file is (``ABEJA_NOTEBOOKS_CONFIG_FILE``, else ``HOME``).
            file_fills: ``"any"`` reads the file for any missing setting; ``"credentials"``
                only when there are no credentials (the old client's rule).

        Returns:
            The validated settings.

        Raises:
            ConfigurationError: An env variable or the file holds a value that cannot be used,
                or ``configuration`` names none of the file's.
            ValueError: A keyword argument holds a value that cannot be used.
            TypeError: A keyword argument has the wrong type.
        """
        env = os.environ if environ is None else environ
        chosen: FileConfiguration | None = None
        if configuration is not None:
            chosen = platform_file.read(env, check_name(configuration, "configuration"))
        picked = _Picked(
            url=base_url,
            url_source="base_url",
            organization_id=None
            if organization_id is None
            else check_name(organization_id, "organization_id"),
            credentials=_argument_credentials(
                auth_token, user_id, personal_access_token, credential
            ),
        )
        if chosen is not None:
            picked.fill_from_file(chosen)
        picked.fill_from_env(env)
        if chosen is None and picked.missing(file_fills):
            active = platform_file.read(env)
            if active is not None:
                picked.fill_from_file(active)
        given = timeout if not isinstance(timeout, NotGiven) else _env_timeout(env)
        phases = to_timeout(given)
        return cls(
            base_url=picked.checked_url(),
            organization_id=picked.organization_id,
            credentials=picked.credentials,
            timeout=phases,
            max_retries=_max_retries(max_retries, env),
            retry_policy=RetryPolicy()
            if retry_policy is None
            else check_retry_policy(retry_policy),
            deadline=check_deadline(deadline),
            configuration=None if picked.file is None else picked.file.label,
            max_response_size=check_max_response_size(max_response_size),
            attempt_timeout=attempt_bound(given, phases),
        )


class _Picked:
    """The API root, organization and credentials ``Settings.build`` has found so far (not a
    dataclass, which would cost every process a third of a millisecond at import)."""

    __slots__ = ("credentials", "file", "organization_id", "url", "url_source")

    def __init__(
        self,
        url: str | None,
        url_source: str,
        organization_id: str | None,
        credentials: Credentials | None,
    ) -> None:
        self.url, self.url_source = url, url_source
        self.organization_id, self.credentials = organization_id, credentials
        self.file: FileConfiguration | None = None  # the one that supplied a value, if any

    def missing(self, file_fills: Literal["any", "credentials"]) -> bool:
        if file_fills == "credentials":
            return self.credentials is None
        return None in (self.url, self.organization_id, self.credentials)

    def fill_from_file(self, file: FileConfiguration) -> None:
        before = (self.url, self.organization_id, self.credentials)
        if self.url is None and file.api_url is not None:
            self.url, self.url_source = file.api_url, "file"
        self.organization_id = self.organization_id or file.organization_id
        self.credentials = self.credentials or _file_credentials(file)
        if (self.url, self.organization_id, self.credentials) != before:
            self.file = file

    def fill_from_env(self, env: Mapping[str, str]) -> None:
        if self.url is None and env.get(ENV_API_URL):
            self.url, self.url_source = env[ENV_API_URL], ENV_API_URL
        if self.organization_id is None:
            self.organization_id = env.get(ENV_ORGANIZATION_ID) or None  # empty: unset
            if self.organization_id is not None and not self.organization_id.strip():
                raise ConfigurationError(f"{ENV_ORGANIZATION_ID} is blank: unset it or set an id")
        if self.credentials is None:
            self.credentials = _env_credentials(env)

    def checked_url(self) -> str:
        if self.url is None:
            return DEFAULT_BASE_URL
        if self.url_source != "file" or self.file is None:
            return check_base_url(self.url, self.url_source)
        try:
            return check_base_url(self.url, "abeja-api-url")
        except ConfigurationError:  # the file's value is not shown
            raise ConfigurationError(
                f"abeja-api-url of {self.file.where} is not an absolute http(s) URL without "
                "credentials"
            ) from None


def _is_finite_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_name(value: object, what: str) -> str:
    """Return ``value`` if it is a non-blank ``str``; raise ``TypeError``/``ValueError`` if not."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{what} must not be empty or blank, got {value!r}")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(
                f"{what} must be valid Unicode text (it holds a lone surrogate), got {value!r}"
            ) from None
    return value


def check_base_url(value: str, source: str) -> str:
    """Validate an API root URL: absolute http(s), no credentials in it."""
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigurationError(f"{source} is not a valid URL: {value!r}") from exc
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(f"{source} must be an absolute http(s) URL, got {value!r}")
    if url.userinfo:
        raise ConfigurationError(f"{source} must not carry credentials; use the auth options")
    return value.rstrip("/")


def to_timeout(value: float | httpx.Timeout | None, source: str = "timeout") -> httpx.Timeout:
    """Turn seconds (``None``: no timeout) into an ``httpx.Timeout``.

    Raises ``TypeError`` for a non-number and ``ValueError`` for a number that is not finite
    and > 0, in each part of an ``httpx.Timeout`` too.
    """
    if isinstance(value, httpx.Timeout):
        for part in ("connect", "read", "write", "pool"):
            seconds: object = getattr(value, part)
            if seconds is not None:
                _check_seconds(seconds, f"{source} ({part})")
        return value
    if value is None:
        return httpx.Timeout(None)
    return httpx.Timeout(_check_seconds(value, source))


def _check_seconds(value: object, what: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"{what} must be a number of seconds or None, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{what} must be a finite number of seconds > 0 (or None), got {value!r}")
    return float(value)


def check_max_retries(value: object, what: str = "max_retries") -> int:
    """Validate a retry count: an int >= 0 (``what`` names the parameter in errors)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{what} must be an int, got {value!r}")
    if value < 0:
        raise ValueError(f"{what} must be >= 0 (0 disables retries), got {value}")
    return value


def check_deadline(value: object) -> float | None:
    """Validate an overall deadline: ``None`` or a finite number of seconds > 0."""
    if value is None:
        return None
    return _check_seconds(value, "deadline")


def check_retry_policy(value: object) -> RetryPolicy:
    """Validate a retry policy's type."""
    if not isinstance(value, RetryPolicy):
        raise TypeError(f"retry_policy must be a RetryPolicy, got {type(value).__name__}")
    return value


def _argument_credentials(
    auth_token: str | None,
    user_id: str | None,
    personal_access_token: str | None,
    credential: Mapping[str, object] | None,
) -> Credentials | None:
    if auth_token is not None:
        return Credentials("token", None, check_name(auth_token, "auth_token"))
    if user_id is not None or personal_access_token is not None:
        if user_id is None or personal_access_token is None:
            raise ValueError("user_id and personal_access_token must be given together")
        return Credentials.user(
            check_name(user_id, "user_id"),
            check_name(personal_access_token, "personal_access_token"),
        )
    if credential is not None:
        if not isinstance(credential, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance] -- callers may pass anything at run time
            raise TypeError(f"credential must be a dict, got {type(credential).__name__}")
        return Credentials.from_mapping(credential)
    return None


def _env_credentials(env: Mapping[str, str]) -> Credentials | None:
    value = functools.partial(platform_file.env_credential, env)  # names a variable unfit for it
    if env.get(ENV_AUTH_TOKEN):
        return Credentials("token", None, value(ENV_AUTH_TOKEN))
    if env.get(ENV_USER_ID) and env.get(ENV_PERSONAL_ACCESS_TOKEN):
        return Credentials.user(value(ENV_USER_ID), value(ENV_PERSONAL_ACCESS_TOKEN))
    if env.get(ENV_DATASOURCE_ID) and env.get(ENV_DATASOURCE_SECRET):
        return Credentials.datasource(value(ENV_DATASOURCE_ID), value(ENV_DATASOURCE_SECRET))
    return None


def _file_credentials(file: FileConfiguration) -> Credentials | None:
    user, token = file.user_id, file.personal_access_token
    if user is None and token is None:
        return None
    if user is None or token is None:
        has, lacks = (
            ("abeja-platform-user", "personal-access-token")
            if token is None
            else ("personal-access-token", "abeja-platform-user")
        )
        raise ConfigurationError(f"{file.where} has {has} but no {lacks}")
    try:
        return Credentials.user(user, token)
    except ConfigurationError as error:
        raise ConfigurationError(f"{error}, in {file.where}") from None


def _env_number(env: Mapping[str, str], name: str) -> float | None:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        number = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}") from None
    if not math.isfinite(number):
        raise ConfigurationError(f"{name} must be a finite number, got {raw!r}")
    return number


def _env_timeout(env: Mapping[str, str]) -> float:
    number = _env_number(env, ENV_TIMEOUT)
    if number is None:
        return DEFAULT_TIMEOUT
    if number <= 0:
        raise ConfigurationError(f"{ENV_TIMEOUT} must be > 0 seconds, got {env[ENV_TIMEOUT]!r}")
    return number


def attempt_bound(given: float | httpx.Timeout | None, phases: httpx.Timeout) -> float | None:
    """The bound on one attempt's wall time for a validated ``timeout`` (see ``to_timeout``).

    A number bounds the whole attempt; an ``httpx.Timeout`` keeps its per-phase meaning and
    the attempt also ends once the sum of its phases has passed (no bound when a phase has
    none); ``None`` is no bound.
    """
    if given is None:
        return None
    if not isinstance(given, httpx.Timeout):
        return float(given)
    parts = (phases.connect, phases.write, phases.read, phases.pool)
    return None if any(part is None for part in parts) else sum(p or 0.0 for p in parts)


def check_max_response_size(value: object) -> int:
    """Validate a body size cap: an int of at least 1 byte."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"max_response_size must be an int (bytes), got {value!r}")
    if value < 1:
        raise ValueError(f"max_response_size must be >= 1 byte, got {value}")
    return value


def _max_retries(value: int | NotGiven | None, env: Mapping[str, str]) -> int:
    if value is not None and not isinstance(value, NotGiven):
        return check_max_retries(value)
    number = _env_number(env, ENV_MAX_RETRIES)
    if number is None:
        return DEFAULT_MAX_RETRIES
    if number < 0 or number != int(number):
        raise ConfigurationError(
            f"{ENV_MAX_RETRIES} must be a whole number >= 0, got {env[ENV_MAX_RETRIES]!r}"
        )
    return int(number)


_log_configured = False


def configure_logging_from_env(environ: Mapping[str, str] | None = None) -> None:
    """Switch on the ``abeja_notebooks`` logger when ``ABEJA_NOTEBOOKS_LOG`` is ``debug``/``info``.

    Adds one stream handler, once per process; does nothing when the variable is unset.
    """
    global _log_configured
    env = os.environ if environ is None else environ
    level_name = env.get(ENV_LOG, "").strip().lower()
    if _log_configured or level_name not in ("debug", "info"):
        return
    logger = logging.getLogger("abeja_notebooks")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if level_name == "debug" else logging.INFO)
    _log_configured = True
