"""The status card's figures and notices, driven by the trainer's own event types."""
from qwop_studio.studio.look import GOOD, MUTED
from qwop_studio.studio.status_card import Progress
from qwop_studio.train import messages as msg


def test_evaluations_and_checkpoints_are_reported_on_the_status_card():
    progress = Progress()
    progress.add(msg.Started("run", "PPO", 20_000_000, "train_ppo_upright", {}, 0))
    progress.add(msg.Evaluated(3_000_000, 0.92, 61.23, 66.9, True, 7.5))
    assert progress.notice == "Evaluation at step 3,000,000: 92% finished, median 61.2 s; kept as best_model.zip"
    assert progress.notice_colour == GOOD
    progress.add(msg.Evaluated(4_000_000, 0.0, None, 133.3, False, 9.0))
    assert progress.notice == "Evaluation at step 4,000,000: 0% finished, median -"
    assert progress.notice_colour == MUTED
    progress.add(msg.CheckpointSaved(4_000_000, "ckpt.zip"))
    assert progress.notice == "Checkpoint saved at step 4,000,000"
