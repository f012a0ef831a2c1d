"""When unlisted `.metadata` files are worth asking for, per host."""

from __future__ import annotations

from tether.index.unlisted import TRIAL, UnlistedMetadata

MIRROR = "https://mirror.example/files/a-1.0-py3-none-any.whl"
OTHER = "https://files.example/files/a-1.0-py3-none-any.whl"


def test_a_host_is_tried_then_judged_by_its_answers() -> None:
    unlisted = UnlistedMetadata()
    for _ in range(TRIAL):
        assert unlisted.worth_asking(MIRROR)
        unlisted.answered(MIRROR, served=False)
    assert not unlisted.worth_asking(MIRROR)
    assert unlisted.worth_asking(OTHER)  # another host keeps its own trial


def test_a_host_that_nearly_always_answers_stays_asked() -> None:
    unlisted = UnlistedMetadata()
    for n in range(50):
        unlisted.answered(MIRROR, served=n != 7)
    assert unlisted.worth_asking(MIRROR)


def test_a_host_that_answers_half_the_time_is_not() -> None:
    unlisted = UnlistedMetadata()
    for n in range(20):
        unlisted.answered(MIRROR, served=n % 2 == 0)
    assert not unlisted.worth_asking(MIRROR)


def test_credentials_in_the_url_do_not_make_another_host() -> None:
    unlisted = UnlistedMetadata()
    for _ in range(TRIAL):
        unlisted.answered("https://user:secret@mirror.example/files/x.whl", served=False)
    assert not unlisted.worth_asking(MIRROR)
