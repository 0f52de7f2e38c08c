"""The entry point of the resource model: a client holding settings and a connection pool."""

from __future__ import annotations

from functools import cached_property
from types import TracebackType
from typing import Self

import httpx

from abeja_notebooks._async.manager import AsyncNotebooks
from abeja_notebooks._clock import Clock
from abeja_notebooks._config import (
    DEFAULT_MAX_RESPONSE_SIZE,
    NOT_GIVEN,
    NotGiven,
    RetryPolicy,
    Settings,
)
from abeja_notebooks._transport import AsyncTransport

__all__ = ["AsyncClient"]


class AsyncClient:
    """A client of the Notebook API, with typed models over one pooled connection.

    Every option is keyword-only. An explicit argument beats the environment, which beats the
    configuration file that the platform's ``abeja config init`` writes (``~/.abeja/config``),
    which beats the default. Use it as a context manager, or call
    `AsyncClient.aclose` when done.

    Examples:
        >>> from abeja_notebooks import AsyncClient, NotebookStatus
        >>> async with AsyncClient() as client:  # doctest: +SKIP
        ...     nb = await client.notebooks.create("train-resnet", instance_type="cpu-1")
        ...     await nb.wait_until(NotebookStatus.RUNNING)
        ...     async for event in nb.logs(follow=True, timeout=60):
        ...         print(event.message)

    Args:
        organization_id: The default organization. Env ``ABEJA_ORGANIZATION_ID``.
        auth_token: A platform auth token (Bearer). Env ``PLATFORM_AUTH_TOKEN``.
        user_id: A user id, with ``personal_access_token`` (Basic, ``user-`` prefix added).
            Env ``ABEJA_PLATFORM_USER_ID``.
        personal_access_token: See ``user_id``. Env ``ABEJA_PLATFORM_PERSONAL_ACCESS_TOKEN``.
        base_url: The API root. Env ``ABEJA_API_URL``; default ``https://api.abeja.io``.
        configuration: A configuration of ``~/.abeja/config`` by name (``"default"``: the
            unnamed one). Its organization, credentials and API root beat the environment's;
            the other arguments still beat its values.
        timeout: Seconds per attempt (its whole wall time), an ``httpx.Timeout`` (per phase;
            the attempt also ends once the sum of its phases has passed), or ``None`` for
            none. Env ``ABEJA_SDK_CONNECTION_TIMEOUT``; default 30.
        max_retries: Retries after a failed attempt, where safe; 0 disables them. Env
            ``ABEJA_SDK_MAX_RETRY_COUNT``; default 3.
        retry_policy: The delays between attempts (backoff, jitter, ``Retry-After`` cap).
        deadline: An overall bound in seconds on each call, attempts and sleeps included.
        max_response_size: The most bytes an answer's body may hold, after decompression;
            a larger one raises `ResponseTooLarge`.
            Default 16 MiB.
        http_client: An ``httpx.AsyncClient`` to send with, used as it is and never closed by
            this client. Its transport, pool, proxies, TLS settings and event hooks apply; its
            default headers are read once, here, beneath the SDK's own; its ``params`` and
            cookies are added to every request. Its ``base_url``, ``auth``, ``timeout`` and
            redirect setting are not used: the SDK's own options apply. The SDK hooks into the
            sockets of its pools (httpx's own transports) to bound its own attempts; nothing
            changes for the client's other requests.
        limits: Connection-pool limits for the client made here (ignored with
            ``http_client``), e.g. ``httpx.Limits(max_connections=20)``. Default: 100
            connections, 20 kept alive for 4 s.
        clock: Where time is read and sleeps happen (tests pass the emulator's clock). The
            deadline is measured on it; each attempt is also cut, in real time, at what is
            left of the deadline when it starts.

    Raises:
        ConfigurationError: An environment variable or the configuration file holds an unusable
            value, or ``configuration`` names none of the file's configurations.
        ValueError: An argument holds an unusable value.
        TypeError: An argument has the wrong type.
    """

    def __init__(
        self,
        *,
        organization_id: str | None = None,
        auth_token: str | None = None,
        user_id: str | None = None,
        personal_access_token: str | None = None,
        base_url: str | None = None,
        configuration: str | None = None,
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        retry_policy: RetryPolicy | None = None,
        deadline: float | None = None,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        http_client: httpx.AsyncClient | None = None,
        limits: httpx.Limits | None = None,
        clock: Clock | None = None,
    ) -> None:
        settings = Settings.build(
            base_url=base_url,
            organization_id=organization_id,
            auth_token=auth_token,
            user_id=user_id,
            personal_access_token=personal_access_token,
            configuration=configuration,
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            deadline=deadline,
            max_response_size=max_response_size,
        )
        self._transport = AsyncTransport(
            settings, http_client=http_client, clock=clock, limits=limits
        )

    @cached_property
    def notebooks(self) -> AsyncNotebooks:
        """The notebooks of the organization's training job definitions."""
        return AsyncNotebooks(self._transport)

    @property
    def settings(self) -> Settings:
        """The settings in effect (credentials hidden in its ``repr``)."""
        return self._transport.settings

    @property
    def organization_id(self) -> str | None:
        """The default organization, or ``None``."""
        return self._transport.settings.organization_id

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        retry_policy: RetryPolicy | NotGiven = NOT_GIVEN,
        deadline: float | NotGiven | None = NOT_GIVEN,
        organization_id: str | NotGiven = NOT_GIVEN,
        max_response_size: int | NotGiven = NOT_GIVEN,
    ) -> Self:
        """Return a copy with other options that shares this client's connection pool.

        Closing the copy does not close the pool; closing this client does.

        Args:
            timeout: Seconds per attempt, an ``httpx.Timeout`` (per phase), or ``None`` for none.
            max_retries: Retries after a failed attempt, where safe (0: none).
            retry_policy: The delays between attempts.
            deadline: An overall bound in seconds on each call, or ``None``.
            organization_id: Another default organization.
            max_response_size: The most bytes an answer's body may hold, after decompression.

        Returns:
            The new client.

        Examples:
            >>> patient = client.with_options(timeout=120, max_retries=5)  # doctest: +SKIP
        """
        settings = self.settings.replace(
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            deadline=deadline,
            organization_id=organization_id,
            max_response_size=max_response_size,
        )
        twin = type(self).__new__(type(self))
        twin._transport = self._transport.derive(settings)
        return twin

    async def aclose(self) -> None:
        """Close the connection pool (unless it was passed in as ``http_client``)."""
        await self._transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        url, org = self.settings.base_url, self.organization_id
        return f"{type(self).__name__}(base_url={url!r}, organization_id={org!r})"
