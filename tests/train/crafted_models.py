"""Model files as an attacker or a careless user would make them, built from real checkpoints."""
from __future__ import annotations

import base64
import json
import os
import pickle
import zipfile
from pathlib import Path
from typing import Any


class _RunsCommand:
    """Unpickling this runs a shell command (what a malicious model would do)."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (os.system, (self.command,))


def payload(marker: Path) -> dict[str, str]:
    """An SB3 ``:serialized:`` field whose unpickling creates ``marker``."""
    return {":type:": "<class 'stable_baselines3.common.utils.FloatSchedule'>",
            ":serialized:": base64.b64encode(pickle.dumps(_RunsCommand(f"touch {marker}"))).decode()}


def rewrite_data(source: Path, target: Path, edit) -> Path:
    """Copy the model ``source`` to ``target`` with its ``data`` JSON changed by ``edit(data)``."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target.with_suffix(".tmp"), "w") as zout:
        for item in zin.infolist():
            content = zin.read(item.filename)
            if item.filename == "data":
                data = json.loads(content)
                edit(data)
                content = json.dumps(data).encode()
            zout.writestr(item, content)
    target.with_suffix(".tmp").replace(target)
    return target


def poison(source: Path, target: Path, marker: Path, field: str) -> Path:
    """``source`` with ``field`` of its data set to a pickle that creates ``marker`` when loaded."""
    def edit(data: dict[str, Any]) -> None:
        data[field] = payload(marker)

    return rewrite_data(source, target, edit)
