"""Packages to install; everything else is in pyproject.toml.

The review service lives in the folder ``service/`` but is installed as ``screener_service``:
a top-level package named ``service`` would clash with any other distribution's. pyproject.toml
cannot both discover packages (``find``) and rename a folder (``package-dir``), so the list is
made here: every package under ``screener/`` as found, plus the service under its own name.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[*find_namespace_packages(include=["screener", "screener.*"]),
              "screener_service"],
    package_dir={"screener_service": "service"},
)
