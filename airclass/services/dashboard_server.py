"""How the Voila dashboard services are locked down.

The dashboard account can read every course's gradebook, so a visitor must get the
rendered page and its widgets — nothing else: no JupyterLab, no terminals, no contents
API, and no code execution. The row-level scope (a city manager's city) is decided in
airclass.dashboards.viewer's prelaunch hook on the server, from the hub identity.
"""

from __future__ import annotations

from jupyter_server.auth.authorizer import Authorizer
from jupyter_server.services.kernels.handlers import KernelHandler
from jupyter_server.services.kernels.websocket import KernelWebsocketHandler

# The browser side of a Voila page only needs widget comms. Voila executes the notebook
# itself, server-side, so execute_request from a browser is never legitimate here.
WIDGET_MESSAGE_TYPES = [
    "comm_open",
    "comm_msg",
    "comm_close",
    "comm_info_request",
    "kernel_info_request",
]


class VoilaOnlyAuthorizer(Authorizer):
    """Allow Voila's pages and the kernel websocket its widgets use; refuse the rest.

    The websocket only carries widget comms (WIDGET_MESSAGE_TYPES), and the kernel list
    stays refused, so a visitor cannot learn other kernels' ids: each page reaches only
    the kernel Voila started for it.
    """

    def is_authorized(self, handler, user, action, resource) -> bool:
        allowed = (
            type(handler).__module__.startswith("voila.")
            or (isinstance(handler, KernelWebsocketHandler) and resource == "kernels")
            # the page reads its own kernel's model by id (the list stays refused)
            or (isinstance(handler, KernelHandler) and action == "read")
        )
        if not allowed:
            self.log.warning("dashboard: refused %s %s via %s", action, resource, type(handler).__name__)
        return allowed


SERVER_CONFIG = """\
# Written by airclass (airclass/system/layout.py) for the Voila dashboard services.
from airclass.services.dashboard_server import VoilaOnlyAuthorizer, WIDGET_MESSAGE_TYPES
from airclass.dashboards.viewer import voila_prelaunch_hook

c = get_config()  # noqa: F821
c.VoilaConfiguration.prelaunch_hook = voila_prelaunch_hook
c.VoilaConfiguration.show_tracebacks = False
c.ServerApp.authorizer_class = VoilaOnlyAuthorizer
c.ServerApp.terminals_enabled = False
c.MappingKernelManager.allowed_message_types = WIDGET_MESSAGE_TYPES
c.ServerApp.jpserver_extensions = {
    "voila": True,
    "jupyterlab": False,
    "notebook": False,
    "notebook_shim": False,
    "jupyter_lsp": False,
    "jupyter_server_terminals": False,
    "nbgrader.server_extensions.assignment_list": False,
    "nbgrader.server_extensions.course_list": False,
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.validate_assignment": False,
}
"""
