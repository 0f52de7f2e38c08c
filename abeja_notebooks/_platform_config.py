"""The platform's own settings: its environment variables' names and its configuration file.

The platform's command line (``abeja config init``, package ``abejacli``) saves credentials in
``~/.abeja/config``, a JSON object: the unnamed (default) configuration's keys at the top level,
named ones in a ``configurations`` list, and the chosen one in ``active-configuration-name``
(absent while the unnamed one is active). This module finds and reads that file; the clients
decide what to take from it (see ``Settings.build``).

It imports nothing heavy, so the command line can name these variables and read the file
without loading httpx or pydantic.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Final, NamedTuple, cast

from ._errors import ConfigurationError

__all__ = [
    "DEFAULT_CONFIG_FILE",
    "DEFAULT_NAME",
    "FileConfiguration",
    "config_file",
    "env_credential",
    "notebook_variables",
    "read",
]

ENV_API_URL: Final = "ABEJA_API_URL"
ENV_ORGANIZATION_ID: Final = "ABEJA_ORGANIZATION_ID"
ENV_AUTH_TOKEN: Final = "PLATFORM_AUTH_TOKEN"
ENV_USER_ID: Final = "ABEJA_PLATFORM_USER_ID"
ENV_PERSONAL_ACCESS_TOKEN: Final = "ABEJA_PLATFORM_PERSONAL_ACCESS_TOKEN"
ENV_DATASOURCE_ID: Final = "ABEJA_PLATFORM_DATASOURCE_ID"
ENV_DATASOURCE_SECRET: Final = "ABEJA_PLATFORM_DATASOURCE_SECRET"
ENV_TIMEOUT: Final = "ABEJA_SDK_CONNECTION_TIMEOUT"
ENV_MAX_RETRIES: Final = "ABEJA_SDK_MAX_RETRY_COUNT"
ENV_LOG: Final = "ABEJA_NOTEBOOKS_LOG"
ENV_CONFIG_FILE: Final = "ABEJA_NOTEBOOKS_CONFIG_FILE"
ENV_JOB_DEFINITION_NAME: Final = "TRAINING_JOB_DEFINITION_NAME"
"""Set by the platform inside a notebook (and a training job): its job definition's name."""
ENV_NOTEBOOK_ID: Final = "TRAINING_NOTEBOOK_ID"
"""Set by the platform inside a notebook: the notebook's id."""

DEFAULT_CONFIG_FILE: Final = "~/.abeja/config"
"""Where ``abeja config init`` writes, relative to the home directory."""
DEFAULT_NAME: Final = "default"
"""The name that picks the unnamed configuration (unless a configuration has that name)."""

_USER: Final = "abeja-platform-user"
_TOKEN: Final = "personal-access-token"
_ORGANIZATION: Final = "organization-name"
_API_URL: Final = "abeja-api-url"
_NAME: Final = "configuration-name"
_ACTIVE: Final = "active-configuration-name"
_LIST: Final = "configurations"


class FileConfiguration(NamedTuple):
    """One configuration of the file, its values stripped (a blank value reads as absent).

    Attributes:
        name: Its ``configuration-name``, or ``None`` for the unnamed one.
        path: The file it was read from.
        user_id: ``abeja-platform-user``, as written (with or without ``user-``).
        personal_access_token: ``personal-access-token`` (never shown by ``repr``).
        organization_id: ``organization-name``, which holds the organization's id.
        api_url: ``abeja-api-url``, when present.
    """

    name: str | None
    path: Path
    user_id: str | None
    personal_access_token: str | None
    organization_id: str | None
    api_url: str | None

    @property
    def label(self) -> str:
        """How settings name it: ``"default"`` for the unnamed one, else its name."""
        return DEFAULT_NAME if self.name is None else self.name

    @property
    def where(self) -> str:
        """Where it is, for messages: ``configuration 'staging' in /home/me/.abeja/config``."""
        return f"configuration {self.label!r} in {self.path}"

    def __repr__(self) -> str:
        return (
            f"FileConfiguration(name={self.name!r}, path={self.path!r}, "
            f"user_id={self.user_id!r}, personal_access_token=***, "
            f"organization_id={self.organization_id!r}, api_url={self.api_url!r})"
        )


