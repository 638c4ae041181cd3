#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: lambda_package
version_added: 0.4.0
short_description: A deterministic zip package of a Python Lambda function, its pure-Python dependencies vendored
description:
  - Builds the deployment package of a Python AWS Lambda function - the function's source folder plus the installed
    files of the Python distributions it names - as a zip that depends only on the files' contents.
  - Every entry has the same time stamp (1980-01-01), the same permissions and a fixed order, and compiled files
    (C(__pycache__), C(*.pyc)) are left out; so the same sources give a byte-identical zip, its SHA-256 equals
    the C(CodeSha256) Lambda reports for it, and M(amazon.aws.lambda) reports C(changed=false) on a rerun.
  - Dependencies are copied from the Python that runs this module (on the controller, the virtualenv that
    C(make setup) pins), together with what they require in turn, so nothing is downloaded. They must be pure
    Python - a compiled extension built for this machine would not run on Lambda - and the module refuses any that
    is not.
  - The zip file is written only when its contents differ from the file already at O(dest).
  - Runs where the task runs (the controller for a play on localhost); it calls no AWS API.
author:
  - envmigrate.aws contributors (!UNKNOWN)
options:
  src:
    description:
      - The function's source folder. Every file in it goes to the root of the zip except C(requirements.txt),
        compiled files and hidden files.
    type: path
    required: true
  dest:
    description: Where the zip goes. Its folder is created when missing.
    type: path
    required: true
  requirements:
    description:
      - Names of Python distributions to vendor, for example C(pg8000). Their installed files and those of every
        distribution they require (extras excluded) are copied to the root of the zip.
      - The versions are the ones installed, which the collection pins in one place.
    type: list
    elements: str
    default: []
  exclude:
    description: Distributions not to vendor even when required, for example C(boto3), which the Lambda runtime has.
    type: list
    elements: str
    default: [boto3, botocore, s3transfer, jmespath, urllib3]
notes:
  - Check mode builds the zip in memory and reports whether O(dest) would change, without writing it.
"""

EXAMPLES = r"""
- name: Package the migration validator with pg8000
  envmigrate.aws.lambda_package:
    src: "{{ playbook_dir }}/../lambdas/migration_validator"
    dest: /tmp/envmigrate-lambdas/migration_validator.zip
    requirements: [pg8000]
  register: validator_zip

- name: Package a function with no dependencies
  envmigrate.aws.lambda_package:
    src: "{{ playbook_dir }}/../lambdas/health_check"
    dest: /tmp/envmigrate-lambdas/health_check.zip
"""

RETURN = r"""
path:
  description: The zip file.
  returned: always
  type: str
  sample: /tmp/envmigrate-lambdas/migration_validator.zip
sha256:
  description: Base64 of the zip's SHA-256, the form of Lambda's C(CodeSha256).
  returned: always
  type: str
  sample: 8SJy9P0WDSNqVvSy1Bz8sBbk9Jj2SAU5n6bZk3EEn5s=
size:
  description: The zip's size in bytes.
  returned: always
  type: int
  sample: 184512
files:
  description: The entries of the zip, in their order.
  returned: always
  type: list
  elements: str
  sample: [handler.py, pg8000/__init__.py]
vendored:
  description: The distributions copied into the zip, with their installed versions.
  returned: always
  type: dict
  sample: {"pg8000": "1.31.6", "scramp": "1.5.0"}
"""

import base64
import hashlib
import io
import os
import re
import zipfile

from ansible.module_utils.basic import AnsibleModule

try:
    from importlib import metadata
except ImportError:  # Python < 3.8 on the controller; caught in main()
    metadata = None

# The zip's entries all carry the earliest time a zip can hold, so the build time never shows.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644 << 16
SKIPPED_PARTS = ("__pycache__",)
SKIPPED_SUFFIXES = (".pyc", ".pyo")
COMPILED_SUFFIXES = (".so", ".pyd", ".dylib")


class PackageError(Exception):
    pass


def canonical(name):
    """PEP 503 normalised distribution name: pg8000, python-dateutil, ..."""
    return re.sub(r"[-_.]+", "-", name).lower()


def wanted(relative):
    parts = relative.replace(os.sep, "/").split("/")
    if any(part in SKIPPED_PARTS or part.startswith(".") for part in parts):
        return False
    return not relative.endswith(SKIPPED_SUFFIXES)


def source_files(src):
    """(name in the zip, path on disk) of the function's own files."""
    found = []
    for folder, _dirs, names in os.walk(src):
        for name in names:
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, src).replace(os.sep, "/")
            if relative != "requirements.txt" and wanted(relative):
                found.append((relative, path))
    return found


