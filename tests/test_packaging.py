"""Each addon builds as an OCA-style wheel (whool): odoo-addon-<name>, installable with
pip next to an Odoo, depending on the lower addons it needs."""

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import odoo

ADDONS = Path(__file__).resolve().parent.parent / "addons"


@pytest.mark.parametrize(
    "addon", sorted(path.parent.name for path in ADDONS.glob("med_*/__manifest__.py"))
)
def test_addon_builds_as_wheel(addon, tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            tmp_path,
            ADDONS / addon,
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("*.whl")
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
