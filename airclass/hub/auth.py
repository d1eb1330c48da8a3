"""NativeAuthenticator as airclass needs it: activation codes for sign-up, lockout per address.

* Sign-up. Roster members are pre-authorised, so NativeAuthenticator would let anyone
  claim a roster id that has no password yet. Here a roster member without a password
  signs up only with the one-time activation code `roster import --passwords-out` issued
  for that id (stored as a bcrypt hash in the hub database, `activation_codes` table);
  the code is used up when the password is set.
* Lockout. NativeAuthenticator locks a *user name* after failed logins from anywhere, so
  one attacker could lock out a trainer or manager. Here failures are counted per user
  name *and client address*: an attacker's failures lock the attacker's address out of
  that account, not the staff member sitting elsewhere. Each address is also limited in
  failed logins across all names (`failed_logins_per_address` per
  `seconds_before_next_try`), against password spraying.
  The client address is the last X-Forwarded-For hop added by our proxy (not X-Real-Ip,
  which a client can send itself); `trusted_proxies` names further proxies in front.
* Passwords: the bcrypt check runs off the hub's event loop (`AirclassNativeAuthenticator`):
  when a class logs in at once, the hub keeps answering while the checks queue in threads.
* Ids are trimmed and lower-cased: a cadre typing "Cadre01 " (a trailing space from a
  copied roster, a capital from a phone keyboard) means cadre01; without this it counted
  as a failed login towards the lockout.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
from typing import Any

import bcrypt
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.handlers import SignUpHandler
from sqlalchemy import text
from traitlets import Integer, List, Unicode

ACTIVATION_TABLE = "activation_codes"
_ADDRESS: contextvars.ContextVar[str] = contextvars.ContextVar("airclass_login_address", default="")
#: the roster id whose activation code this sign-up request presented
_ACTIVATING: contextvars.ContextVar[str] = contextvars.ContextVar("airclass_activating", default="")

CREATE_ACTIVATION_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {ACTIVATION_TABLE} "
    "(username VARCHAR(255) PRIMARY KEY, code_hash VARCHAR(100) NOT NULL, created VARCHAR(40) NOT NULL)"
)


def client_address(request: Any, trusted_proxies: list[str]) -> str:
    """The address our proxy saw the request come from (rightmost X-Forwarded-For entry
    not in `trusted_proxies`), else the socket peer."""
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted_proxies:
            return hop
    # tornado's remote_ip may come from X-Real-Ip (client-controlled); use the socket peer
    context = getattr(getattr(request, "connection", None), "context", None)
    peer = getattr(context, "address", None)
    return str(peer[0]) if isinstance(peer, tuple) and peer else str(request.remote_ip)


def activation_code_matches(db: Any, username: str, code: str) -> bool:
    db.execute(text(CREATE_ACTIVATION_TABLE))
    row = db.execute(
        text(f"SELECT code_hash FROM {ACTIVATION_TABLE} WHERE username = :u"), {"u": username}
    ).fetchone()
    if row is None or not code:
        return False
    stored = row[0] if isinstance(row[0], bytes) else str(row[0]).encode()
    return bcrypt.checkpw(code.strip().encode(), stored)


def use_up_activation_code(db: Any, username: str) -> None:
    db.execute(text(f"DELETE FROM {ACTIVATION_TABLE} WHERE username = :u"), {"u": username})
    db.commit()


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


class ActivationSignUpHandler(SignUpHandler):
    """/hub/signup: a roster id without a password needs its activation code."""

    async def post(self):
        username = self.authenticator.normalize_username(self.get_body_argument("username", "", strip=True))
        code = self.get_body_argument("activation_code", "", strip=True)
        if not activation_code_matches(self.db, username, code):
            self.authenticator.log.warning("sign-up for %r refused: no valid activation code", username)
            html = await self.render_template(
                "signup.html",
                ask_email=self.authenticator.ask_email_on_signup,
                two_factor_auth=self.authenticator.allow_2fa,
                recaptcha_key=self.authenticator.recaptcha_key,
                tos=self.authenticator.tos,
                alert="alert-danger",
                airclass_error="学员编号或激活码不正确，或激活码已使用。请向培训管理员索取激活码。",
            )
            self.set_status(403)
            return self.finish(html)
        token = _ACTIVATING.set(username)
        try:
            await super().post()
        finally:
            _ACTIVATING.reset(token)
        if self.authenticator.user_exists(username):
            use_up_activation_code(self.db, username)

    def get_result_message(self, user, *args):
        alert, message = super().get_result_message(user, *args)
        # NativeAuthenticator says "sent to the admin" unless sign-up is open; an activated
        # roster member is authorised and can log in now.
        if user is not None and user.is_authorized and alert == "alert-info":
            return "alert-success", message
        return alert, message


class AirclassAuthenticator(AirclassNativeAuthenticator):
    failed_logins_per_address = Integer(
        30, config=True, help="Failed logins one client address may make (any names) per lockout period."
    )
    trusted_proxies = List(Unicode(), config=True, help="Proxy addresses in front of ours (X-Forwarded-For).")

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._address_failures: dict[str, list[dt.datetime]] = {}

    def get_handlers(self, app):
        return [
            (url, ActivationSignUpHandler if handler is SignUpHandler else handler)
            for url, handler in super().get_handlers(app)
        ]

    def create_user(self, username, password, **kwargs):
        user = super().create_user(username, password, **kwargs)
        # A valid activation code proves roster membership, also for people added to the
        # roster while the hub runs (not yet in allowed_users).
        if user is not None and not user.is_authorized and _ACTIVATING.get() == user.username:
            user.is_authorized = True
            self.db.commit()
        return user

    # NativeAuthenticator keys its lockout by the name it is given: make the key name + address.
    def _key(self, username: str) -> str:
        return f"{username}\n{_ADDRESS.get()}"

    def add_login_attempt(self, username):
        super().add_login_attempt(self._key(username))

    def is_blocked(self, username):
        return super().is_blocked(self._key(username))

    def successful_login(self, username):
        super().successful_login(self._key(username))

    def _recent_failures(self, address: str) -> list[dt.datetime]:
        since = dt.datetime.now() - dt.timedelta(seconds=self.seconds_before_next_try)
        recent = [t for t in self._address_failures.get(address, []) if t > since]
        self._address_failures[address] = recent
        return recent

    async def authenticate(self, handler, data):
        address = client_address(handler.request, self.trusted_proxies) if handler is not None else ""
        if (
            self.allowed_failed_logins
            and len(self._recent_failures(address)) >= self.failed_logins_per_address
        ):
            self.log.warning("login refused: %s made too many failed logins", address)
            return None
        token = _ADDRESS.set(address)
        try:
            result = await super().authenticate(handler, data)
        finally:
            _ADDRESS.reset(token)
        if result is None:
            self._address_failures.setdefault(address, []).append(dt.datetime.now())
        return result