HEADER_SAFE: Final = re.compile(r"[\x21-\x7e]+")
"""What a credential may hold: printable ASCII, no space (it goes into an HTTP header)."""
NOT_HEADER_SAFE: Final = "must be printable ASCII without spaces or control characters"


def env_credential(env: Mapping[str, str], name: str) -> str:
    """The value of the credential variable ``name``, as set.

    Raises:
        ConfigurationError: The value cannot go into an HTTP header; the message names the
            variable, never the value.
    """
    if not HEADER_SAFE.fullmatch(env[name].strip()):
        raise ConfigurationError(f"{name} {NOT_HEADER_SAFE} (the value is not shown)")
    return env[name]


def config_file(env: Mapping[str, str]) -> Path | None:
    """Where the configuration file is, or ``None`` when it is switched off.

    ``ABEJA_NOTEBOOKS_CONFIG_FILE`` names another path; set but empty, it switches the file off.
    Otherwise it is ``.abeja/config`` under ``HOME`` (``USERPROFILE`` on Windows) as ``env``
    holds it; with neither, there is no file.
    """
    if ENV_CONFIG_FILE in env:
        chosen = env[ENV_CONFIG_FILE].strip()
        return Path(chosen).expanduser() if chosen else None
    home = env.get("HOME") or env.get("USERPROFILE")
    return Path(home, ".abeja", "config") if home else None


def read(env: Mapping[str, str], name: str | None = None) -> FileConfiguration | None:
    """Read one configuration from the file that ``env`` points to.

    Args:
        env: The environment (says where the file is).
        name: A configuration chosen explicitly; ``None`` takes the active one.

    Returns:
        The configuration, or ``None`` when none was chosen explicitly and there is no file
        (or it is switched off, or holds no configuration).

    Raises:
        ConfigurationError: The file cannot be read or is malformed (the message names the file,
            never its contents); the chosen or the active configuration is not in it, or only
            named ones are and none is active (the message lists them); a configuration was
            chosen but there is no file.
    """
    path = config_file(env)
    if path is None:
        if name is not None:
            raise ConfigurationError(
                f"configuration {name!r} was asked for, but {ENV_CONFIG_FILE} is set and empty, "
                "which switches the configuration file off"
            )
        return None
    data = _load(path)
    if data is None:
        if name is not None:
            raise ConfigurationError(
                f"configuration {name!r} was asked for, but there is no configuration file at "
                f"{path}; save one with `abeja config init {name}`"
            )
        return None
    entries = _entries(path, data)
    if name is None:
        active = data.get(_ACTIVE)
        if active is None or active == "":
            if not entries:
                return None
            if None not in entries:  # only named ones, none active: which one is meant?
                raise ConfigurationError(
                    f"{path} holds {_names(entries)} but none is active: choose one with "
                    "configuration= (--configuration on the command line), or with "
                    "`abeja config switch NAME`"
                )
            return _configuration(path, None, entries[None])
        if not isinstance(active, str):
            raise _malformed(path, f"{_ACTIVE!r} is not a string")
        try:
            key = _key(active, entries)
        except KeyError:
            raise ConfigurationError(
                f"the active configuration {active!r} ({_ACTIVE} in {path}) is not in the file, "
                f"which holds {_names(entries)}; pick one with `abeja config switch NAME`"
            ) from None
        return _configuration(path, key, entries[key])
    try:
        key = _key(name, entries)
    except KeyError:
        raise ConfigurationError(
            f"no configuration {name!r} in {path}, which holds {_names(entries)}"
        ) from None
    return _configuration(path, key, entries[key])


def _load(path: Path) -> dict[str, object] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise _malformed(path, "it is not UTF-8 text") from None
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read the configuration file {path}: {exc.strerror or type(exc).__name__}"
        ) from None
    try:
        data = _json_object(json.loads(text))
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise _malformed(path, f"it is not valid JSON ({where})") from None
    if data is None:
        raise _malformed(path, "it is not a JSON object")
    return data


