"""Shared paths and helpers for the keyrot Python tests."""

from __future__ import annotations

from pathlib import Path

import pytest

#: The repository root: the golden cases and samples are read in place.
REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "testdata" / "cases"
SAMPLES = REPO / "testdata" / "samples"
REFERENCE = CASES / "reference_cases"
AS_OF = "2026-11-26T00:00:00Z"

HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
)


def row(
    user: str, account: str = "111122223333", key1: str = "false,N/A,N/A,N/A,N/A", key2: str = "false,N/A,N/A,N/A,N/A"
) -> str:
    """One 22-column row: a user with the given key slots (active,
    last_rotated, last_used_date, region, service)."""
    arn = f"arn:aws:iam::{account}:root" if user == "<root_account>" else f"arn:aws:iam::{account}:user/{user}"
    return f"{user},{arn},2025-01-01T00:00:00Z,false,N/A,N/A,N/A,false,{key1},{key2},false,N/A,false,N/A"


def report(*rows: str) -> str:
    """A report text from rows made by ``row``."""
    return "\n".join([HEADER, *rows]) + "\n"


@pytest.fixture
def reference_csv() -> bytes:
    """The reference cases of rotation-rule.md §3 (one key per status)."""
    return (REFERENCE / "input.csv").read_bytes()
