"""Keep the best model of a run, judged by periodic evaluation on the game's own terms.

Why: a policy's success rate wobbles between checkpoints (PPO here: 74-95 % over 100 episodes for
checkpoints 1 M steps apart), so "the model at the end" is partly luck. Every ``eval_freq`` env
steps this plays ``eval_episodes`` deterministic episodes on a separate env, with the same starts
each time (the seed is reset), and writes ``best_model.zip`` and ``best_model.json`` when the score
improves. SB3's ``EvalCallback`` judges by mean reward, which changes meaning whenever a slider or a
``reward_schedule`` changes the weights; this judges by what a runner is for:

    score = mean 100 m time over the episodes, an episode that did not finish counting as the
            time limit (max_episode_steps x frames_per_step / 30 s). Lower is better.

So a faster gait wins only if it does not fall more often: at a 133 s limit, 90 % success at 60 s
(score 67.3) beats 80 % at 58 s (73.1). A resumed run reads ``best_model.json`` and keeps its best.
Every evaluation is also a line of ``evaluations.csv`` (what the studio's charts reload on resume).
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from stable_baselines3.common.callbacks import BaseCallback

from qwop_studio.fileio import atomic_write_text
from qwop_studio.train import messages as msg
from qwop_studio.train.callbacks import RunClock, emit, save_model_atomic
from qwop_studio.train.eval_log import EVALUATIONS, append_evaluation
from qwop_studio.train.evaluate import play_episodes, summarize

BEST_MODEL = "best_model.zip"
BEST_REPORT = "best_model.json"


def time_score(episodes: list[dict[str, Any]], time_limit_s: float) -> float:
    """Mean 100 m time in game seconds, a failed episode counting as ``time_limit_s`` (lower is better)."""
    if not episodes:
        raise ValueError("time_score: no episodes")
    return sum(e["time"] if e["is_success"] else time_limit_s for e in episodes) / len(episodes)


class BestModelCallback(BaseCallback):
    """Evaluate every ``eval_freq`` env steps; save the model when its :func:`time_score` improves."""

    def __init__(self, eval_env: Any, run_dir: Path, eval_freq: int, n_episodes: int, seed: int,
                 time_limit_s: float, clock: RunClock | None = None, events: Any = None) -> None:
        super().__init__()
        self.eval_env = eval_env
        self.run_dir = Path(run_dir)
        self.eval_freq = eval_freq
        self.n_episodes = n_episodes
        self.seed = seed
        self.time_limit_s = time_limit_s
        self.clock = clock
        self.events = events
        self.best_score = float("inf")
        self._next_eval = 0

    def _on_training_start(self) -> None:
        report = self.run_dir / BEST_REPORT
        if report.is_file():  # a resume: beat the best so far, not a fresh infinity
            try:
                self.best_score = float(json.loads(report.read_text(encoding="utf-8"))["score"])
            except (ValueError, KeyError, TypeError):
                pass  # unreadable: the next evaluation writes a good one
        self._next_eval = (self.num_timesteps // self.eval_freq + 1) * self.eval_freq

    def _on_step(self) -> bool:
        if self.num_timesteps >= self._next_eval:
            self._next_eval += self.eval_freq
            self.evaluate()
        return True

    def evaluate(self) -> dict[str, Any]:
        """Play the episodes now; log them; save the model if it is the best yet. Returns the summary."""
        started = time.perf_counter()
        self.eval_env.seed(self.seed)
        records = play_episodes(self.model, self.eval_env, self.n_episodes, deterministic=True)
        summary = summarize(records)
        score = time_score(records, self.time_limit_s)
        improved = score < self.best_score
        for key, value in (("eval/score_s", score), ("eval/success_rate", summary["success_rate"]),
                           ("eval/median_time_s", summary["success_time"]["median"] or self.time_limit_s),
                           ("eval/mean_distance_m", summary["distance"]["mean"])):
            self.logger.record(key, value)
        if improved:
            self.best_score = score
            save_model_atomic(self.model, self.run_dir / BEST_MODEL)
            report = {"step": self.num_timesteps, "score": score, "time_limit_s": self.time_limit_s,
                      "eval_seed": self.seed, "active_minutes": self.clock.active_s() / 60 if self.clock else None,
                      "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S"), **summary}
            atomic_write_text(self.run_dir / BEST_REPORT, json.dumps(report, indent=2) + "\n")
        event = msg.Evaluated(self.num_timesteps, summary["success_rate"], summary["success_time"]["median"], score,
                              improved, time.perf_counter() - started)
        append_evaluation(self.run_dir / EVALUATIONS, event)
        emit(self.events, event)
        return summary
