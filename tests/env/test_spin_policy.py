"""The sharded env's waits poll, unless the cores are found oversubscribed; then they block for a while."""
from qwop_studio.env.sharded import _SpinPolicy


class FakeRemote:
    """A channel end whose ``poll`` answers from a script: True = a message is there."""

    def __init__(self, ready: bool = True) -> None:
        self.ready = ready
        self.polls = 0

    def poll(self) -> bool:
        self.polls += 1
        return self.ready


def test_a_lone_long_wait_keeps_polling():
    """One wait that outlasts the poll (the learner's update between rollouts) changes nothing."""
    policy, remote = _SpinPolicy(), FakeRemote(ready=False)
    policy.wait(remote)
    assert remote.polls > 1 and policy.polling
    remote.ready = True
    for _ in range(20):
        policy.wait(remote)
    remote.ready = False
    policy.wait(remote)  # the next lone miss, 21 waits later
    assert policy.polling


def test_two_missed_polls_in_eight_waits_make_the_next_waits_block_then_polling_resumes():
    policy, remote = _SpinPolicy(), FakeRemote(ready=False)
    policy.wait(remote)
    remote.ready = True
    for _ in range(3):
        policy.wait(remote)
    remote.ready = False
    policy.wait(remote)  # the second miss within eight waits: the peer keeps losing its core
    assert not policy.polling
    polls = remote.polls
    for _ in range(_SpinPolicy.BLOCK_WAITS):
        policy.wait(remote)  # returns at once: the caller blocks in recv, leaving the core to others
    assert remote.polls == polls
    assert policy.polling
    remote.ready = True
    policy.wait(remote)
    assert remote.polls == polls + 1
