"""`make run` and `make test` install uv themselves on a fresh machine (PATH without uv, empty HOME).

Each test runs the real Makefile, copied into a temporary directory, with the system
Python (Debian's refuses `pip install`, PEP 668); uv comes from PyPI.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
PASSED_ON = ("PIP_", "SSL_CERT_", "REQUESTS_CA_BUNDLE", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY")

pytestmark = pytest.mark.system


def pinned_version() -> str:
    found = re.search(r"^UV_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert found, "the Makefile pins uv with UV_VERSION"
    return found.group(1)


def fresh_machine(tmp_path: Path, extra_path: tuple[str, ...] = ()) -> tuple[Path, dict[str, str]]:
    """A checkout holding only the Makefile, and the environment of a machine that never saw uv."""
    checkout = tmp_path / "checkout"
    home = tmp_path / "home"
    checkout.mkdir()
    home.mkdir()
    shutil.copy(ROOT / "Makefile", checkout / "Makefile")
    dirs = [*extra_path, *(d for d in SYSTEM_DIRS if not (Path(d) / "uv").exists())]
    env = {
        "HOME": str(home),
        "PATH": os.pathsep.join(dirs),
        "LANG": "C.UTF-8",
        **{k: v for k, v in os.environ.items() if k.upper().startswith(PASSED_ON)},
    }
    if shutil.which("make", path=env["PATH"]) is None:
        pytest.fail("make is not on the system PATH")
    return checkout, env


def system_python(env: dict[str, str]) -> str:
    """The machine's own python3 (Debian's on our machines), else this interpreter's base."""
    base: str = getattr(sys, "_base_executable", sys.executable)
    return shutil.which("python3", path=env["PATH"]) or base


def make(checkout: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def assert_uv_works(checkout: Path, env: dict[str, str]) -> None:
    uv = checkout / ".tools" / "bin" / "uv"
    version = subprocess.run(
        [str(uv), "--version"], env=env, capture_output=True, text=True, check=True, timeout=60
    )
    assert version.stdout.split()[:2] == ["uv", pinned_version()]
    # uv does real work: it makes a virtual environment with the system Python.
    venv = checkout / "probe-venv"
    subprocess.run(
        [str(uv), "venv", "--quiet", "--python", system_python(env), str(venv)],
        env=env,
        check=True,
        timeout=120,
    )
    assert (venv / "bin" / "python").exists()
    # The checkout's later targets use it, and git does not see it.
    assert f"{uv} sync" in make(checkout, env, "-n", "sync").stdout
    assert (checkout / ".tools" / ".gitignore").read_text().strip() == "*"


def test_make_uv_installs_uv_into_a_private_venv(tmp_path: Path) -> None:
    checkout, env = fresh_machine(tmp_path)
    installed = make(checkout, env, "uv", f"PYTHON={system_python(env)}")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "installing uv" in installed.stdout
    assert_uv_works(checkout, env)
    again = make(checkout, env, "uv", f"PYTHON={system_python(env)}")
    assert again.returncode == 0
    assert "installing" not in again.stdout  # the private uv is found, not reinstalled


def test_make_uv_without_ensurepip_fetches_the_wheel(tmp_path: Path) -> None:
    # A Debian Python without python3-venv: `python3 -m venv DIR` fails for want of ensurepip.
    shims = tmp_path / "shims"
    shims.mkdir()
    checkout, env = fresh_machine(tmp_path, extra_path=(str(shims),))
    real = system_python(env)
    python = shims / "python3"
    python.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "-m" ] && [ "$2" = "venv" ] && [ "$3" != "--without-pip" ]; then\n'
        '  mkdir -p "$3"; echo "ensurepip is not available" >&2; exit 1\n'
        "fi\n"
        f'exec {real} "$@"\n'
    )
    python.chmod(0o755)
    installed = make(checkout, env, "uv", f"PYTHON={python}")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "no ensurepip" in installed.stdout
    assert_uv_works(checkout, env)


def test_make_prefers_the_uv_on_path(tmp_path: Path) -> None:
    shims = tmp_path / "shims"
    shims.mkdir()
    checkout, env = fresh_machine(tmp_path, extra_path=(str(shims),))
    fake = shims / "uv"
    fake.write_text("#!/bin/sh\necho uv 0.0.0-local\n")
    fake.chmod(0o755)
    result = make(checkout, env, "uv")
    assert result.returncode == 0, result.stderr
    assert not (checkout / ".tools").exists()
    assert f"{fake} sync" in make(checkout, env, "-n", "sync").stdout


def test_make_test_installs_missing_debian_packages_or_says_which(tmp_path: Path) -> None:
    checkout, _ = fresh_machine(tmp_path)
    make_binary = shutil.which("make")
    assert make_binary is not None
    empty = tmp_path / "empty-bin"  # a PATH with neither apt-get nor sudo
    empty.mkdir()

    def packages(spec: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [make_binary, "--no-print-directory", "test-packages", f"TEST_PACKAGES={spec}"],
            cwd=checkout,
            env={"HOME": str(tmp_path), "PATH": str(empty)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    present = packages(f"{checkout / 'Makefile'}:some-package")
    assert present.returncode == 0, present.stderr
    assert present.stdout == present.stderr == ""  # nothing missing, nothing done

    missing = packages(f"no-such-command-here:zbar-tools {tmp_path / 'no-such-font.ttf'}:fonts-x")
    assert missing.returncode != 0
    assert "zbar-tools fonts-x" in missing.stderr
    assert "no apt-get" in missing.stderr
