"""Determinism, resets and memory: the same keys give bitwise the same states, always."""
import hashlib
import random
import subprocess
import sys

import numpy as np

from qwop_studio.sim import QWOPGame

COMBOS = ["", "Q", "W", "O", "P", "QW", "QO", "QP", "WO", "WP", "OP", "QWO", "QWP", "QOP", "WOP", "QWOP"]


def random_keys(seed: int, frames: int) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(COMBOS) for _ in range(frames // 5) for _ in range(5)]


def play(game: QWOPGame, keys: list[str]) -> np.ndarray:
    out = np.empty((len(keys), 12, 6))
    for i, k in enumerate(keys):
        game.step(k)
        out[i] = game.body_states()
    return out


def digest(keys: list[str]) -> str:
    return hashlib.sha256(play(QWOPGame(), keys).tobytes()).hexdigest()


def test_same_keys_same_states_bitwise_in_one_process():
    keys = random_keys(7, 400)
    assert np.array_equal(play(QWOPGame(), keys), play(QWOPGame(), keys))


def test_a_reset_game_is_bitwise_the_fresh_game():
    """Box2D keeps contact and solver state; reset() builds a fresh world, so nothing carries over."""
    keys = random_keys(11, 300)
    fresh = play(QWOPGame(), keys)
    used = QWOPGame()
    for seed in range(3):
        play(used, random_keys(seed, 250))
        used.reset()
        assert np.array_equal(play(used, keys), fresh)


def test_games_stepped_and_reset_in_turn_share_nothing():
    """Worlds are built from Box2D definitions made once per process (joint definitions get their
    bodies set just before use), so games stepped and reset in turn, as a vector env's are, must not
    see each other: each one's states equal a lone game's, bit for bit."""
    keys_a, keys_b = random_keys(21, 200), random_keys(22, 100)
    lone_a, lone_b = play(QWOPGame(), keys_a), play(QWOPGame(), keys_b)
    a, b = QWOPGame(), QWOPGame()
    out_a, out_b = np.empty_like(lone_a), np.empty((200, 12, 6))
    for i, key in enumerate(keys_a):
        if i == 100:  # b starts over while a runs on: a new world from the shared definitions
            b.reset()
        a.step(key)
        b.step(keys_b[i % 100])
        out_a[i], out_b[i] = a.body_states(), b.body_states()
    assert np.array_equal(out_a, lone_a)
    assert np.array_equal(out_b[:100], lone_b)
    assert np.array_equal(out_b[100:], lone_b)


def test_same_keys_same_states_in_a_fresh_process():
    keys = random_keys(5, 300)
    code = (
        "import sys; sys.path.insert(0, 'tests/sim');"
        "from test_determinism import digest, random_keys; print(digest(random_keys(5, 300)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == digest(keys)


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def test_memory_stays_flat_over_10000_resets():
    game = QWOPGame()
    for _ in range(1000):
        game.reset()
        game.step("QP")
    before = rss_kib()
    for _ in range(10000):
        game.reset()
        game.step("QP")
    grown = rss_kib() - before
    assert grown < 4096, f"RSS grew {grown} KiB over 10,000 resets"


def test_a_reset_onto_a_world_prepared_piece_by_piece_is_bitwise_the_fresh_game():
    """``prepare_reset`` builds the next world a body or joint per call, between frames (as a vector
    env does in its idle time); a reset onto it, finished or not, must be the fresh game bit for bit."""
    keys = random_keys(31, 120)
    fresh = play(QWOPGame(), keys)
    game = QWOPGame()
    pieces = 0
    for i, key in enumerate(keys):
        if i % 3 == 0:
            pieces += game.prepare_reset()
        game.step(key)
    assert 0 < pieces < 40, "some of the next world was built, not all of it"
    game.reset()  # finishes the half-built world and takes it
    assert np.array_equal(play(game, keys), fresh)
    while game.prepare_reset():
        pieces += 1
    assert not game.prepare_reset()
    game.reset()  # a world built completely ahead
    assert np.array_equal(play(game, keys), fresh)
