"""Property tests: whatever text a recording, a config or a ``--set`` holds, the outcome is a loaded value
or a one-line error of the loader's own kind, never a traceback."""
from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from qwop_studio.recording import Recording, RecordingError, load_recording
from qwop_studio.sim import QWOPGame
from qwop_studio.train.config import ConfigError, TrainConfig, load_config

TINY_PPO = Path(__file__).parent / "train" / "tiny_ppo.yml"
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12)


def _valid_recording_doc() -> dict:
    keys = [0, 1, 3, 9, 6, 0] * 5
    game = QWOPGame()
    for mask in keys:
        game.step(mask)
    return json.loads(Recording.of_game(keys, game).to_json())


VALID_RECORDING = _valid_recording_doc()
VALID_CONFIG_TEXT = TINY_PPO.read_text()


def mutate_text(text: str, data: st.DataObject) -> str:
    """A few random insertions, deletions and replacements of characters."""
    chars = list(text)
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(chars)))
        kind = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = data.draw(st.text(min_size=1, max_size=3))
        if kind == "insert" or not chars:
            chars[at:at] = list(piece)
        elif kind == "delete":
            del chars[min(at, len(chars) - 1)]
        else:
            chars[min(at, len(chars) - 1)] = piece
    return "".join(chars)


def assert_one_line(error: Exception) -> None:
    message = str(error)
    assert message and "\n" not in message and "Traceback" not in message, message


def load_recording_text(text: str):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "game.json"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            return load_recording(path)
        except RecordingError as e:
            assert_one_line(e)
            return e


@PROPERTY
@given(field=st.sampled_from(sorted(VALID_RECORDING) + ["outcome.result", "outcome.frames", "outcome.fallen"]),
       value=json_values)
def test_a_recording_with_any_field_replaced_loads_or_gets_one_line(field, value):
    doc = json.loads(json.dumps(VALID_RECORDING))
    if field.startswith("outcome."):
        doc["outcome"][field.split(".", 1)[1]] = value
    else:
        doc[field] = value
    result = load_recording_text(json.dumps(doc))
    if isinstance(result, Recording):
        assert all(0 <= k <= 15 for k in result.keys) and result.frames == len(result.keys)


@PROPERTY
@given(data=st.data())
def test_a_recording_file_with_random_edits_loads_or_gets_one_line(data):
    load_recording_text(mutate_text(json.dumps(VALID_RECORDING), data))


def load_config_text(text: str, overrides: dict | None = None):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.yml"
        path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
        try:
            return load_config(path, overrides)
        except ConfigError as e:
            assert_one_line(e)
            return e


@PROPERTY
@given(data=st.data())
def test_a_config_file_with_random_edits_loads_or_gets_one_line(data):
    load_config_text(mutate_text(VALID_CONFIG_TEXT, data))


@PROPERTY
@given(key=st.sampled_from(["algorithm", "n_envs", "env", "hyperparams", "wrappers", "reward_schedule",
                            "checkpoint_minutes", "max_minutes", "seed", "unknown"]), value=json_values)
@example(key="env", value={"\n": None})  # found by CI: a key holding a line break
@example(key="hyperparams", value={"a\r\nb": 1})
def test_a_config_with_any_value_at_a_top_level_key_loads_or_gets_one_line(key, value):
    config = yaml.safe_load(VALID_CONFIG_TEXT)
    config[key] = value
    load_config_text(yaml.safe_dump(config))


@PROPERTY
@given(key=st.sampled_from(["n_envs", "env.frames_per_step", "env.reward_weights.time_cost", "hyperparams.n_steps",
                            "hyperparams.learning_rate", "env", "seed.x", "a..b", "wrappers"]),
       value=st.text(max_size=30))
def test_any_set_value_gives_a_config_or_one_line(key, value):
    from qwop_studio.train.cli import parse_sets

    with contextlib.redirect_stderr(io.StringIO()) as stderr:
        overrides = parse_sets("train", [f"{key}={value}"])
    err = stderr.getvalue()
    if overrides is None:
        assert err.count("\n") == 1, err
        return
    result = load_config_text(VALID_CONFIG_TEXT, overrides)
    assert isinstance(result, (TrainConfig, ConfigError))


@pytest.mark.parametrize("text", ["!!python/object/apply:os.system ['true']", "!!python/name:os.system", "[1",
                                  "{a: 1", "*alias", "\t"])
def test_set_values_that_yaml_refuses_are_one_line(text, capsys):
    from qwop_studio.train.cli import parse_sets

    assert parse_sets("train", [f"seed={text}"]) is None
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("train: --set seed: value ")
