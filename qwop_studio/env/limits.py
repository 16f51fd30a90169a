"""The env's limits, as plain numbers that load nothing else (no Box2D, no numpy).

The package's ``QWOP-v0`` registration (``qwop_studio/__init__.py``), the training configs' defaults and
validation (``train/config.py``), the vector envs and the studio's live runner read them here, so each
limit is written once.
"""
#: Longest episode, in env steps: ``gymnasium.make("qwop_studio:QWOP-v0")`` truncates there (its
#: ``TimeLimit``), as do the training configs by default (``max_episode_steps``) and the studio's live
#: runner. 1000 steps of 4 frames are 133 s on the game's clock.
MAX_EPISODE_STEPS: int = 1000
#: Most game frames one env step may hold: 60 frames = 2 s of the original's clock per decision (the
#: configs and the env share this limit; beyond it an episode is a handful of steps).
MAX_FRAMES_PER_STEP: int = 60
#: Most no-key frames after a reset (``start_noop_max``): 1000 frames = 33 s of standing still.
MAX_START_NOOP: int = 1000
