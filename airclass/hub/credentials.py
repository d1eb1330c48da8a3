"""Initial NativeAuthenticator credentials for roster users, written into the hub database.

Roster users are pre-authorized: they need no admin approval. A user who already has
a password keeps it — importing the roster again never resets anyone's password. A user
without one can sign up only with a one-time activation code (airclass.hub.auth).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import bcrypt
from jupyterhub.orm import new_session_factory
from nativeauthenticator.orm import UserInfo
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from airclass.hub.auth import ACTIVATION_TABLE, CREATE_ACTIVATION_TABLE


def ensure_credentials(db_url: str, passwords: dict[str, str], authorize: list[str]) -> list[str]:
    """Create users_info rows for users in `passwords` that have none; authorize `authorize`.

    Returns the user names that got a new password.
    """
    # Let JupyterHub create (and version-stamp) its own schema first: a database holding
    # only users_info would look to the hub like an ancient one needing upgrade-db.
    new_session_factory(db_url)
    engine = create_engine(db_url)
    UserInfo.__table__.create(engine, checkfirst=True)
    created: list[str] = []
    with Session(engine) as db:
        existing = {u.username: u for u in db.query(UserInfo).all()}
        for name in authorize:
            if name in existing and not existing[name].is_authorized:
                existing[name].is_authorized = True
        for name, password in passwords.items():
            if name in existing:
                continue
            hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt())
            db.add(UserInfo(username=name, password=hashed, is_authorized=True))
            created.append(name)
        db.commit()
    engine.dispose()
    return created


def issue_activation_codes(db_url: str, names: list[str]) -> dict[str, str]:
    """A fresh one-time activation code for each of `names` that has no password yet
    (replacing an earlier code); returns name -> code. Only bcrypt hashes are stored."""
    new_session_factory(db_url)
    engine = create_engine(db_url)
    UserInfo.__table__.create(engine, checkfirst=True)
    codes: dict[str, str] = {}
    with Session(engine) as db:
        db.execute(text(CREATE_ACTIVATION_TABLE))
        has_password = {u.username for u in db.query(UserInfo).all()}
        now = datetime.now(UTC).isoformat()
        for name in names:
            if name in has_password:
                continue
            code = "-".join(secrets.token_hex(2).upper() for _ in range(3))
            hashed = bcrypt.hashpw(code.encode(), bcrypt.gensalt())
            db.execute(text(f"DELETE FROM {ACTIVATION_TABLE} WHERE username = :u"), {"u": name})
            db.execute(
                text(f"INSERT INTO {ACTIVATION_TABLE} (username, code_hash, created) VALUES (:u, :h, :c)"),
                {"u": name, "h": hashed.decode("ascii"), "c": now},  # bcrypt hashes are ASCII
            )
            codes[name] = code
        db.commit()
    engine.dispose()
    return codes
