"""Ids are trimmed and lower-cased before NativeAuthenticator looks them up."""

from airclass.hub.auth import AirclassNativeAuthenticator, clean_id


def test_clean_id():
    assert clean_id("  Cadre01 \t") == "cadre01"
    assert clean_id("cadre01") == "cadre01"


def test_authenticator_normalizes_before_lookup(monkeypatch):
    # its own table lives in the hub database; the name rule needs none
    monkeypatch.setattr(AirclassNativeAuthenticator, "add_new_table", lambda self: None)
    auth = AirclassNativeAuthenticator()
    assert auth.normalize_username("Cadre01 ") == "cadre01"
    assert auth.normalize_username(" IT-CADRE1") == "it-cadre1"
