import pytest

from eventclf.config import TrainingConfig


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
