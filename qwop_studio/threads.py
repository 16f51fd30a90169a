"""One BLAS/OpenMP thread per process: the 2-core machines this runs on punish oversubscription.

Measured on a 2-core laptop-class machine, two torch threads competing with env workers made
learning several times slower. Child processes read these variables when their interpreter starts,
so they are set while a child is spawned (and restored after, so the parent keeps its own). The one
exception is :func:`torch_threads`: a learner whose workers sleep while it updates (``collection: sync``)
may borrow their cores for the update alone.
"""
from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

#: Thread-count variables of OpenMP, MKL and OpenBLAS.
THREAD_VARS: tuple[str, ...] = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


@contextlib.contextmanager
def single_threaded_children() -> Iterator[None]:
    """Set the thread variables to 1 while children spawn (they inherit them), then restore ours."""
    saved = {name: os.environ.get(name) for name in THREAD_VARS}
    os.environ.update(dict.fromkeys(THREAD_VARS, "1"))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def set_single_thread() -> None:
    """Make this process single-threaded: the variables for libraries not loaded yet, and torch's own."""
    for name in THREAD_VARS:
        os.environ[name] = "1"
    import torch

    torch.set_num_threads(1)


@contextlib.contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Run the block with ``count`` torch intra-op threads, then restore the previous count.

    Why: in ``collection: sync`` the rollout workers wait while the learner updates, so their cores are
    idle for that part of every rollout (a quarter of the 2-core machine's CPU time, measured); the
    update's matrix products can use them. Outside the block the process keeps its one thread.
    """
    import torch

    before = torch.get_num_threads()
    if count == before:
        yield
        return
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)
