"""Password rules and Argon2id parameters."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type
from argon2.low_level import Type as LowType

from ideaboard.passwords import Passwords, password_problem
from ideaboard.settings import Settings


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "Use at least 8 characters."),
        ("password", "This password is too common. Choose one that is harder to guess."),
        ("Password1", "This password is too common. Choose one that is harder to guess."),
        ("qwertyuiop", "This password is too common. Choose one that is harder to guess."),
        ("x" * 129, "Use at most 128 characters."),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, problem: str) -> None:
    assert password_problem(password) == problem


@pytest.mark.parametrize("password", ["correct horse battery", "ä" * 8, "p" * 64, "p" * 128])
def test_good_passwords_pass(password: str) -> None:
    assert password_problem(password) is None


def test_default_hashing_meets_owasp_minimum() -> None:
    settings = Settings()
    assert settings.password_memory_kib >= 19 * 1024
    assert settings.password_time_cost >= 2
    hasher = PasswordHasher(
        memory_cost=settings.password_memory_kib, time_cost=settings.password_time_cost
    )
    assert hasher.type is Type.ID is LowType.ID


async def test_hash_and_verify_off_the_event_loop() -> None:
    passwords = Passwords(memory_kib=1024, time_cost=1)
    hashed = await passwords.hash("correct horse battery")
    assert hashed.startswith("$argon2id$v=19$m=1024,t=1")
    assert await passwords.verify(hashed, "correct horse battery")
    assert not await passwords.verify(hashed, "wrong")
    assert not await passwords.verify(None, "anything")
    assert not await passwords.verify("not a hash", "anything")


def test_needs_rehash_when_parameters_change() -> None:
    old = Passwords(memory_kib=1024, time_cost=1)
    new = Passwords(memory_kib=2048, time_cost=2)
    hashed = PasswordHasher(memory_cost=1024, time_cost=1).hash("x" * 10)
    assert not old.needs_rehash(hashed)
    assert new.needs_rehash(hashed)
