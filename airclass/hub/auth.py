"""The hub's authenticator: NativeAuthenticator with ids trimmed and lower-cased.

A cadre typing "Cadre01 " (a trailing space from a copied roster, a capital from a phone
keyboard) means cadre01; without this it counted as a failed login towards the lockout.
"""

from __future__ import annotations

from nativeauthenticator import NativeAuthenticator


def clean_id(username: str) -> str:
    return username.strip().lower()


class AirclassNativeAuthenticator(NativeAuthenticator):
    def normalize_username(self, username: str) -> str:
        return super().normalize_username(clean_id(username))
