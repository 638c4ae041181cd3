"""One parse of botocore's data files per Python process, shared by every boto3 session in it.

Why: every amazon.aws, community.aws and envmigrate.aws module makes a new boto3 session, and
each new session's loader parses botocore's JSON data again (the service model, the endpoint
rules, the list of services). Against the emulator that was most of a module's time: 0.37 of
0.43 s for one ``amazon.aws.ec2_vpc_net_info`` call. Under Mitogen (ansible.cfg, strategy_plugins/)
the tasks of a host run one after the other in one long-lived interpreter, so with the data parsed
once per process a module call costs about 0.06 s there instead.

How: botocore's ``Loader`` already caches what it loads, per loader (``instance_cache`` keeps it in
``self._cache``); here each loader's ``_cache`` is a view on one dict of the process, whose keys
also hold the loader's search paths and extras types (what decides what a load returns). botocore
shares a loaded model between all the clients of a session and never changes it after loading;
sharing it between sessions keeps that contract.

``make setup`` installs this into .venv as a ``.pth`` file (``python speedups/botocore_model_cache.py
--install``). The patch is applied when something imports ``botocore.loaders``, so a Python of the
venv that never uses botocore pays nothing. ``ENVMIGRATE_BOTOCORE_MODEL_CACHE=0`` turns it off;
``benchmarks/site_speed.py`` measures site.yml with and without it.
"""

from __future__ import annotations

# Only what Python's start-up imports anyway: the .pth file imports this in every Python of the venv.
import functools
import importlib.machinery
import os
import sys

PTH_NAME = "envmigrate-botocore-model-cache.pth"
SWITCH = "ENVMIGRATE_BOTOCORE_MODEL_CACHE"

# What every loader of this process has loaded: (search paths, extras types, botocore's key) -> data.
_LOADED: dict = {}


class SharedCache:
    """Stands in for a loader's ``_cache`` dict: the operations botocore's ``instance_cache`` uses."""

    __slots__ = ("_loader",)

    def __init__(self, loader):
        self._loader = loader

    def _key(self, key):
        # Read at each lookup: boto3 appends its own data path to a session's loader after creating it.
        return (tuple(self._loader.search_paths), tuple(self._loader.extras_types), key)

    def __contains__(self, key):
        return self._key(key) in _LOADED

    def __getitem__(self, key):
        return _LOADED[self._key(key)]

    def __setitem__(self, key, value):
        _LOADED[self._key(key)] = value


def share_loaded_data(loaders) -> None:
    """Make every ``loaders.Loader`` created from now on use the process-wide cache (once)."""
    original = loaders.Loader.__init__
    if getattr(original, "shares_loaded_data", False):
        return

    @functools.wraps(original)
    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self._cache = SharedCache(self)

    __init__.shares_loaded_data = True
    loaders.Loader.__init__ = __init__


class _PatchWhenImported:
    """Finds botocore.loaders as the import system would, and patches it once it has been executed."""

    def find_spec(self, fullname, path, target=None):
        if fullname != "botocore.loaders":
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None:
            return spec
        execute = spec.loader.exec_module

        def exec_module(module):
            execute(module)
            share_loaded_data(module)

        spec.loader.exec_module = exec_module
        return spec


def install() -> None:
    """Patch botocore.loaders now if it is imported, else as soon as it is (the .pth file calls this)."""
    if os.environ.get(SWITCH, "1") == "0":
        return
    if "botocore.loaders" in sys.modules:
        share_loaded_data(sys.modules["botocore.loaders"])
    elif not any(isinstance(finder, _PatchWhenImported) for finder in sys.meta_path):
        sys.meta_path.insert(0, _PatchWhenImported())


def write_pth_file():
    """Put the .pth file into this Python's site-packages: this folder on sys.path, then ``install()``."""
    import sysconfig
    from pathlib import Path

    pth = Path(sysconfig.get_paths()["purelib"]) / PTH_NAME
    here = Path(__file__).resolve().parent
    pth.write_text(f"{here}\nimport botocore_model_cache; botocore_model_cache.install()\n", encoding="utf-8")
    return pth


if __name__ == "__main__":
    if sys.argv[1:] != ["--install"]:
        sys.exit(f"usage: {sys.argv[0]} --install   (writes {PTH_NAME} into this Python's site-packages)")
    print(f"wrote {write_pth_file()}")
