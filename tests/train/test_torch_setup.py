"""The learner processes' torch settings: one thread, no argument checks on SB3's distributions."""
from __future__ import annotations

import pytest
import torch

from qwop_studio.train.torch_setup import prepare_torch_process


def test_prepare_torch_process_turns_off_distribution_checks_and_threads() -> None:
    not_a_simplex = torch.tensor([-0.5, 1.5])
    before = torch.distributions.Distribution._validate_args
    threads = torch.get_num_threads()
    try:
        torch.distributions.Distribution.set_default_validate_args(True)
        with pytest.raises(ValueError):  # what every SB3 step paid for
            torch.distributions.Categorical(probs=not_a_simplex)
        prepare_torch_process()
        torch.distributions.Categorical(probs=not_a_simplex)  # no check any more
        assert torch.get_num_threads() == 1
    finally:
        torch.distributions.Distribution.set_default_validate_args(before)
        torch.set_num_threads(threads)
