"""NativeAuthenticator with its bcrypt check off the hub's event loop.

NativeAuthenticator checks the password with bcrypt (~0.25 s of CPU) inside the hub's
single event loop: when a class logs in at once, every page, API call and proxy update of
the whole hub waits behind the queue of password checks. Here the hash comparison runs in
a worker thread (bcrypt releases the GIL); the database reads and the lockout bookkeeping
stay on the event loop, where the hub's database session lives.

Ids are also trimmed and lower-cased: a cadre typing "Cadre01 " (a trailing space from a
copied roster, a capital from a phone keyboard) means cadre01; without this it counted as
a failed login towards the lockout.
"""

from __future__ import annotations

import asyncio

import bcrypt
from nativeauthenticator import NativeAuthenticator


def password_matches(password: str, stored_hash: bytes) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), stored_hash)
    except ValueError:  # no or malformed hash (an account that never set a password)
        return False


def clean_id(username: str) -> str:
    return username.strip().lower()


class AirclassNativeAuthenticator(NativeAuthenticator):
    def normalize_username(self, username: str) -> str:
        return super().normalize_username(clean_id(username))

    async def authenticate(self, handler, data):
        username = self.normalize_username(data["username"])
        user = self.get_user(username)
        if not user:
            return None
        if self.allowed_failed_logins and self.is_blocked(username):
            return None
        stored_hash = user.password
        matches = await asyncio.to_thread(password_matches, data["password"], stored_hash)
        checks = [user.is_authorized, matches]
        if user.has_2fa:
            checks.append(user.is_valid_token(data.get("2fa")))
        if all(checks):
            self.successful_login(username)
            return username
        self.add_login_attempt(username)
        return None
