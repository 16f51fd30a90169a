"""Every speed benchmark, one after the other: ``python -m benchmarks [--quick]``.

Run it on an otherwise idle machine; each part prints its own table with the machine named.
``--quick`` uses fewer and shorter runs (for a smoke check, not for figures to quote).
"""
from __future__ import annotations

import shutil
import subprocess
import sys

PARTS: list[tuple[str, list[str], list[str], str | None]] = [
    # (module, full arguments, quick arguments, a program it needs on the PATH or None)
    ("benchmarks.physics", [], ["--ticks", "4000", "--runs", "3"], None),
    ("benchmarks.env", [], ["--steps", "3000", "--runs", "3", "--vec-steps", "1000"], None),
    ("benchmarks.instructions", [], ["--steps", "200"], "valgrind"),
    ("benchmarks.render", [], ["--frames", "60", "--runs", "3"], None),
    ("benchmarks.studio", [], ["--seconds", "8", "--warmup", "6", "--runs", "1"], None),
    ("qwop_studio.cli", ["benchmark"], ["benchmark", "--seconds", "3"], None),
    ("benchmarks.training", [], ["--seconds", "5", "--runs", "1"], None),
    ("benchmarks.sampling", [], ["--steps", "300", "--runs", "1"], None),
    ("benchmarks.update_cost", [], ["--runs", "1"], None),
    # the studio in a real window (Xvfb), 10 minutes, then headless for 10: the longest part
    ("benchmarks.studio_window", [], ["--minutes", "1.5", "--episodes", "5"], "Xvfb"),
]


def main(argv: list[str] | None = None) -> int:
    quick = "--quick" in (argv if argv is not None else sys.argv[1:])
    failed = 0
    for module, full, fast, needs in PARTS:
        if needs is not None and shutil.which(needs) is None:
            print(f"\n(skipping {module}: {needs} is not installed)", flush=True)
            continue
        args = fast if quick else full
        print(f"\n$ python -m {module} {' '.join(args)}", flush=True)
        failed += subprocess.run([sys.executable, "-m", module, *args]).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
