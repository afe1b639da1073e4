"""Adapters to engines users already run; each lives behind its own optional extra."""
