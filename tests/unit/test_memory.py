"""The node fixes glibc's mmap threshold for chunk-sized buffers unless the operator set it."""

from __future__ import annotations

import platform

import pytest

from exchange.node import memory


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_threshold_is_set_on_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    assert memory.keep_large_buffers_on_mmap() is True


def test_operator_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "1048576")
    assert memory.keep_large_buffers_on_mmap() is False
