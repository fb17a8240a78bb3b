"""Output formats, one module each; `interface.py` says what they share."""
