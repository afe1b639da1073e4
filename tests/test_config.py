import dataclasses
from pathlib import Path
from typing import Literal, get_args, get_origin, get_type_hints

import pytest

from eventclf.cli import main
from eventclf.config import DEFAULT_CONFIG, TrainingConfig
from eventclf.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_default_yaml_loads_and_overrides_win(tmp_path):
    config = TrainingConfig.from_yaml("configs/default.yaml", {"epochs": "2", "device": "cpu", "resume": "false"})
    assert config.base_model == "intfloat/multilingual-e5-small"
    assert config.text_prefix == "query: "
    assert (config.epochs, config.device, config.resume) == (2.0, "cpu", False)


def test_every_yaml_under_configs_is_a_training_config():
    paths = sorted((ROOT / "configs").glob("*.yaml"))
    assert ROOT / DEFAULT_CONFIG in paths
    for path in paths:
        TrainingConfig.from_yaml(path)


@pytest.fixture
def trained_with(monkeypatch, tmp_path):
    """The configs `eventclf train` trains with: the trainer is replaced by one that only records them."""
    seen = []

    def record(config, log=print):
        seen.append(config)
        (tmp_path / "metrics.json").write_text("{}")
        return tmp_path

    monkeypatch.setattr("eventclf.trainer.train", record)
    return seen


def test_train_without_config_uses_configs_default_yaml_else_the_built_in_defaults(trained_with, monkeypatch,
                                                                                  tmp_path):
    monkeypatch.chdir(ROOT)
    assert main(["train"]) == 0
    monkeypatch.chdir(tmp_path)  # a folder without configs/default.yaml
    assert main(["train"]) == 0
    assert trained_with == [TrainingConfig.from_yaml(ROOT / DEFAULT_CONFIG), TrainingConfig()]


def _another(value, hint):
    """A valid value of the field other than `value`."""
    if get_origin(hint) is Literal:
        return next(choice for choice in get_args(hint) if choice != value)
    if value is None:  # an optional number left empty
        return 0.25
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value / 2 or 0.5
    if isinstance(value, tuple):
        return tuple(v / 2 for v in value)
    return value + "x"


def test_every_config_field_is_a_train_flag(trained_with, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    hints, default = get_type_hints(TrainingConfig), TrainingConfig()
    wanted = {f.name: _another(getattr(default, f.name), hints[f.name]) for f in dataclasses.fields(TrainingConfig)}
    flags = [arg for name, value in wanted.items() for arg in
             (f"--{name.replace('_', '-')}", ",".join(map(str, value)) if isinstance(value, tuple) else str(value))]
    assert main(["train", *flags]) == 0
    assert trained_with == [TrainingConfig(**wanted)]


def test_round_trip_through_yaml(tmp_path):
    config = TrainingConfig(epochs=3, split_fractions=(0.1, 0.3))
    config.to_yaml(tmp_path / "c.yaml")
    assert TrainingConfig.from_yaml(tmp_path / "c.yaml") == config


@pytest.mark.parametrize("overrides, message", [
    ({"epoch": 3}, "unknown config field"),
    ({"device": "tpu"}, "field `device`"),
    ({"batch_size": "many"}, "field `batch_size`"),
    ({"resume": "maybe"}, "field `resume`"),
])
def test_bad_values_name_the_field(overrides, message):
    with pytest.raises(ValueError, match=message):
        TrainingConfig.from_yaml(None, overrides)


@pytest.mark.parametrize("given, read", [("0", 0.0), ("0.2", 0.2), ("", None), ("none", None), (None, None)])
def test_an_optional_number_reads_empty_as_unset(given, read):
    assert TrainingConfig.from_dict({"encoder_dropout": given}).encoder_dropout == read


def test_split_fractions_parse_from_the_command_line():
    assert TrainingConfig.from_dict({"split_fractions": "0.1,0.25"}).split_fractions == (0.1, 0.25)


@pytest.mark.parametrize("field, value", [
    ("warmup_ratio", 1), ("epochs", 0), ("dropout", 1.0), ("threshold_no_event_share", 1.0), ("batch_size", 0),
    ("lexical_weight", 1.0), ("lexical_weight", -0.1), ("encoder_dropout", 1.0), ("encoder_dropout", "some"),
    ("learning_rate", 0), ("max_length", 4), ("early_stopping_patience", 0), ("split_fractions", "0.5,0.5"),
])
def test_values_that_cannot_work_are_refused_at_load_naming_the_field(field, value):
    with pytest.raises(ConfigError, match=rf"my.yaml: field `{field}`"):
        TrainingConfig.from_dict({field: value}, source="my.yaml")


def test_every_bad_value_is_reported_together():
    with pytest.raises(ConfigError) as err:
        TrainingConfig(epochs=-1, warmup_ratio=2.0)
    assert "`epochs`" in str(err.value) and "`warmup_ratio`" in str(err.value)


def test_only_fields_that_change_learning_are_in_the_learning_dict():
    a, b = TrainingConfig(), TrainingConfig(logging_steps=99, output_dir="elsewhere", keep_checkpoints=True)
    assert a.learning_dict() == b.learning_dict()
    assert TrainingConfig(seed=1).learning_dict() != a.learning_dict()
