"""Builds the wheel with resources/ inside the app package.

The repository keeps questionnaires, schemas and fonts in a top-level resources/ folder; an
installed Jurisdesk finds them in app/resources (app.paths.resource_path), so the wheel works
from any folder. Everything else is declared in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithResources(build_py):  # type: ignore[misc]
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads resources/ from the checkout itself
        shutil.copytree(
            Path(__file__).parent / "resources",
            Path(self.build_lib) / "app" / "resources",
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )


setup(cmdclass={"build_py": BuildWithResources})
