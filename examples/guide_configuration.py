"""The examples of the configuration page (docs/configuration.md)."""

from __future__ import annotations

from abeja_notebooks import APIClient, Client


# --8<-- [start:environment]
def from_the_environment() -> Client:
    return Client()  # ABEJA_ORGANIZATION_ID, PLATFORM_AUTH_TOKEN, ABEJA_API_URL, ...


# --8<-- [end:environment]


# --8<-- [start:explicit]
def explicit(token: str) -> Client:
    return Client(
        organization_id="1410000000000",  # beats ABEJA_ORGANIZATION_ID
        auth_token=token,  # beats every credential in the environment
        timeout=60.0,  # beats ABEJA_SDK_CONNECTION_TIMEOUT
        max_retries=5,  # beats ABEJA_SDK_MAX_RETRY_COUNT
    )


# --8<-- [end:explicit]


# --8<-- [start:user]
def as_a_user(user_id: str, personal_access_token: str) -> Client:
    return Client(user_id=user_id, personal_access_token=personal_access_token)


# --8<-- [end:user]


# --8<-- [start:datasource]
def as_a_datasource(datasource_id: str, secret: str) -> APIClient:
    return APIClient({"datasource_id": datasource_id, "datasource_secret": secret})


# --8<-- [end:datasource]


# --8<-- [start:saved]
def from_the_saved_configuration() -> Client:
    # No argument, no environment: the active configuration of ~/.abeja/config
    # (written by `abeja config init`) gives the organization and the credentials.
    return Client()


# --8<-- [end:saved]


# --8<-- [start:named]
def from_a_named_configuration(name: str) -> Client:
    # Saved with `abeja config init staging`; its values beat the environment's.
    return Client(configuration=name)


# --8<-- [end:named]


# --8<-- [start:inspect]
def show(client: Client) -> None:
    print(client)  # Client(base_url='https://api.abeja.io', organization_id='1410000000000')
    print(client.settings)  # every setting in effect; the secret shows as ***


# --8<-- [end:inspect]
