import pytest

from eventclf import base_models


def test_local_folder_wins(tiny_base):
    assert base_models.resolve_base_model(str(tiny_base)) == (str(tiny_base), f"local folder {tiny_base}")


def test_default_model_falls_back_to_the_offline_build_when_the_hub_is_unreachable(monkeypatch, tmp_path):
    monkeypatch.setattr(base_models, "_in_hub_cache", lambda ref: False)
    monkeypatch.setattr(base_models, "hub_reachable", lambda: False)
    monkeypatch.setattr(base_models.offline_e5, "build", lambda: tmp_path)
    path, route = base_models.resolve_base_model("intfloat/multilingual-e5-small")
    assert path == str(tmp_path) and route.startswith("offline build")


def test_online_hub_is_used_when_it_answers(monkeypatch):
    monkeypatch.setattr(base_models, "_in_hub_cache", lambda ref: False)
    monkeypatch.setattr(base_models, "hub_reachable", lambda: True)
    assert base_models.resolve_base_model("xlm-roberta-base") == ("xlm-roberta-base", "Hugging Face hub (xlm-roberta-base)")


def test_other_models_offline_get_a_clear_error(monkeypatch):
    monkeypatch.setattr(base_models, "_in_hub_cache", lambda ref: False)
    monkeypatch.setattr(base_models, "hub_reachable", lambda: False)
    with pytest.raises(OSError, match="hub is unreachable"):
        base_models.resolve_base_model("xlm-roberta-base")


def test_hf_hub_offline_means_unreachable(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert base_models.hub_reachable() is False
