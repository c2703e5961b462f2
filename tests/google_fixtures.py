"""Pytest fixtures for the Google backend against the loopback Sheets server.

Import the fixtures into ``conftest.py`` (``from google_fixtures import ...``) or a test module.
The service account is real in form: a fresh RSA key, a service-account JSON whose ``token_uri``
points at the loopback ``/token``; the server verifies the JWT signature with the public key.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from gsheets_server import SheetsServer

from automation.config import Config, GoogleConfig, load_config
from automation.sheets.google import GoogleBackend

SERVICE_EMAIL = "onemarket-bot@test-project.iam.gserviceaccount.com"
KEYS = {
    "master": "1MasterTestKey_abcdefghij",
    "outcomes": "1OutcomesTestKey_abcdefgh",
    "dashboard": "1DashboardTestKey_abcdefg",
}


class FakeClock:
    """Monotonic time that ``sleep`` advances instantly (real time still passes too)."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.offset += seconds


@pytest.fixture(scope="session")
def google_sa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def gsheets(google_sa_key: rsa.RSAPrivateKey) -> Iterator[SheetsServer]:
    """A running loopback Sheets API + token server (no spreadsheets yet)."""
    with SheetsServer(google_sa_key.public_key(), SERVICE_EMAIL) as server:
        yield server


def service_account_json(key: rsa.RSAPrivateKey, token_uri: str, email: str = SERVICE_EMAIL) -> dict[str, Any]:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return {
        "type": "service_account",
        "project_id": "test-project",
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": pem,
        "client_email": email,
        "client_id": "100000000000000000001",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/onemarket-bot",
        "universe_domain": "googleapis.com",
    }


@pytest.fixture
def google_credentials(tmp_path: Path, gsheets: SheetsServer, google_sa_key: rsa.RSAPrivateKey) -> Path:
    """A service-account JSON file in tmp_path whose token_uri is the loopback /token."""
    path = tmp_path / "credentials.json"
    path.write_text(json.dumps(service_account_json(google_sa_key, gsheets.token_uri)), encoding="utf-8")
    return path


@pytest.fixture
def google_config(gsheets: SheetsServer, google_credentials: Path) -> GoogleConfig:
    """Short timeout and a small retry budget so fault tests stay fast."""
    return GoogleConfig(
        credentials=google_credentials, endpoint=gsheets.url, timeout=0.5, max_attempts=4, deadline=10.0
    )


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


MakeBackend = Callable[..., GoogleBackend]


@pytest.fixture
def make_google_backend(gsheets: SheetsServer, google_config: GoogleConfig, fake_clock: FakeClock) -> MakeBackend:
    """``make(tabs, key=..., shared=True, create=True, **GoogleConfig overrides)``.

    Creates the spreadsheet on the server (unless ``create`` is False) and returns a backend
    built by ``GoogleBackend.from_config`` whose sleeps go to ``fake_clock``.
    """

    def make(
        tabs: Mapping[str, Sequence[Sequence[str]]] | None = None,
        *,
        key: str = KEYS["master"],
        shared: bool = True,
        create: bool = True,
        **overrides: Any,
    ) -> GoogleBackend:
        if create:
            gsheets.create_spreadsheet(key, tabs, shared=shared)
        cfg = dataclasses.replace(google_config, **overrides)
        return GoogleBackend.from_config(cfg, key, sleep=fake_clock.sleep, clock=fake_clock.monotonic)

    return make


@pytest.fixture
def google_onemarket_config(tmp_path: Path, gsheets: SheetsServer, google_credentials: Path) -> Config:
    """onemarket.toml with backend "google": three empty spreadsheets (keys in ``KEYS``)."""
    for key in KEYS.values():
        gsheets.create_spreadsheet(key)
    body = (
        '[workbook]\nbackend = "google"\n'
        + "".join(f'{role} = "{key}"\n' for role, key in KEYS.items())
        + f'\n[google]\ncredentials = "{google_credentials.name}"\n'
        f'endpoint = "{gsheets.url}"\ntimeout = 10\nmax_attempts = 3\ndeadline = 30\n'
    )
    path = tmp_path / "onemarket.toml"
    path.write_text(body, encoding="utf-8")
    return load_config(path)
