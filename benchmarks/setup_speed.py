#!/usr/bin/env python3
"""How long `make setup` takes to install the pinned packages on a fresh clone: uv against pip.

Per repetition, one after the other, each in a fresh `git clone` of this checkout's HEAD (no .venv):

  pip   python3 -m venv .venv, then .venv/bin/python -m pip install -r requirements.txt: the baseline,
        what `make setup` did before it used uv
  uv    make .venv/.installed: what `make setup` does (pip installs uv, uv installs the rest, both
        compiling every module to bytecode)

and prints the medians and the ratio uv / pip. Both must leave the same packages (pip freeze), or the
comparison is void and the script says so. The packages come from wherever pip and uv find them on this
machine, through their caches as they are (the first repetition fills them). Not part of the test suite.

    .venv/bin/python benchmarks/setup_speed.py --repeat 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = os.environ.get("PYTHON", "python3")  # the interpreter `make setup` makes .venv with

INSTALLERS = {
    "pip": [
        [PYTHON, "-m", "venv", ".venv"],
        [".venv/bin/python", "-m", "pip", "install", "--quiet", "-r", "requirements.txt"],
    ],
    "uv": [["make", "--no-print-directory", f"PYTHON={PYTHON}", ".venv/.installed"]],
}


def install(commands: list[list[str]]) -> tuple[float, str]:
    """Run the commands in a fresh clone; their wall time in seconds and the packages they left."""
    with tempfile.TemporaryDirectory(prefix="setup-speed-") as tmp:
        clone = Path(tmp) / "checkout"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        start = time.monotonic()
        for command in commands:
            ran = subprocess.run(command, cwd=clone, capture_output=True, text=True, check=False)
            if ran.returncode != 0:
                sys.exit(f"{' '.join(command)} failed:\n{ran.stdout[-2000:]}{ran.stderr[-2000:]}")
        wall = time.monotonic() - start
        freeze = [".venv/bin/python", "-m", "pip", "freeze", "--all", "--disable-pip-version-check"]
        packages = subprocess.run(freeze, cwd=clone, check=True, capture_output=True, text=True).stdout
        return wall, packages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--repeat", type=int, default=3, help="repetitions; medians are reported")
    args = parser.parse_args()
    walls: dict[str, list[float]] = {name: [] for name in INSTALLERS}
    for number in range(1, args.repeat + 1):
        packages = {}
        for name, commands in INSTALLERS.items():
            seconds, packages[name] = install(commands)
            walls[name].append(seconds)
        if packages["pip"] != packages["uv"]:
            sys.exit(f"run {number}: pip and uv installed different packages; the comparison is void")
        load = " ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"run {number}: " + ", ".join(f"{name} {walls[name][-1]:.1f} s" for name in walls) + f"  (load {load})")
    median = {name: statistics.median(seconds) for name, seconds in walls.items()}
    print(f"\nthe pinned set on a fresh clone, {args.repeat} runs, medians:")
    for name, seconds in median.items():
        print(f"  {name:<4} {seconds:7.1f} s")
    print(f"  uv / pip {median['uv'] / median['pip']:.2f}")


if __name__ == "__main__":
    main()
