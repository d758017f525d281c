"""Sealing records (HPKE ML-KEM-768 + X25519) and their attachments (AES-256-GCM per chunk):
what opens, and every way a ciphertext is made not to."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag

from exchange._proto.v1 import record_pb2
from exchange.records import attach, seal
from exchange.trust._common import check_seal_key
from exchange.trust.errors import WeakKey

REC = record_pb2.SealedRecord(fields=[record_pb2.RecordField(name="sentence", value="8 years")])


def ctx(**kw: str) -> bytes:
    base = dict(owner="kz", requester="kg", request_id="r1", response_id="s1",
                seal_key_id="a" * 64, sign_key_id="b" * 64)  # fmt: skip
    return seal.context(**(base | kw))


def test_a_sealed_record_opens_with_its_key_and_context() -> None:
    key = seal.generate()
    ct = seal.seal(REC, seal.public_of(key), ctx())
    assert seal.open_sealed(ct, key, ctx()) == REC
    assert b"8 years" not in ct


@pytest.mark.parametrize(
    "change",
    [
        {"request_id": "r2"},
        {"response_id": "s2"},
        {"requester": "tj"},
        {"owner": "tj"},
        {"seal_key_id": "c" * 64},
        {"sign_key_id": "d" * 64},
    ],
)
def test_a_sealed_record_moved_to_another_context_does_not_open(change: dict[str, str]) -> None:
    key = seal.generate()
    ct = seal.seal(REC, seal.public_of(key), ctx())
    with pytest.raises(seal.SealError):
        seal.open_sealed(ct, key, ctx(**change))


def test_a_record_sealed_to_another_key_or_changed_does_not_open() -> None:
    key, other = seal.generate(), seal.generate()
    ct = seal.seal(REC, seal.public_of(key), ctx())
    with pytest.raises(seal.SealError):
        seal.open_sealed(ct, other, ctx())
    for at in (0, len(ct) // 2, len(ct) - 1):  # the encapsulated key, the body, the tag
        bad = bytearray(ct)
        bad[at] ^= 1
        with pytest.raises(seal.SealError):
            seal.open_sealed(bytes(bad), key, ctx())


def test_sealing_keys_in_certificates_are_hybrid_or_plain_x25519_and_never_weak() -> None:
    hybrid = seal.public_of(seal.generate())
    assert len(hybrid) == seal.HYBRID_PUBLIC and seal.is_hybrid(hybrid)
    check_seal_key("kz", hybrid)
    with pytest.raises(WeakKey):
        check_seal_key("kz", hybrid[:-32] + bytes(32))  # low-order X25519 half
    with pytest.raises(WeakKey):
        check_seal_key("kz", hybrid[:100])
    with pytest.raises(Exception):  # noqa: B017 - an X25519-only key cannot be sealed to
        seal.seal(REC, hybrid[seal.MLKEM_PUBLIC :], ctx())


def test_attachment_chunks_reordered_cut_or_changed_do_not_decrypt() -> None:
    data = bytes(range(256)) * (attach.PLAIN_CHUNK // 256 * 2 + 10)
    key, chunks = attach.encrypt(data)
    assert len(chunks) == 3 and attach.content_problem(attach.content_of(chunks)) is None
    assert b"".join(attach.decrypt(key, iter(chunks), 3)) == data
    for bad, count in (
        ([chunks[1], chunks[0], chunks[2]], 3),  # reordered
        (chunks[:2], 2),  # cut short: the new last chunk was not the last
        ([chunks[0], chunks[1][:-1] + b"\x00", chunks[2]], 3),  # changed
    ):
        with pytest.raises(InvalidTag):
            b"".join(attach.decrypt(key, iter(bad), count))


def test_attachment_content_that_does_not_add_up_is_refused() -> None:
    _, chunks = attach.encrypt(b"x" * 100)
    good = attach.content_of(chunks)
    for field, value in (("chunk_size", 4096), ("size", 10**12), ("content_sha256", b"x")):
        bad = record_pb2.AttachmentContent()
        bad.CopyFrom(good)
        setattr(bad, field, value)
        assert attach.content_problem(bad)
    bad = record_pb2.AttachmentContent()
    bad.CopyFrom(good)
    bad.chunk_sha256.append(b"y" * 32)
    assert attach.content_problem(bad)
