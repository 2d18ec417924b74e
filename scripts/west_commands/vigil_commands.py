"""West extension commands: every `vigil` command as `west <command>`, with the same arguments
and the same code (west-commands.yml names each class of this file)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # scripts/, when vigil is not pip-installed

from vigil.cli import bench, budget, classify, device, models, regress, release, samples  # noqa: E402
from vigil.cli.westcmd import VigilWestCommand  # noqa: E402


class Models(VigilWestCommand):
    command = models


class Classify(VigilWestCommand):
    command = classify


class Budget(VigilWestCommand):
    command = budget


class Samples(VigilWestCommand):
    command = samples


class Device(VigilWestCommand):
    command = device


class Regress(VigilWestCommand):
    command = regress


class Bench(VigilWestCommand):
    command = bench


class Release(VigilWestCommand):
    command = release
