"""Every kernel started from the project's kernelspec gets Unix sockets of its own.

Shown on jupyter_client's own KernelManager (what papermill, nbval, nbconvert and JupyterLab
use) up to the written connection file, without starting a kernel: the installed `python3`
kernelspec names the provisioner, which puts the sockets in a new folder only this user can
enter, and removes it when the kernel is cleaned up. (tests/stress/kernel_starts.py starts
hundreds of kernels at once through every client.)
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

from ccp_analysis.pipeline import kernelspec
from ccp_analysis.pipeline.provisioner import NAME, PrivateSocketProvisioner


def test_the_installed_python3_kernelspec_names_the_provisioner():
    assert kernelspec.installed(), (
        f"{kernelspec.spec_file()} does not name the provisioner: run `make .venv/.installed` "
        "or `.venv/bin/python -m ccp_analysis.pipeline.kernelspec`")
    km = AsyncKernelManager(kernel_name="python3")
    assert km.kernel_spec.resource_dir == str(kernelspec.spec_file().parent)
    assert km.kernel_spec.metadata["kernel_provisioner"]["provisioner_name"] == NAME
    # Otherwise ipykernel's own spec: the notebooks' metadata records the same names.
    assert km.kernel_spec.display_name == "Python 3 (ipykernel)"
    assert km.kernel_spec.argv[:3] == ["python", "-m", "ipykernel_launcher"]


def test_two_managers_get_private_socket_folders_that_go_with_the_kernel(tmp_path):
    async def prepare() -> list[tuple[AsyncKernelManager, dict]]:
        managers = [AsyncKernelManager(kernel_name="python3",
                                       connection_file=str(tmp_path / f"k{n}.json"))
                    for n in range(2)]
        return [(km, (await km.pre_start_kernel())[1]) for km in managers]

    prepared = asyncio.run(prepare())
    folders = []
    for km, _ in prepared:
        assert isinstance(km.provisioner, PrivateSocketProvisioner)
        info = json.loads(Path(km.connection_file).read_text(encoding="utf-8"))
        assert info["transport"] == "ipc"
        folder = Path(info["ip"]).parent
        assert folder == Path(km.provisioner.socket_dir)
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert folder.stat().st_uid == os.getuid()
        folders.append(folder)
    assert folders[0] != folders[1]

    async def cleanup() -> None:
        for km, _ in prepared:
            await km.cleanup_resources()

    asyncio.run(cleanup())
    assert not any(folder.exists() for folder in folders)
