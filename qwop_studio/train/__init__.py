"""Training and evaluation: YAML configs, the algorithm registry, the trainer (headless or as the studio's
child process), its callbacks and protocol, evaluation and benchmarks.

Importing this package is cheap (no torch); each module imports what it needs. Entry points:
``trainer.run_training`` and ``child.start_trainer_process``, ``evaluate.evaluate_model``,
``benchmark.run_benchmark``, and the ``qwop-studio train|evaluate|benchmark`` commands in ``cli.py``.
"""
