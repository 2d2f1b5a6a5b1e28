"""Each addon builds as an OCA-style wheel (whool): odoo-addon-<name>, installable with
pip next to an Odoo, depending on the lower addons it needs."""

import ast
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import odoo

ADDONS = Path(__file__).resolve().parent.parent / "addons"


ADDON_NAMES = sorted(path.parent.name for path in ADDONS.glob("med_*/__manifest__.py"))


@pytest.fixture(scope="module")
def wheel_dir(tmp_path_factory):
    """Every addon built once, as a company builds them to install next to its Odoo."""
    folder = tmp_path_factory.mktemp("wheels")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", folder]
        + [ADDONS / addon for addon in ADDON_NAMES],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return folder


@pytest.mark.parametrize("addon", ADDON_NAMES)
def test_addon_builds_as_wheel(addon, wheel_dir):
    (wheel,) = wheel_dir.glob(f"odoo_addon_{addon}-*.whl")
    assert wheel.name.startswith(f"odoo_addon_{addon}-18.0.")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(
            next(name for name in names if name.endswith("METADATA"))
        ).decode()
    assert f"odoo/addons/{addon}/__manifest__.py" in names
    assert "Requires-Dist: odoo==18.0.*" in metadata
    manifest = ast.literal_eval((ADDONS / addon / "__manifest__.py").read_text())
    # Odoo's own addons: inside the odoo package (nightly) or beside it (git checkout)
    package = Path(odoo.__file__).resolve().parent
    odoo_core = [package / "addons", package.parent / "addons"]
    for dependency in manifest["depends"]:
        if any((folder / dependency).is_dir() for folder in odoo_core):
            continue  # part of the odoo distribution itself
        assert f"Requires-Dist: odoo-addon-{dependency}==18.0.*" in metadata


def test_wheels_install_next_to_an_installed_odoo(wheel_dir, tmp_path):
    """The README's path for a company that runs Odoo already: pip resolves the suite's
    wheels against the Odoo 18 and the OCA addons installed here, offline, and would
    install the eight addons and nothing else."""
    report = tmp_path / "report.json"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--no-index"]
        + ["--find-links", wheel_dir, "--report", report]
        + [f"odoo-addon-{addon}" for addon in ADDON_NAMES],
        check=True,
        capture_output=True,
        timeout=300,
    )
    planned = json.loads(report.read_text())["install"]
    names = sorted(item["metadata"]["name"].replace("_", "-") for item in planned)
    assert names == sorted(
        f"odoo-addon-{addon}".replace("_", "-") for addon in ADDON_NAMES
    )
