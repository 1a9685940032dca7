"""Builds the package with setuptools-rust: rust/ffi (the C ABI) compiled in release mode, its
shared library put inside the package as mesos_discovery/libmesos_discovery.abi3.so (a plain
cdylib for ctypes, no Python binding), the version read from the Cargo workspace. The rest of
the metadata is in pyproject.toml.

MESOS_DISCOVERY_PREBUILT_LIBRARY=<path of libmesos_discovery.so> packages that file instead of
compiling: scripts/release builds every artifact in one cargo run, and a cargo run for rust/ffi
alone would unify features differently and compile the dependencies a second time.
"""

import os
import shutil
import sys
from pathlib import Path

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py
from setuptools_rust import Binding, RustExtension

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
WORKSPACE = HERE.parent / "Cargo.toml"
PREBUILT = os.environ.get("MESOS_DISCOVERY_PREBUILT_LIBRARY")
# The name setuptools-rust gives a NoBinding library in an abi3 wheel.
BUNDLED_NAME = "libmesos_discovery.abi3.so"


def workspace_version() -> str:
    return tomllib.loads(WORKSPACE.read_text(encoding="utf-8"))["workspace"]["package"]["version"]


class BinaryDistribution(Distribution):
    """A native library inside: the wheel is platform-tagged, never py3-none-any."""

    def has_ext_modules(self) -> bool:
        return True


class BuildWithPrebuiltLibrary(build_py):
    """Puts the prebuilt library where setuptools-rust would have put the one it compiles."""

    def run(self) -> None:
        super().run()
        source = Path(PREBUILT)
        if not source.is_file():
            sys.exit(f"MESOS_DISCOVERY_PREBUILT_LIBRARY: no such file: {source}")
        shutil.copyfile(source, Path(self.build_lib) / "mesos_discovery" / BUNDLED_NAME)


if PREBUILT:
    native = {"distclass": BinaryDistribution, "cmdclass": {"build_py": BuildWithPrebuiltLibrary}}
else:
    native = {
        "rust_extensions": [
            RustExtension(
                "mesos_discovery.libmesos_discovery",
                path=str(HERE.parent / "rust" / "ffi" / "Cargo.toml"),
                binding=Binding.NoBinding,
                args=["--locked"],
            )
        ]
    }

setup(version=workspace_version(), **native)
