"""Voila kernels on the dashboard services: one per page view, owned by the hub user who opened it.

Voila starts a kernel for every page view and hands its id to the browser; jupyter_server
lets anyone who reaches the service attach to any kernel whose id they know, and shut it
down. On the dashboards a kernel holds a viewer's scoped data (a province-wide table for
a provincial manager), so:

* `OwnedKernelManager` records the hub user behind each kernel (set by the prelaunch hook
  in this request's context), caps the kernels per user (opening one more page ends that
  user's oldest), and names connection files randomly so that kernel ids never show in
  `ps` to other local accounts.
* `owns_kernel` is what the authorizer and the shutdown handler ask: the caller must be
  the kernel's owner.
* Idle culling (`MappingKernelManager.cull_idle_timeout`, `cull_interval`) is set by the
  hub config from the settings, so a closed page's kernel goes within a minute.
"""

from __future__ import annotations

import contextvars
import secrets
from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Integer
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler

from airclass.dashboards.viewer_hook import hub_username, voila_prelaunch_hook

#: The hub user whose page request is being rendered (set by `owned_prelaunch_hook`; Voila
#: calls the hook and then starts the kernel in the same request task).
PAGE_OWNER: contextvars.ContextVar[str] = contextvars.ContextVar("airclass_page_owner", default="")


def owned_prelaunch_hook(req_handler: Any, notebook: Any, cwd: str) -> Any:
    """Voila's prelaunch hook: authorize and scope the viewer, then remember who they are
    for the kernel about to start."""
    notebook = voila_prelaunch_hook(req_handler, notebook, cwd)
    PAGE_OWNER.set(hub_username(req_handler))
    return notebook


class OwnedKernelManager(AsyncMappingKernelManager):
    per_user_limit = Integer(
        3, config=True, help="Most dashboard kernels one hub user may hold; a new page ends the oldest."
    )

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._owners: dict[str, str] = {}  # kernel id -> hub user, in start order

    def owner_of(self, kernel_id: str) -> str:
        return self._owners.get(kernel_id, "") if kernel_id in self else ""

    def kernels_of(self, username: str) -> list[str]:
        return [k for k, owner in self._owners.items() if owner == username and k in self]

    def pre_start_kernel(self, kernel_name, kwargs):
        km, kernel_name, kernel_id = super().pre_start_kernel(kernel_name, kwargs)
        # The default name kernel-<id>.json is on the kernel's command line, which every
        # local account can read in `ps`: use a name unrelated to the id.
        km.connection_file = f"{self.connection_dir}/kernel-{secrets.token_hex(12)}.json"
        return km, kernel_name, kernel_id

    async def start_kernel(self, *, kernel_id: str | None = None, path: Any = None, **kwargs: Any) -> str:
        owner = PAGE_OWNER.get()
        if not owner:
            # Only Voila's page handler (after the prelaunch hook) may start kernels here.
            raise web.HTTPError(403, "kernels start only with a dashboard page")
        for old in self.kernels_of(owner)[: max(0, len(self.kernels_of(owner)) - self.per_user_limit + 1)]:
            self.log.info("dashboard: %s holds %s kernels, ending %s", owner, self.per_user_limit, old)
            await self.shutdown_kernel(old)
        self._owners = {k: o for k, o in self._owners.items() if k in self}
        new_id = await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
        self._owners[new_id] = owner
        return new_id


def owns_kernel(handler: Any, user: Any, kernel_id: str | None) -> bool:
    """True when `user` (the request's identity) started kernel `kernel_id` on this server."""
    manager = getattr(handler, "kernel_manager", None)
    name = hub_username(handler) or _user_name(user)
    if not kernel_id or not name or not isinstance(manager, OwnedKernelManager):
        return False
    return manager.owner_of(kernel_id) == name


def _user_name(user: Any) -> str:
    return str(getattr(user, "username", "") or getattr(user, "name", "") or "")


async def _owner_checked_shutdown(self, kernel_id):
    if not owns_kernel(self, self.current_user, kernel_id):
        self.log.warning("dashboard: refused shutdown of kernel %s by %s", kernel_id, self.current_user)
        raise web.HTTPError(403)
    await self.kernel_manager.shutdown_kernel(kernel_id)
    self.set_status(204)
    self.finish()


def guard_voila_shutdown() -> None:
    """Voila's `/voila/api/shutdown/<id>` checks login only (it is not routed through the
    authorizer): make it shut down the caller's own kernels only."""
    VoilaShutdownKernelHandler.post = web.authenticated(_owner_checked_shutdown)
