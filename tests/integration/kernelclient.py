"""Run code in a cadre's kernel through the hub, as JupyterLab does: REST to create, websocket to execute."""

from __future__ import annotations

import asyncio
import json
import uuid

from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from tests.integration.hubclient import HubUser


def start_kernel(user: HubUser) -> str:
    reply = user.server("POST", "api/kernels", json={"name": "python3"})
    reply.raise_for_status()
    return reply.json()["id"]


async def _execute(user: HubUser, kernel_id: str, code: str, timeout: float) -> str:
    url = user.url(f"user/{user.name}/api/kernels/{kernel_id}/channels").replace("http", "ws", 1)
    request = HTTPRequest(url, headers={"Authorization": f"token {user.token}"}, request_timeout=timeout)
    conn = await websocket_connect(request)
    msg_id = uuid.uuid4().hex
    conn.write_message(
        json.dumps(
            {
                "header": {
                    "msg_id": msg_id,
                    "msg_type": "execute_request",
                    "username": user.name,
                    "session": uuid.uuid4().hex,
                    "version": "5.3",
                },
                "parent_header": {},
                "metadata": {},
                "content": {"code": code, "silent": False, "store_history": False},
                "channel": "shell",
            }
        )
    )
    output = []
    try:
        while True:
            raw = await asyncio.wait_for(conn.read_message(), timeout)
            if raw is None:
                raise ConnectionError("kernel websocket closed")
            msg = json.loads(raw)
            state = msg.get("content", {}).get("execution_state")
            if msg["msg_type"] == "status" and state in ("restarting", "dead"):
                raise ConnectionError(f"the kernel died ({state})")
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            if kind == "stream":
                output.append(msg["content"]["text"])
            elif kind == "execute_result":
                output.append(msg["content"]["data"]["text/plain"])
            elif kind == "error":
                raise AssertionError(f"{msg['content']['ename']}: {msg['content']['evalue']}")
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                return "".join(output)
    finally:
        conn.close()


def execute(user: HubUser, kernel_id: str, code: str, timeout: float = 60) -> str:
    """Text the cell printed or returned."""
    return asyncio.run(_execute(user, kernel_id, code, timeout))
