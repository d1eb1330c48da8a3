"""Initial NativeAuthenticator credentials for roster users, written into the hub database.

Roster users are pre-authorized: they need no admin approval. A user who already has
a password keeps it — importing the roster again never resets anyone's password.
"""

from __future__ import annotations

import bcrypt
from jupyterhub.orm import new_session_factory
from nativeauthenticator.orm import UserInfo
from sqlalchemy import create_engine
from sqlalchemy.orm import Session


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
