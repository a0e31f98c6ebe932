"""Shared fixtures: a small generated data set and a dbt build of it in a temporary folder.

The project is copied into the temporary folder so a test run never touches the user's
seeds/, data/ or target/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from warehouse.synthetic import generate

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PROJECT_FILES = ("dbt_project.yml", "profiles.yml")
PROJECT_FOLDERS = ("models_sql", "python_models", "macros")
SMALL_SCALE = 0.2  # one region: 5 series of three years, 600 reviews, 48 photos
# The longer reliability variant (more kill points, more requests): WAREHOUSE_LONG_TESTS=1.
LONG = os.environ.get("WAREHOUSE_LONG_TESTS") == "1"


def copy_project(destination: Path) -> Path:
    """Copy the dbt project (not its generated state) into ``destination``."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        shutil.copy2(PROJECT_ROOT / name, destination / name)
    for folder in PROJECT_FOLDERS:
        shutil.copytree(PROJECT_ROOT / folder, destination / folder, dirs_exist_ok=True)
    (destination / "seeds").mkdir(exist_ok=True)
    shutil.copy2(PROJECT_ROOT / "seeds" / "_seeds.yml", destination / "seeds" / "_seeds.yml")
    tests = destination / "tests"
    tests.mkdir(exist_ok=True)
    for singular in (PROJECT_ROOT / "tests").glob("*.sql"):
        shutil.copy2(singular, tests / singular.name)
    return destination


class Project:
    """A throwaway copy of the project with its own seeds, data folder and DuckDB file."""

    def __init__(self, root: Path) -> None:
        self.root = copy_project(root)
        self.seeds = self.root / "seeds"
        self.data = self.root / "data"
        self.db = self.data / "warehouse.duckdb"

    def generate(self, scale: float = SMALL_SCALE, seed: int = 7, drift: bool = False) -> None:
        generate(self.seeds, self.data, scale=scale, seed=seed, drift=drift)

    @property
    def mlflow_uri(self) -> str:
        return f"sqlite:///{self.data / 'mlflow.db'}"

    def env(self) -> dict[str, str]:
        """WAREHOUSE_DB and the MLflow store inside this copy, never the user's."""
        return {**os.environ, "WAREHOUSE_DB": str(self.db), "MLFLOW_TRACKING_URI": self.mlflow_uri}

    def dbt(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run dbt in a child process in this copy, as a user would, against its own file.

        A child process keeps dbt's open DuckDB handle out of the test process, so tests can
        then open the file read_only.
        """
        dbt = Path(sys.executable).with_name("dbt")
        completed = subprocess.run(
            [str(dbt), *args, "--project-dir", str(self.root), "--profiles-dir", str(self.root)],
            cwd=self.root, env=self.env(), capture_output=True, text=True,
        )
        if check and completed.returncode != 0:
            raise AssertionError(f"dbt {' '.join(args)} failed:\n{completed.stdout[-6000:]}")
        return completed

    def run_results(self) -> dict[str, dict]:
        """The last dbt command's results by node name: status and failure count."""
        results = json.loads((self.root / "target" / "run_results.json").read_text())
        return {r["unique_id"].split(".")[2]: r for r in results["results"]}


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """The project generated at a small scale and built with `dbt build` (all tests pass)."""
    project = Project(tmp_path_factory.mktemp("built"))
    project.generate()
    project.dbt("seed")
    project.dbt("build")
    yield project


@pytest.fixture()
def fresh_project(tmp_path: Path) -> Project:
    """An empty project copy for tests that bring their own (possibly broken) data."""
    return Project(tmp_path / "project")
