"""Issue 20's scaling curve from the device machine's logs (22nd session): env steps/s while learning
against collection workers. Run from the repository root: python docs/results/device_s22/plot_scaling.py"""
from __future__ import annotations

import re
import statistics
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = Path(__file__).parent
LINE = re.compile(r"^\s+(?P<name>.+?)\s{2,}(?P<value>[\d,]+) env steps/s")


def read(log: Path) -> dict[str, float]:
    values = {}
    for line in log.read_text().splitlines():
        match = LINE.match(line)
        if match:
            values[match["name"].strip()] = float(match["value"].replace(",", ""))
    return values


def main() -> None:
    rounds = [read(HERE / f"round{i}.log") for i in (1, 2)]
    threads4 = read(HERE / "threads4.log")
    median = {name: statistics.median(r[name] for r in rounds) for name in rounds[0]}
    workers = [1, 2, 4, 8, 15]
    fig, ax = plt.subplots(figsize=(7.5, 4.5), dpi=110)
    ax.plot(workers, [median[f"async, {n} worker{'s' if n > 1 else ''}"] for n in workers], "o-",
            label="async, update on 1 thread (median of 2 rounds)")
    ax.plot([8, 12, 15], [threads4[f"async, {n} workers"] for n in (8, 12, 15)], "s--",
            label="async, update on 4 threads (1 round)")
    for name, style, color in (("sync, 16 workers", ":", "tab:green"), ("lock-step", "-.", "tab:red"),
                               ("one QWOPEnv, random actions", "--", "grey")):
        ax.axhline(median[name], linestyle=style, color=color, label=name)
    ax.set_xlabel("collection workers")
    ax.set_ylabel("env steps/s while learning")
    ax.set_xticks([1, 2, 4, 8, 12, 15])
    ax.set_title("Default config (32 envs x 128 steps), 16-core Xeon, fresh policies")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    out = HERE.parent / "issue20_device_scaling.png"
    fig.savefig(out)
    print(f"wrote {out}")
    for name, value in median.items():
        print(f"{name}: {value:,.0f}")


if __name__ == "__main__":
    main()
