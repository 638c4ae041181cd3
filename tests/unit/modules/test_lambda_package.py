"""envmigrate.aws.lambda_package: deterministic zips of a function's folder and its vendored dependencies."""

from __future__ import annotations

import base64
import hashlib
import os
import zipfile

import pytest

from tests.harness.module import run_local_module


def run(args: dict, check_mode: bool = False) -> dict:
    return run_local_module("lambda_package", args, check_mode=check_mode)


@pytest.fixture
def source(tmp_path):
    folder = tmp_path / "function"
    (folder / "helpers").mkdir(parents=True)
    (folder / "handler.py").write_text("def handler(event, context):\n    return event\n")
    (folder / "helpers" / "util.py").write_text("X = 1\n")
    (folder / "requirements.txt").write_text("pg8000\n")
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "handler.cpython-311.pyc").write_bytes(b"compiled")
    (folder / ".hidden").write_text("no")
    return folder


def test_the_zip_holds_the_sources_without_compiled_hidden_or_requirements_files(source, tmp_path):
    dest = tmp_path / "out" / "f.zip"
    result = run({"src": str(source), "dest": str(dest)})
    assert result["changed"] is True and result["failed"] is False
    with zipfile.ZipFile(dest) as archive:
        assert archive.namelist() == ["handler.py", "helpers/util.py"]
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())
        assert all(info.external_attr >> 16 == 0o644 for info in archive.infolist())
    data = dest.read_bytes()
    assert result["sha256"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert result["size"] == len(data)


def test_a_rebuild_is_byte_identical_and_unchanged_even_after_the_files_are_touched(source, tmp_path):
    dest = tmp_path / "f.zip"
    first = run({"src": str(source), "dest": str(dest), "requirements": ["pg8000"]})
    before = dest.read_bytes()
    for path in source.rglob("*.py"):
        os.utime(path, (1_900_000_000, 1_900_000_000))
    second = run({"src": str(source), "dest": str(dest), "requirements": ["pg8000"]})
    assert second["changed"] is False
    assert second["sha256"] == first["sha256"] and dest.read_bytes() == before


def test_a_changed_source_changes_the_zip(source, tmp_path):
    dest = tmp_path / "f.zip"
    first = run({"src": str(source), "dest": str(dest)})
    (source / "handler.py").write_text("def handler(event, context):\n    return 2\n")
    second = run({"src": str(source), "dest": str(dest)})
    assert second["changed"] is True and second["sha256"] != first["sha256"]


def test_dependencies_are_vendored_with_what_they_require(source, tmp_path):
    dest = tmp_path / "f.zip"
    result = run({"src": str(source), "dest": str(dest), "requirements": ["pg8000"]})
    assert set(result["vendored"]) >= {"pg8000", "scramp", "asn1crypto"}
    with zipfile.ZipFile(dest) as archive:
        names = archive.namelist()
    assert "pg8000/__init__.py" in names and "scramp/__init__.py" in names
    assert not any(name.endswith(".pyc") or name.startswith("..") for name in names)


def test_excluded_distributions_are_left_to_the_runtime(source, tmp_path):
    result = run({"src": str(source), "dest": str(tmp_path / "f.zip"), "requirements": ["boto3"]})
    assert result["vendored"] == {}


def test_check_mode_reports_the_change_without_writing(source, tmp_path):
    dest = tmp_path / "f.zip"
    result = run({"src": str(source), "dest": str(dest)}, check_mode=True)
    assert result["changed"] is True and not dest.exists()


def test_a_missing_distribution_or_folder_is_refused(source, tmp_path):
    missing = run({"src": str(source), "dest": str(tmp_path / "f.zip"), "requirements": ["no-such-dist-xyz"]})
    assert missing["failed"] is True and "no-such-dist-xyz is not installed" in missing["msg"]
    folder = run({"src": str(tmp_path / "nowhere"), "dest": str(tmp_path / "f.zip")})
    assert folder["failed"] is True and "is not a folder" in folder["msg"]
    assert not (tmp_path / "f.zip").exists()


def test_a_compiled_extension_is_refused(source, tmp_path):
    # PyYAML ships a compiled extension (_yaml) beside its pure-Python code on this platform.
    result = run({"src": str(source), "dest": str(tmp_path / "f.zip"), "requirements": ["PyYAML"]})
    assert result["failed"] is True and "is not pure Python" in result["msg"]
