"""The number a sweep minimises: one score in game seconds from an evaluation's episodes.

Success rate and the median 100 m time combine as an expected time to finish, where a fall costs
the time limit plus one second for every metre it fell short::

    objective_s = r * median_s + (1 - r) * (time_limit_s + mean_shortfall_m * 1 s/m)

    r                 the fraction of episodes that finished 100 m
    median_s          the median 100 m time of those that finished (game clock); 0 if none did
    time_limit_s      the base config's episode limit in game seconds (1000 env steps x 4 frames /
                      30 = 133.3 s for the default), the same for every trial even when a trial
                      samples frames_per_step, so that trials compare on one scale
    mean_shortfall_m  the mean of 100 - distance (clipped to 0..100 m) over the episodes that did not finish

Lower is better. Any runner that finishes scores below the time limit and any that does not above
it, so finishing always beats not finishing; among finishers, success rate and speed trade as
expected time (90 % at 60 s, the falls at 80 m on average, scores 69.3; 80 % at 58 s, the falls at
40 m, scores 85.1);
among runners that never finish, the farther one wins (a fall at 20 m: 213.3; at 60 m: 173.3). The
last is why it is not ``best_model``'s score: a short trial often finishes nothing, and the sampler
still needs to tell its trials apart.
"""
from __future__ import annotations

import statistics
from typing import Any

#: 100 m, the finish, in game metres.
FINISH_M = 100.0
#: What a metre short of the finish costs a fallen runner, in seconds.
SHORTFALL_S_PER_M = 1.0


def objective_s(episodes: list[dict[str, Any]], time_limit_s: float) -> float:
    """The objective of a list of episode records (``is_success``, ``time``, ``distance``); see the module."""
    if not episodes:
        raise ValueError("objective_s: no episodes")
    finished = [e["time"] for e in episodes if e["is_success"]]
    fallen = [e["distance"] for e in episodes if not e["is_success"]]
    rate = len(finished) / len(episodes)
    median = statistics.median(finished) if finished else 0.0
    shortfall = (sum(FINISH_M - min(max(d, 0.0), FINISH_M) for d in fallen) / len(fallen)) if fallen else 0.0
    return rate * median + (1.0 - rate) * (time_limit_s + shortfall * SHORTFALL_S_PER_M)


def evaluation_attrs(episodes: list[dict[str, Any]]) -> dict[str, Any]:
    """What a trial keeps of an evaluation beside the objective (study user attributes: plain data)."""
    finished = [e["time"] for e in episodes if e["is_success"]]
    return {
        "episodes": len(episodes),
        "success_rate": len(finished) / len(episodes) if episodes else 0.0,
        "median_time_s": statistics.median(finished) if finished else None,
        "mean_distance_m": sum(e["distance"] for e in episodes) / len(episodes) if episodes else None,
    }


__all__ = ["objective_s", "evaluation_attrs", "FINISH_M", "SHORTFALL_S_PER_M"]
