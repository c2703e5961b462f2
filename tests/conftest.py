"""Shared fixtures: real .xlsx files in tmp_path, the loopback Google server, the real data."""

from __future__ import annotations

from pathlib import Path

import pytest

from automation.config import Config, load_config
from automation.schema import SchemaSet, default_schemas

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
NATIONAL_CSV = SHARED_DATA / "std_traditional_markets_national_20241104.csv"
GYEONGGI_CSV = SHARED_DATA / "std_traditional_markets_gyeonggi_20241104.csv"


def write_config(folder: Path, body: str = '[workbook]\nbackend = "xlsx"\n') -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "onemarket.toml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.fixture
def schemas() -> SchemaSet:
    return default_schemas()


@pytest.fixture
def xlsx_config(tmp_path: Path) -> Config:
    """A config for three fresh (not yet created) .xlsx files under tmp_path/data."""
    return load_config(write_config(tmp_path))


@pytest.fixture
def national_csv() -> Path:
    if not NATIONAL_CSV.is_file():
        pytest.skip(f"real market data not present at {NATIONAL_CSV} (../shared/data is optional)")
    return NATIONAL_CSV


# Loopback Google Sheets API fixtures (tests/google_fixtures.py), shared by every test module.
from google_fixtures import (  # noqa: E402, F401
    fake_clock,
    google_config,
    google_credentials,
    google_onemarket_config,
    google_sa_key,
    gsheets,
    make_google_backend,
)

# A real SMTP server (aiosmtpd on 127.0.0.1) for the mail tests (tests/smtp_server.py).
from smtp_server import make_smtp_server, smtp_cert, smtp_server  # noqa: E402, F401
