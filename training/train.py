"""Train an eventclf model: `python training/train.py --config configs/default.yaml [--field value ...]`.

The same as `eventclf train`; runs unchanged under `torchrun --nproc_per_node N training/train.py` or
`accelerate launch training/train.py` for several GPUs.
"""
import sys

from eventclf.cli import main

if __name__ == "__main__":
    sys.exit(main(["train", *sys.argv[1:]]))
