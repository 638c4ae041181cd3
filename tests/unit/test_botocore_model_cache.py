"""speedups/botocore_model_cache.py: botocore's data parsed once per process, and only where it is the same data."""

from __future__ import annotations

import json
import subprocess
import sys

import boto3
import botocore.loaders
import pytest

from tests.harness.emulator import ROOT

sys.path.insert(0, str(ROOT / "speedups"))
import botocore_model_cache  # noqa: E402


@pytest.fixture(autouse=True)
def shared_loaders():
    """This process's botocore shares loaded data, as it does in the venv with the .pth file."""
    botocore_model_cache.share_loaded_data(botocore.loaders)


def _loader(session: boto3.session.Session):
    return session._session.get_component("data_loader")


def test_two_sessions_share_the_parsed_service_model():
    first, second = boto3.session.Session(), boto3.session.Session()
    model = _loader(first).load_service_model("ec2", "service-2")
    assert _loader(second).load_service_model("ec2", "service-2") is model
    # and the endpoint rules and the list of services, the other data every client creation loads
    assert _loader(second).load_data("endpoints") is _loader(first).load_data("endpoints")
    assert _loader(second).list_available_services("service-2") == _loader(first).list_available_services("service-2")


def test_clients_of_two_sessions_work_with_the_shared_model(emulator):
    for _ in range(2):
        session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
        ec2 = session.client("ec2", region_name="us-east-1", endpoint_url=emulator.endpoint)
        vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]
        assert ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"][0]["CidrBlock"] == "10.9.0.0/16"


def test_a_loader_with_other_search_paths_loads_its_own_data(tmp_path):
    # A model of the same name in a folder searched first (AWS_DATA_PATH) is another model.
    folder = tmp_path / "ec2" / "2016-11-15"
    folder.mkdir(parents=True)
    (folder / "service-2.json").write_text(json.dumps({"metadata": {"apiVersion": "2016-11-15"}, "operations": {}}))
    builtin = botocore.loaders.Loader().load_service_model("ec2", "service-2")
    custom = botocore.loaders.Loader(extra_search_paths=[str(tmp_path)]).load_service_model("ec2", "service-2")
    assert custom["operations"] == {} and builtin["operations"]


def test_a_search_path_added_after_creation_is_part_of_the_key(tmp_path):
    # boto3 appends its resource data folder to a session's loader after botocore made it.
    (tmp_path / "widgets" / "2020-01-01").mkdir(parents=True)
    (tmp_path / "widgets" / "2020-01-01" / "service-2.json").write_text(json.dumps({"operations": {}}))
    loader = botocore.loaders.Loader()
    assert "widgets" not in loader.list_available_services("service-2")
    loader.search_paths.append(str(tmp_path))
    assert "widgets" in loader.list_available_services("service-2")


def _python(code: str, **environment) -> str:
    completed = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", **environment},
    )
    return completed.stdout.strip()


def test_every_python_of_the_venv_shares_once_botocore_is_imported():
    # `make setup` installed the .pth file into this venv.
    assert _python("import botocore.loaders as l; print(getattr(l.Loader.__init__, 'shares_loaded_data', False))") == (
        "True"
    )


def test_a_python_that_does_not_use_botocore_does_not_import_it():
    assert _python("import sys; print('botocore' in sys.modules)") == "False"


def test_the_switch_turns_it_off():
    code = "import botocore.loaders as l; print(getattr(l.Loader.__init__, 'shares_loaded_data', False))"
    assert _python(code, ENVMIGRATE_BOTOCORE_MODEL_CACHE="0") == "False"
