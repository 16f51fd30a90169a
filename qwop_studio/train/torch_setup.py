"""Torch settings for the processes that run a policy: one thread, and no per-call argument checks.

Why no checks: SB3 builds a ``torch.distributions.Categorical`` from the policy's logits on every
env step and for every minibatch, and torch validates its arguments each time (a constraint check
on the logits), which took ~7 % of PPO's wall time here: `qwop-studio benchmark --seconds 12`
trained the default config at 7,220-7,270 env steps/s without the checks and 6,780 with them
(2-core AMD EPYC VM, two runs each, alternating). The logits come from SB3's own network, so the
check has nothing to catch but NaN weights, which ``torch.multinomial`` still refuses and the
losses show. Checking changes no value: training is bit for bit the same either way.
"""
from __future__ import annotations

from qwop_studio.threads import set_single_thread


def prepare_torch_process() -> None:
    """One BLAS/torch thread (:func:`~qwop_studio.threads.set_single_thread`) and no distribution argument checks."""
    set_single_thread()
    import torch

    torch.distributions.Distribution.set_default_validate_args(False)
