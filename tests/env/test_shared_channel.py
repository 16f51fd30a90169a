"""SharedMemoryChannel: a pipe's send/poll/recv through shared memory, between real processes."""
import multiprocessing as mp
import os
import signal

import numpy as np
import pytest

from qwop_studio.env.shared_channel import channel_pair


def _echo(channel) -> None:
    """Child: send back every message (a numpy array doubled) until None arrives."""
    while True:
        message = channel.recv()
        if message is None:
            channel.close()
            return
        channel.send(message * 2)


def _hang(channel) -> None:
    """Child: take one message and never reply (the parent kills it)."""
    channel.recv()
    signal.pause()


@pytest.mark.timeout(60)
def test_messages_of_any_size_make_the_round_trip_in_order():
    """Small messages go through the shared buffer; one larger than it goes through the side pipe,
    announced first so that a write bigger than the pipe's own buffer cannot deadlock."""
    ctx = mp.get_context("spawn")
    parent, child = channel_pair(ctx, capacity=4096)
    process = ctx.Process(target=_echo, args=(child,), daemon=True)
    process.start()
    parent.watch(process)
    try:
        for size in (1, 100, 2_000, 300_000, 10):  # 300k float64 = 2.4 MB: far past 4 kB and a 64 kB pipe
            message = np.arange(size, dtype=np.float64)
            assert not parent.poll()
            parent.send(message)
            assert parent.poll(10.0)
            assert parent.poll(), "poll must not consume the message"
            assert np.array_equal(parent.recv(), message * 2)
        parent.send(None)
        process.join(10)
        assert process.exitcode == 0
    finally:
        parent.close()


@pytest.mark.timeout(60)
def test_a_dead_peer_raises_eoferror_instead_of_hanging():
    ctx = mp.get_context("spawn")
    parent, child = channel_pair(ctx)
    process = ctx.Process(target=_hang, args=(child,), daemon=True)
    process.start()
    parent.watch(process)
    parent.send("hello")
    os.kill(process.pid, signal.SIGKILL)
    with pytest.raises(EOFError, match="exited"):
        parent.recv()
    process.join(5)
