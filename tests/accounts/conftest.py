import pytest

from tests.accounts.flows import Clock


@pytest.fixture
def clock(monkeypatch):
    """Time that a test can move forward: sessions, rate limits and codes all follow it."""
    return Clock(monkeypatch)
