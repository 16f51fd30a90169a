"""The window without a trainer: layout at any size, resizing, quitting."""
from __future__ import annotations

import itertools

import pygame
import pytest
from studio_helpers import key

from qwop_studio.studio.layout import MIN_SIZE, compute_layout
from qwop_studio.studio.trainer_link import LinkState

PARTS = ("toolbar", "runner", "chart0", "chart1", "status", "sliders")


@pytest.mark.parametrize("size", [(1280, 800), MIN_SIZE, (1920, 1080), (1100, 900)])
def test_panels_fit_the_window_never_overlap_and_the_runner_is_the_largest(size):
    rects = compute_layout(size)
    window = pygame.Rect(0, 0, *size)
    for name in PARTS:
        assert window.contains(rects[name]), name
    for a, b in itertools.combinations(PARTS, 2):
        assert not rects[a].colliderect(rects[b]), (a, b)
    area = {n: rects[n].w * rects[n].h for n in PARTS}
    assert max(area, key=area.get) == "runner"


def test_resizing_re_lays_out_the_widgets(make_app):
    app = make_app()
    app.frame()
    assert app.toolbar.stop.rect.right < 1280
    pygame.display.set_mode((1000, 640), pygame.RESIZABLE)
    pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, {"w": 1000, "h": 640, "size": (1000, 640)}))
    app.frame()
    assert app.size == (1000, 640)
    assert app.rects["sliders"].right <= 1000
    for slider in app.sliders.sliders.values():
        assert app.rects["sliders"].contains(slider.rect)
    assert app.rects["runner"].contains(app.manual_button.rect)


def test_escape_without_training_quits_at_once(make_app):
    app = make_app()
    key(pygame.KEYDOWN, pygame.K_ESCAPE)
    app.frame()
    assert not app.running and app.link.state == LinkState.IDLE


def test_a_bad_config_fails_in_the_window_not_in_the_loop(make_app, tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("algorithm: NOPE\ntotal_timesteps: 10\n")
    app = make_app(config=str(bad))
    app.start_training()
    for _ in range(200):
        app.frame()
        if app.link.state == LinkState.FAILED:
            break
    assert app.link.state == LinkState.FAILED and "NOPE" in app.link.problem


def test_before_start_the_sliders_show_the_chosen_configs_starting_weights(make_app):
    """train_ppo_upright starts with posture 0.5 and a velocity incentive of 0.05; the sliders say so
    before Start, and showing them sends nothing to a trainer."""
    app = make_app(config="train_ppo_upright")
    app.frame(1 / 30)
    assert app.sliders.wanted["velocity_weight"] == 0.05 and app.sliders.wanted["posture_weight"] == 0.5
    assert app.sliders.due_changes() == {}
    app.toolbar.selected = "train_qrdqn"
    app.frame(1 / 30)
    assert app.sliders.wanted["velocity_weight"] == 0.0 and app.sliders.wanted["posture_weight"] == 0.0


def test_a_sweeps_best_config_is_offered_by_its_study_and_starts_from_its_file(make_app, tmp_path):
    """``tune`` leaves ``<saves>/sweeps/<study>/best_config.yml``; the picker lists it as the study's best,
    shows its starting weights, and Start trains that file (a study without one is not listed)."""
    from qwop_studio.train.config import load_config

    best = tmp_path / "sweeps" / "upright_v1" / "best_config.yml"
    best.parent.mkdir(parents=True)
    best.write_text(load_config("train_ppo_upright").to_yaml().replace("posture_weight: 0.5", "posture_weight: 0.7"))
    (tmp_path / "sweeps" / "no_trials_yet").mkdir()
    app = make_app(config="train_ppo_upright")  # runs under tmp_path / "runs": the same saves root
    assert "best of sweep upright_v1" in app.toolbar.options()
    assert not any("no_trials_yet" in option for option in app.toolbar.options())
    app.toolbar.selected = "best of sweep upright_v1"
    app.frame(1 / 30)
    assert app.sliders.wanted["posture_weight"] == 0.7
    assert app.toolbar.choice() == (str(best), None)
