"""The file-size rule of docs/CONVENTIONS.md: a source file over 400 lines has two jobs.

Migrations and seed data aside. Tests and benchmarks are not source.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MAX_LINES = 400
SOURCE_ROOTS = ("common/src", "gateway/src", "deploy/src", "*-service/src")


def source_files() -> list[Path]:
    files = []
    for pattern in SOURCE_ROOTS:
        for root in sorted(REPO.glob(pattern)):
            for path in sorted(root.rglob("*.py")):
                parts = path.relative_to(root).parts
                if "seed" in parts or ("migrations" in parts and "versions" in parts):
                    continue
                files.append(path)
    return files


def line_count(path: Path) -> int:
    return len(path.read_text("utf-8").splitlines())


def test_the_rule_sees_the_source() -> None:
    files = {p.relative_to(REPO).as_posix() for p in source_files()}
    assert "common/src/mahaliyat/runtime.py" in files
    assert "request-service/src/request_service/domain/workflow.py" in files
    assert not any("/migrations/versions/" in f or "/seed/" in f for f in files)


def test_no_source_file_is_over_400_lines() -> None:
    too_long = {
        p.relative_to(REPO).as_posix(): line_count(p)
        for p in source_files()
        if line_count(p) > MAX_LINES
    }
    assert not too_long, "split along their seams: " + ", ".join(
        f"{path} ({lines} lines)" for path, lines in sorted(too_long.items())
    )
