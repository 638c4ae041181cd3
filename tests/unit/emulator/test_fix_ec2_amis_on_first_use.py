"""emulator/fixes/ec2_amis_on_first_use.py: Amazon's public AMIs, made when first looked at."""

from __future__ import annotations

import threading
import time

from moto.ec2.models import amis as moto_amis

from emulator.fixes.ec2_amis_on_first_use import AmisOnFirstUse


def _amazon_images(ec2) -> set[str]:
    return {image["ImageId"] for image in ec2.describe_images(Owners=["amazon"])["Images"]}


def test_the_same_amazon_images_as_plain_moto(emulator, plain_moto):
    images = _amazon_images(emulator.client("ec2"))
    assert len(images) > 100
    assert images == _amazon_images(plain_moto.client("ec2"))


def test_an_instance_starts_from_an_amazon_image_and_an_image_can_be_tagged(emulator):
    ec2 = emulator.client("ec2")
    image_id = sorted(_amazon_images(ec2))[0]
    ec2.create_tags(Resources=[image_id], Tags=[{"Key": "probe", "Value": "yes"}])
    (image,) = ec2.describe_images(ImageIds=[image_id])["Images"]
    assert {"Key": "probe", "Value": "yes"} in image["Tags"]
    (instance,) = ec2.run_instances(ImageId=image_id, MinCount=1, MaxCount=1)["Instances"]
    assert instance["ImageId"] == image_id


def _snapshots(ec2) -> list[dict]:
    return ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]


def test_plain_moto_makes_every_image_with_a_snapshot_before_the_first_request(plain_moto):
    # The cost the fix removes: a new EC2 backend has made an image and a root snapshot for each.
    assert len(_snapshots(plain_moto.client("ec2"))) > 100


def test_the_fixed_backend_makes_no_image_snapshot_until_an_image_is_looked_at(emulator):
    ec2 = emulator.client("ec2")
    assert _snapshots(ec2) == []
    assert _amazon_images(ec2)
    assert len(_snapshots(ec2)) > 100  # as moto then does (AWS would not list them as the account's)


class _Backend:
    """What moto's loader needs of a backend: an ``amis`` attribute to fill."""

    amis: object = None


def _slow_load(backend):
    for number in range(50):
        backend.amis[f"ami-{number:08x}"] = number
        time.sleep(0.001)


def test_readers_on_several_threads_all_see_the_whole_catalogue():
    backend = _Backend()
    backend.amis = AmisOnFirstUse(backend, _slow_load)
    seen: list[int] = []
    threads = [threading.Thread(target=lambda: seen.append(len(backend.amis))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [50, 50, 50, 50]
    assert backend.amis["ami-00000031"] == 49
    backend.amis["ami-registered"] = "mine"
    del backend.amis["ami-00000000"]
    assert len(backend.amis) == 50 and "ami-registered" in backend.amis


def test_moto_still_loads_through_the_method_the_fix_wraps():
    # The fix defers AmiBackend._load_amis; if moto renamed it, the fix would silently do nothing.
    assert callable(moto_amis.AmiBackend._load_amis)