def _json_object(value: object) -> dict[str, object] | None:
    """``value`` if it is a JSON object (its keys are strings), else ``None``."""
    if not isinstance(value, dict):
        return None
    return {str(key): item for key, item in cast("dict[object, object]", value).items()}


def _malformed(path: Path, why: str) -> ConfigurationError:
    return ConfigurationError(
        f"the configuration file {path} is malformed: {why}; write it again with "
        f"`abeja config init`, or set {ENV_CONFIG_FILE} to another file (empty: none)"
    )


def _entries(path: Path, data: Mapping[str, object]) -> dict[str | None, Mapping[str, object]]:
    """The configurations by name (``None``: the unnamed one, when the top level has one)."""
    entries: dict[str | None, Mapping[str, object]] = {}
    if any(key in data for key in (_USER, _TOKEN, _ORGANIZATION, _API_URL)):
        entries[None] = data
    named: object = data.get(_LIST) or []
    if not isinstance(named, list):
        raise _malformed(path, f"{_LIST!r} is not a list")
    for index, item in enumerate(cast("list[object]", named)):
        entry = _json_object(item)
        if entry is None:
            raise _malformed(path, f"{_LIST}[{index}] is not an object")
        name = entry.get(_NAME)
        if not isinstance(name, str) or not name.strip():
            raise _malformed(path, f"{_LIST}[{index}] has no {_NAME!r}")
        entries.setdefault(name, entry)
    return entries


def _key(name: str, entries: Mapping[str | None, object]) -> str | None:
    """The key of ``name`` in ``entries`` (``default``: the unnamed one); ``KeyError`` if none."""
    if name in entries:
        return name
    if name == DEFAULT_NAME and None in entries:
        return None
    raise KeyError(name)


def _names(entries: Mapping[str | None, object]) -> str:
    names = [repr(DEFAULT_NAME if name is None else name) for name in entries]
    return ", ".join(names) if names else "no configuration"


def _configuration(path: Path, name: str | None, entry: Mapping[str, object]) -> FileConfiguration:
    label = DEFAULT_NAME if name is None else name

    def text(key: str, *, number_allowed: bool = False) -> str | None:
        value = entry.get(key)
        if number_allowed and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # an id typed as a number by hand
        if value is None:
            return None
        if not isinstance(value, str):
            raise _malformed(path, f"{key!r} of configuration {label!r} is not a string")
        return value.strip() or None

    return FileConfiguration(
        name=name,
        path=path,
        user_id=text(_USER, number_allowed=True),
        personal_access_token=text(_TOKEN),
        organization_id=text(_ORGANIZATION, number_allowed=True),
        api_url=text(_API_URL),
    )


def notebook_variables(env: Mapping[str, str] | None = None) -> tuple[str | None, str, str]:
    """Where the platform says this code runs: organization (if set), job definition, notebook.

    Raises:
        ConfigurationError: ``TRAINING_JOB_DEFINITION_NAME`` or ``TRAINING_NOTEBOOK_ID`` is not
            set: this code does not run in a platform notebook.
    """
    env = os.environ if env is None else env
    job = env.get(ENV_JOB_DEFINITION_NAME, "").strip()
    notebook_id = env.get(ENV_NOTEBOOK_ID, "").strip()
    if not (job and notebook_id):
        unset = [
            name
            for name, value in ((ENV_JOB_DEFINITION_NAME, job), (ENV_NOTEBOOK_ID, notebook_id))
            if not value
        ]
        raise ConfigurationError(
            f"not running in a platform notebook: {' and '.join(unset)} "
            f"{'is' if len(unset) == 1 else 'are'} not set (the platform sets "
            f"{ENV_JOB_DEFINITION_NAME} and {ENV_NOTEBOOK_ID} in every notebook, beside "
            f"{ENV_ORGANIZATION_ID} and {ENV_AUTH_TOKEN}); elsewhere, name the notebook with "
            "notebooks.get(job_definition_name, notebook_id)"
        )
    return env.get(ENV_ORGANIZATION_ID, "").strip() or None, job, notebook_id
