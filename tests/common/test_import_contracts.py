"""The import contracts `make lint` checks: the real tree keeps them, and a tree that breaks one fails.

The broken trees are small stand-ins for the platform's packages, each with one
deliberate violation, checked by ``lint-imports`` against the contracts in the root
pyproject.toml itself, so a contract weakened there fails here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def contracts() -> dict[str, Any]:
    settings = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    config: dict[str, Any] = settings["tool"]["importlinter"]
    return config


def contract_name(contract_id: str) -> str:
    return str(next(c["name"] for c in contracts()["contracts"] if c["id"] == contract_id))


def lint(config: Path, cwd: Path, pythonpath: Path | None = None) -> tuple[int, str]:
    env = dict(os.environ)
    if pythonpath is not None:  # the stand-ins shadow the installed packages
        env["PYTHONPATH"] = str(pythonpath)
    done = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(config)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # Contract names are wrapped to the terminal's width; compare them on one line.
    return done.returncode, " ".join((done.stdout + done.stderr).split())


# Every root package, as a stand-in with the layout of a service (or the kernel).
STAND_INS: dict[str, str] = {
    "mahaliyat/__init__.py": "",
    "mahaliyat/money.py": "import decimal\n",
    "mahaliyat/db.py": "import sqlalchemy\n",
    "mahaliyat_gateway/__init__.py": "",
    "mahaliyat_gateway/routes.py": "",
    "mahaliyat_deploy/__init__.py": "",
    # The deploy package composes every service: that is allowed.
    "mahaliyat_deploy/embedded.py": "import catalog_service.app\nimport request_service.app\n",
}
for _service in contracts()["root_packages"]:
    if _service.endswith("_service"):
        STAND_INS |= {
            f"{_service}/__init__.py": "",
            f"{_service}/app.py": f"import {_service}.api.things\nimport mahaliyat.db\n",
            f"{_service}/api/__init__.py": "",
            f"{_service}/domain/__init__.py": "",
            f"{_service}/domain/rules.py": "import decimal\nimport mahaliyat.money\n",
            f"{_service}/queries/__init__.py": "",
            f"{_service}/queries/things.py": f"import sqlalchemy\nimport {_service}.domain.rules\n",
        }
        if _service == "catalog_service":  # writes/ and reads/ where the others have services/
            STAND_INS |= {
                f"{_service}/api/things.py": f"import {_service}.writes.things\n",
                f"{_service}/writes/__init__.py": "",
                f"{_service}/writes/things.py": f"import {_service}.reads.things\n",
                f"{_service}/reads/__init__.py": "",
                f"{_service}/reads/things.py": f"import {_service}.queries.things\n",
            }
        else:
            STAND_INS |= {
                f"{_service}/api/things.py": f"import {_service}.services.things\nimport fastapi\n",
                f"{_service}/services/__init__.py": "",
                f"{_service}/services/things.py": f"import {_service}.queries.things\n",
            }


def stand_in_tree(root: Path, violation: tuple[str, str] | None) -> Path:
    """The stand-ins under ``root/src``, plus one module holding a deliberate violation."""
    src = root / "src"
    files = dict(STAND_INS)
    if violation is not None:
        path, source = violation
        files[path] = files.get(path, "") + source
    for path, source in files.items():
        (src / path).parent.mkdir(parents=True, exist_ok=True)
        (src / path).write_text(source, encoding="utf-8")
    config = root / "pyproject.toml"
    config.write_text((REPO / "pyproject.toml").read_text("utf-8"), encoding="utf-8")
    return src


def test_the_real_tree_keeps_every_contract() -> None:
    code, output = lint(REPO / "pyproject.toml", REPO)
    assert code == 0, output
    for contract in contracts()["contracts"]:
        assert f"{contract['name']} KEPT" in output


def test_the_stand_ins_keep_every_contract(tmp_path: Path) -> None:
    """Without a violation the stand-ins pass, so each failure below is its violation's."""
    src = stand_in_tree(tmp_path, None)
    code, output = lint(tmp_path / "pyproject.toml", tmp_path, src)
    assert code == 0, output


@pytest.mark.parametrize(
    ("contract_id", "path", "source"),
    [
        ("services-independent", "request_service/services/things.py", "import catalog_service\n"),
        ("services-independent", "kpi_service/app.py", "import mahaliyat_gateway.routes\n"),
        ("kernel-knows-no-service", "mahaliyat/money.py", "import identity_service\n"),
        ("only-deploy-composes", "notification_service/app.py", "import mahaliyat_deploy\n"),
        ("domain-is-pure", "request_service/domain/rules.py", "import sqlalchemy\n"),
        ("domain-is-pure", "catalog_service/domain/rules.py", "from pathlib import Path\n"),
        ("domain-is-pure", "identity_service/domain/rules.py", "import os\n"),
        # Indirectly, through a kernel module that does I/O.
        ("domain-is-pure", "licensing_service/domain/rules.py", "import mahaliyat.db\n"),
        (
            "service-layers",
            "request_service/queries/things.py",
            "import request_service.services.things\n",
        ),
        (
            "catalog-layers",
            "catalog_service/domain/rules.py",
            "import catalog_service.queries.things\n",
        ),
    ],
)
def test_a_violation_fails_the_lint(
    tmp_path: Path, contract_id: str, path: str, source: str
) -> None:
    src = stand_in_tree(tmp_path, (path, source))
    code, output = lint(tmp_path / "pyproject.toml", tmp_path, src)
    assert code != 0, output
    assert f"{contract_name(contract_id)} BROKEN" in output
