"""Every speed benchmark, one after the other: ``python -m benchmarks [--quick]``.

Run it on an otherwise idle machine; each part prints its own table with the machine named.
``--quick`` uses fewer and shorter runs (for a smoke check, not for figures to quote).
"""
from __future__ import annotations

import shutil
import subprocess
import sys

PARTS: list[tuple[str, list[str], list[str]]] = [
    # (module, full arguments, quick arguments)
    ("benchmarks.physics", [], ["--ticks", "4000", "--runs", "3"]),
    ("benchmarks.env", [], ["--steps", "3000", "--runs", "3", "--vec-steps", "1000"]),
    ("benchmarks.instructions", [], ["--steps", "200"]),
    ("benchmarks.render", [], ["--frames", "60", "--runs", "3"]),
    ("benchmarks.studio", [], ["--seconds", "8", "--warmup", "6", "--runs", "1"]),
    ("qwop_studio.cli", ["benchmark"], ["benchmark", "--seconds", "3"]),
]


def main(argv: list[str] | None = None) -> int:
    quick = "--quick" in (argv if argv is not None else sys.argv[1:])
    failed = 0
    for module, full, fast in PARTS:
        if module == "benchmarks.instructions" and shutil.which("valgrind") is None:
            print(f"\n(skipping {module}: valgrind is not installed)", flush=True)
            continue
        args = fast if quick else full
        print(f"\n$ python -m {module} {' '.join(args)}", flush=True)
        failed += subprocess.run([sys.executable, "-m", module, *args]).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
