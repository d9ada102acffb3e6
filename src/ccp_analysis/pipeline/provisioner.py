"""Kernels on private sockets, whoever starts them: a jupyter_client kernel provisioner.

The project's `python3` kernelspec (kernelspec.py installs it) names this provisioner in its
metadata (`kernel_provisioner`), so every client that starts a kernel from it (the build and
the gate, papermill's command line, nbval, nbconvert, JupyterLab) gets one through
`PrivateSocketProvisioner`. It is jupyter_client's own LocalProvisioner with one change made in
`pre_launch`, before the connection file is written: the kernel manager's transport becomes
`ipc` (ZeroMQ over Unix domain sockets) at paths inside a folder made for that kernel alone
(mkdtemp: mode 0700, a name no other process can get).

Why: over TCP, jupyter_client picks five free ports, closes them and writes them into the
connection file for the kernel to bind; another process starting a kernel at the same moment
can pick and bind the same ports in between, and one of the two kernels never starts. A path in
a folder of one's own cannot be taken by anyone else, so no lock is needed, however many
clients start kernels at once. The sockets are not reachable from the network either (ipykernel
warns that a TCP kernel without encryption can be eavesdropped; over ipc it does not).

Where Unix sockets do not exist (Windows) the provisioner changes nothing: LocalProvisioner's
TCP start, as before. A manager already configured for ipc (the build's RunKernelManager, which
names its own folder) keeps its configuration.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

from jupyter_client.provisioning import LocalProvisioner
from traitlets import Unicode

NAME = "ccp-private-sockets"  # the entry point (pyproject.toml) the kernelspec names
PREFIX = "ccp-k-"  # short: a Unix socket path is limited to about 100 bytes


def private_sockets_supported() -> bool:
    return os.name == "posix"


class PrivateSocketProvisioner(LocalProvisioner):
    """LocalProvisioner whose kernel listens on Unix sockets in a folder of its own."""

    socket_dir = Unicode("", help="the kernel's private socket folder ('' until launched)")

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        km = self.parent
        if km is not None and km.transport == "tcp" and private_sockets_supported():
            if not self.socket_dir:  # a restart keeps the folder (and the connection file)
                self.socket_dir = tempfile.mkdtemp(prefix=PREFIX)
            km.transport = "ipc"
            # The kernel binds <ip>-<port> for each of its five sockets.
            km.ip = os.path.join(self.socket_dir, "kernel")
            # LocalPortCache reserves TCP ports; nothing to reserve for paths.
            km.cache_ports = False
        return await super().pre_launch(**kwargs)

    async def cleanup(self, restart: bool = False) -> None:
        await super().cleanup(restart)
        if not restart and self.socket_dir:
            shutil.rmtree(self.socket_dir, ignore_errors=True)
            self.socket_dir = ""
