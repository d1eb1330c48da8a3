"""A person in front of the hub, over HTTP: log in with the form, then act with their own token."""

from __future__ import annotations

import time
from urllib.parse import urljoin

import requests


def _utf8(response: requests.Response, *args, **kwargs) -> None:
    response.encoding = "utf-8"


class HubUser:
    def __init__(self, base_url: str, name: str):
        self.base = base_url.rstrip("/") + "/"
        self.name = name
        self.web = requests.Session()
        # Hub pages say text/html without a charset; they are UTF-8.
        self.web.hooks["response"].append(_utf8)
        self.token: str | None = None

    def url(self, path: str) -> str:
        return urljoin(self.base, path.lstrip("/"))

    def login(self, password: str) -> requests.Response:
        """Submit the login form the way a browser does (XSRF cookie and field)."""
        self.web.get(self.url("hub/login"), timeout=30)
        xsrf = self.web.cookies.get("_xsrf", path="/hub/")
        return self.web.post(
            self.url("hub/login"),
            data={"username": self.name, "password": password, "_xsrf": xsrf},
            allow_redirects=False,
            timeout=60,
        )

    def logged_in(self) -> bool:
        reply = self.web.get(self.url("hub/home"), allow_redirects=False, timeout=30)
        return reply.status_code == 200

    def make_token(self) -> str:
        """Ask the hub for an API token of one's own, authenticated by the login cookie."""
        xsrf = self.web.cookies.get("_xsrf", path="/hub/")
        reply = self.web.post(
            self.url(f"hub/api/users/{self.name}/tokens"),
            json={"note": "integration test", "expires_in": 3600},
            headers={"X-XSRFToken": xsrf, "Referer": self.url("hub/home")},
            timeout=30,
        )
        reply.raise_for_status()
        self.token = reply.json()["token"]
        return self.token

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        headers["Authorization"] = f"token {self.token}"
        return requests.request(method, self.url(path), headers=headers, timeout=120, **kwargs)

    def start_server(self, timeout: float = 180) -> None:
        reply = self.api("POST", f"hub/api/users/{self.name}/server")
        if reply.status_code not in (201, 202, 400):  # 400: already running
            raise AssertionError(f"spawn failed: {reply.status_code} {reply.text}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.api("GET", f"hub/api/users/{self.name}").json()
            server = model.get("servers", {}).get("", {})
            if server.get("ready"):
                return
            if not model.get("pending") and not server:
                raise AssertionError(f"server of {self.name} stopped while starting: {model}")
            time.sleep(1)
        raise AssertionError(f"server of {self.name} not ready after {timeout} s")

    def stop_server(self) -> None:
        self.api("DELETE", f"hub/api/users/{self.name}/server")

    def server(self, method: str, path: str, **kwargs) -> requests.Response:
        """Call one's own single-user server with one's own token."""
        return self.api(method, f"user/{self.name}/{path.lstrip('/')}", **kwargs)

    def browse(self, path: str) -> requests.Response:
        """GET a page with the login cookie, following OAuth redirects like a browser."""
        return self.web.get(self.url(path), timeout=120)
