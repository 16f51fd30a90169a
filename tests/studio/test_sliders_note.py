"""The reward card's read-back note stays clear of the card's title, however long the run."""
from __future__ import annotations

import pytest

from qwop_studio.env.reward import RewardWeights
from qwop_studio.train import messages as msg


def _read_back(app, step: int, workers: int = 8) -> None:
    weights = RewardWeights().as_dict()
    app.sliders.add(msg.WeightsChanged(step, weights, {}, tuple(dict(weights) for _ in range(workers))))
    app.sliders.set_weights(weights, confirmed=False)
    app.frame(1 / 30)


@pytest.mark.parametrize("step", [28_072, 21_570_688, 1_234_567_890])
def test_the_note_never_runs_into_the_title(make_app, step: int) -> None:
    app = make_app()
    _read_back(app, step)
    card = app.sliders.rect
    title_right = card.left + 12 + app.fonts.title.size("Reward weights")[0]
    assert app.sliders.note_rect.left >= title_right + 8, app.sliders.note
    assert app.sliders.note_rect.right <= card.right - 12
    assert "8 workers" in app.sliders.note


def test_the_full_note_is_kept_when_it_fits(make_app) -> None:
    app = make_app()
    _read_back(app, 28_072)
    assert app.sliders.note == "read back from 8 workers at step 28,072"
    _read_back(app, 21_570_688)  # a long run's step no longer fits the default window's card
    assert app.sliders.note == "8 workers · step 21,570,688"
