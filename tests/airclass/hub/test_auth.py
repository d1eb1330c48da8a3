"""The password check runs beside the hub's event loop, with NativeAuthenticator's rules kept."""

import asyncio

import bcrypt
from nativeauthenticator.orm import UserInfo
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from airclass.hub.auth import AirclassNativeAuthenticator, clean_id


def make_authenticator():
    engine = create_engine("sqlite://")
    db = sessionmaker(bind=engine)()
    auth = AirclassNativeAuthenticator(db=db, allowed_failed_logins=2, seconds_before_next_try=600)
    db.add(
        UserInfo(
            username="jn0001", password=bcrypt.hashpw(b"right-pass-1", bcrypt.gensalt()), is_authorized=True
        )
    )
    db.add(
        UserInfo(
            username="jn0002", password=bcrypt.hashpw(b"right-pass-2", bcrypt.gensalt()), is_authorized=False
        )
    )
    db.commit()
    return auth


def login(auth, name, password):
    return asyncio.run(auth.authenticate(None, {"username": name, "password": password}))


def test_right_wrong_unauthorized_and_lockout():
    auth = make_authenticator()
    assert login(auth, "jn0001", "right-pass-1") == "jn0001"
    assert login(auth, "jn0001", "wrong") is None
    assert login(auth, "jn0002", "right-pass-2") is None, "not authorized yet"
    assert login(auth, "nobody", "x") is None
    assert login(auth, "jn0001", "wrong") is None  # second failure: locked out now
    assert login(auth, "jn0001", "right-pass-1") is None, "lockout holds even with the right password"


def test_event_loop_keeps_running_during_password_checks():
    auth = make_authenticator()

    async def scenario():
        ticks = 0
        done = asyncio.Event()

        async def heartbeat():
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0)

        beat = asyncio.create_task(heartbeat())
        results = await asyncio.gather(
            *(auth.authenticate(None, {"username": "jn0001", "password": "right-pass-1"}) for _ in range(4))
        )
        done.set()
        await beat
        return results, ticks

    results, ticks = asyncio.run(scenario())
    assert results == ["jn0001"] * 4
    # A blocking check would leave the loop no turn until all four hashes were done.
    assert ticks > 100


def test_clean_id():
    assert clean_id("  Cadre01 \t") == "cadre01"
    assert clean_id("cadre01") == "cadre01"


def test_authenticator_normalizes_before_lookup(monkeypatch):
    # its own table lives in the hub database; the name rule needs none
    monkeypatch.setattr(AirclassNativeAuthenticator, "add_new_table", lambda self: None)
    auth = AirclassNativeAuthenticator()
    assert auth.normalize_username("Cadre01 ") == "cadre01"
    assert auth.normalize_username(" IT-CADRE1") == "it-cadre1"