def required_names(distribution):
    """The distributions this one requires, extras and non-matching markers excluded."""
    names = []
    for requirement in distribution.requires or []:
        name, _sep, marker = requirement.partition(";")
        if "extra" in marker:
            continue
        if marker.strip() and not marker_holds(marker):
            continue
        names.append(re.match(r"\s*([A-Za-z0-9._-]+)", name).group(1))
    return names


def marker_holds(marker):
    try:
        from packaging.markers import Marker
    except ImportError:
        return True  # cannot evaluate: vendor it, which is safe for a pure-Python package
    return Marker(marker).evaluate()


def vendored_files(requirements, excluded):
    """(name in the zip, path on disk) of every file of the distributions and what they require."""
    excluded = set(canonical(name) for name in excluded)
    pending, seen, versions, found = list(requirements), set(), {}, []
    while pending:
        name = canonical(pending.pop(0))
        if name in seen or name in excluded:
            continue
        seen.add(name)
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise PackageError("the Python distribution %s is not installed where this module runs" % name) from None
        versions[distribution.metadata["Name"]] = distribution.version
        for entry in distribution.files or []:
            relative = str(entry).replace(os.sep, "/")
            # Scripts and data installed outside site-packages (../../bin/...) are not part of the import.
            if relative.startswith("..") or not wanted(relative):
                continue
            if relative.endswith(COMPILED_SUFFIXES):
                raise PackageError(
                    "%s %s is not pure Python (%s); Lambda cannot run a binary built for this machine"
                    % (name, distribution.version, relative)
                )
            found.append((relative, str(distribution.locate_file(entry))))
        pending.extend(required_names(distribution))
    return found, versions


def build_zip(entries):
    """The zip's bytes: entries sorted by name, fixed times and permissions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in sorted(dict(entries).items()):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.external_attr = FILE_MODE
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever builds it, so the attributes mean the same
            with open(path, "rb") as handle:
                archive.writestr(info, handle.read(), compresslevel=9)
    return buffer.getvalue()


def current_bytes(dest):
    try:
        with open(dest, "rb") as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def write_atomically(dest, data):
    folder = os.path.dirname(os.path.abspath(dest))
    if not os.path.isdir(folder):
        os.makedirs(folder)
    temporary = dest + ".tmp"
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, dest)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            src=dict(type="path", required=True),
            dest=dict(type="path", required=True),
            requirements=dict(type="list", elements="str", default=[]),
            exclude=dict(
                type="list", elements="str", default=["boto3", "botocore", "s3transfer", "jmespath", "urllib3"]
            ),
        ),
        supports_check_mode=True,
    )
    if metadata is None:
        module.fail_json(msg="lambda_package needs Python 3.8 or later where it runs")
    src, dest = module.params["src"], module.params["dest"]
    if not os.path.isdir(src):
        module.fail_json(msg="src %s is not a folder" % src)

    try:
        dependencies, versions = vendored_files(module.params["requirements"], module.params["exclude"])
    except PackageError as error:
        module.fail_json(msg=str(error))
    entries = source_files(src) + dependencies
    data = build_zip(entries)
    changed = current_bytes(dest) != data
    if changed and not module.check_mode:
        write_atomically(dest, data)

    module.exit_json(
        changed=changed,
        path=dest,
        sha256=base64.b64encode(hashlib.sha256(data).digest()).decode("ascii"),
        size=len(data),
        files=sorted(dict(entries)),
        vendored=versions,
    )


if __name__ == "__main__":
    main()
