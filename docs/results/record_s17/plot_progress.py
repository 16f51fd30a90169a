"""Plot runs' training episodes per 2-minute window: median 100 m time of the finished ones and the share finished.

Usage: python plot_progress.py OUT.png "title" NAME=progress.csv [NAME=progress.csv ...]; writes OUT.csv beside.
"""
import csv
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

WINDOW_S = 120.0


def windows(path: str) -> list[tuple[float, int, float, float]]:
    """(minute at the window's end, episodes, share finished, median time of the finished) per window."""
    rows = list(csv.DictReader(open(path)))
    t0 = float(rows[0]["wall_time_s"]) // WINDOW_S * WINDOW_S
    buckets: dict[int, list[dict]] = {}
    for row in rows:
        buckets.setdefault(int((float(row["wall_time_s"]) - t0) // WINDOW_S), []).append(row)
    out = []
    for k in sorted(buckets):
        batch = buckets[k]
        finished = [float(r["time_s"]) for r in batch if r["is_success"] == "1"]
        if len(batch) >= 50:  # the last, cut window is left out
            out.append(((k + 1) * WINDOW_S / 60, len(batch), len(finished) / len(batch),
                        statistics.median(finished) if finished else float("nan")))
    return out


def main() -> None:
    out, title, arms = sys.argv[1], sys.argv[2], [a.split("=", 1) for a in sys.argv[3:]]
    fig, (ax_time, ax_share) = plt.subplots(1, 2, figsize=(11, 4))
    lines = ["run,minute_end,episodes,finished_share,median_time_s"]
    for name, path in arms:
        points = windows(path)
        minutes = [p[0] for p in points]
        ax_time.plot(minutes, [p[3] for p in points], marker="o", label=name)
        ax_share.plot(minutes, [100 * p[2] for p in points], marker="o", label=name)
        lines += [f"{name},{m:.0f},{n},{share:.3f},{median:.2f}" for m, n, share, median in points]
    ax_time.set_ylabel("median 100 m time, finished training episodes (s)")
    ax_share.set_ylabel("training episodes finished (%)")
    for ax in (ax_time, ax_share):
        ax.set_xlabel("minutes of this continuation")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(out, dpi=90)
    with open(out.rsplit(".", 1)[0] + ".csv", "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
