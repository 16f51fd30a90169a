"""The studio's copy of a training policy, loaded from :class:`~qwop_studio.train.messages.PolicySnapshot`.

``SnapshotPolicy.from_snapshot`` loads the SB3 model once, through the loader that never unpickles
(``model_file.load_model``: the studio also opens model files from disk this way); ``update`` swaps in the weights of a later
snapshot (cheaper than a full load); ``act`` maps one observation to one action index. The studio's
runner should build its env as ``QWOPEnv(**policy.env_kwargs)`` (minus ``start_noop_max`` if it wants
to start at once) so the action set and frames per step match what the policy learned on.
"""
from __future__ import annotations

import io
from typing import Any

import numpy as np

from qwop_studio.train.messages import PolicySnapshot


class SnapshotPolicy:
    """A policy for inference only, on the CPU, in the caller's process."""

    def __init__(self, model: Any, algo: str, step: int, env_kwargs: dict[str, Any]) -> None:
        self.model = model
        self.algo = algo
        self.step = step
        self.env_kwargs = dict(env_kwargs)

    @classmethod
    def from_snapshot(cls, snapshot: PolicySnapshot) -> SnapshotPolicy:
        """Load the model in ``snapshot`` (tens of milliseconds). Uses one torch thread."""
        import torch

        from qwop_studio.train.model_file import load_model

        torch.set_num_threads(1)
        model = load_model(snapshot.policy_bytes, snapshot.algo, env_kwargs=snapshot.env_kwargs)
        return cls(model, snapshot.algo, snapshot.step, snapshot.env_kwargs)

    def update(self, snapshot: PolicySnapshot) -> None:
        """Take a later snapshot's weights (same algorithm and network), or reload if they differ."""
        if snapshot.algo != self.algo:
            fresh = SnapshotPolicy.from_snapshot(snapshot)
            self.model, self.algo = fresh.model, fresh.algo
        else:  # SB3 reads only the tensors here (load_data=False): nothing of the file's JSON is unpickled
            self.model.set_parameters(io.BytesIO(snapshot.policy_bytes), exact_match=False, device="cpu")
        self.step = snapshot.step
        self.env_kwargs = dict(snapshot.env_kwargs)

    def act(self, obs: np.ndarray, deterministic: bool = True) -> int:
        """The action index for one (60,) observation."""
        action, _ = self.model.predict(obs, deterministic=deterministic)
        return int(action)
