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

from airclass.services.voila_kernels import owns_kernel

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

    The websocket only carries widget comms (WIDGET_MESSAGE_TYPES), the kernel list
    stays refused, and a kernel's websocket and model answer only the hub user who opened
    the page that started it (airclass.services.voila_kernels), even to someone who
    learnt its id.
    """

    def is_authorized(self, handler, user, action, resource) -> bool:
        if isinstance(handler, KernelWebsocketHandler):
            kernel_id = getattr(handler, "kernel_id", None)
            allowed = resource == "kernels" and owns_kernel(handler, user, kernel_id)
        elif isinstance(handler, KernelHandler):
            # the page reads its own kernel's model by id (the list stays refused)
            allowed = action == "read" and owns_kernel(handler, user, handler.path_kwargs.get("kernel_id"))
        else:
            allowed = type(handler).__module__.startswith("voila.")
        if not allowed:
            self.log.warning("dashboard: refused %s %s via %s", action, resource, type(handler).__name__)
        return allowed


SERVER_CONFIG = """\
# Written by airclass (airclass/system/layout.py) for the Voila dashboard services.
from airclass.services.dashboard_server import VoilaOnlyAuthorizer, WIDGET_MESSAGE_TYPES
from airclass.services.voila_kernels import guard_voila_shutdown, owned_prelaunch_hook

guard_voila_shutdown()
c = get_config()  # noqa: F821
c.VoilaConfiguration.prelaunch_hook = owned_prelaunch_hook
c.ServerApp.kernel_manager_class = "airclass.services.voila_kernels.OwnedKernelManager"
# Idle culling of closed pages' kernels: the hub config passes the timeout on the command line.
c.MappingKernelManager.cull_connected = False
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
