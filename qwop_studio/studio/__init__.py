"""The studio: a pygame-gui dashboard that trains an agent in a child process while the user watches it
run, shapes its reward and grabs the controls. ``python run_studio.py`` or ``qwop-studio studio``.

``app.py`` (window, layout, loop), ``live_runner.py`` (the live runner), ``charts.py`` (training charts),
``toolbar.py``, ``status_card.py``, ``sliders.py`` (the controls; ``intents.py`` what they ask for; ``look.py`` colours and fonts), ``trainer_link.py`` (the only code that talks to
the trainer process). Importing this package imports neither torch nor Stable-Baselines3.
"""
