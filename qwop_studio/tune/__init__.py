"""Hyperparameter sweeps: ``qwop-studio tune`` runs many ``run_training`` trials through Optuna (or Ray).

It sits beside ``train/cli.py`` (``docs/architecture.md``) and nothing below it knows it exists: a trial is an
ordinary training run with sampled config values. Modules, one job each:

- ``space``: the search space file (YAML data) -> validated distributions and sweep settings;
- ``objective``: the one number a trial is judged by (success rate and median 100 m time combined);
- ``trial_callback`` / ``trial``: one trial, its clock and its intermediate reports;
- ``study``: the Optuna study, its storage, and recovery of a killed sweep's trials;
- ``local`` / ``ray_runner``: run the remaining trials with Optuna here, or with Ray on a cluster;
- ``results``: the trials table, the best config YAML and the plot; ``cli``: ``qwop-studio tune``.

Optuna and Ray are optional extras (``pip install -e ".[tune]"`` / ``".[cluster]"``); importing this
package imports neither.
"""
