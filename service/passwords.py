"""Passwords: argon2id hashes (argon2-cffi, RFC 9106's low-memory profile), a policy, and a
check that costs the same whether the user name exists or not."""

from __future__ import annotations

from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .errors import BadRequest

MIN_LENGTH = 10
MAX_LENGTH = 256


def check_policy(password: str, username: str) -> None:
    if len(password) < MIN_LENGTH:
        raise BadRequest("a password has at least {least} characters", field="password",
                         least=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise BadRequest("a password has at most {most} characters", field="password",
                         most=MAX_LENGTH)
    if password.strip().lower() == username.strip().lower() or len(set(password)) < 4:
        raise BadRequest("the password is too simple: not the user name, and at least 4 "
                         "different characters", field="password")


@dataclass
class Passwords:
    """argon2id with the configured cost (``service.password_time_cost`` / ``_memory_kib``);
    a stored hash carries its own parameters, so a change of cost keeps old hashes working."""

    time_cost: int = 3
    memory_kib: int = 65536
    _hasher: PasswordHasher = field(init=False, repr=False)
    _stand_in: str | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self._hasher = PasswordHasher(time_cost=self.time_cost, memory_cost=self.memory_kib,
                                      parallelism=4)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """Whether ``password`` matches ``stored``; with no stored hash (an unknown user name,
        a user of the single sign-on only) it still spends one verify, so timing tells
        nothing."""
        if self._stand_in is None:
            self._stand_in = self.hash("no such user: the check still costs one verify")
        try:
            return self._hasher.verify(stored or self._stand_in, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False


def for_config(config) -> Passwords:
    return Passwords(config.password_time_cost, config.password_memory_kib)
