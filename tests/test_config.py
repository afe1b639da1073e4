import pytest

from eventclf.config import TrainingConfig
from eventclf.errors import ConfigError


def test_default_yaml_loads_and_overrides_win(tmp_path):
    config = TrainingConfig.from_yaml("configs/default.yaml", {"epochs": "2", "device": "cpu", "resume": "false"})
    assert config.base_model == "intfloat/multilingual-e5-small"
    assert config.text_prefix == "query: "
    assert (config.epochs, config.device, config.resume) == (2.0, "cpu", False)


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


def test_split_fractions_parse_from_the_command_line():
    assert TrainingConfig.from_dict({"split_fractions": "0.1,0.25"}).split_fractions == (0.1, 0.25)


@pytest.mark.parametrize("field, value", [
    ("warmup_ratio", 1), ("epochs", 0), ("dropout", 1.0), ("threshold_no_event_share", 1.0), ("batch_size", 0),
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
