"""Scripts around training: `python -m training.split_corpus` rebuilds the corpus splits, `training/train.py`
is `eventclf train` for torchrun, `training/show_predictions.py` prints a model's tags for a few paragraphs."""
