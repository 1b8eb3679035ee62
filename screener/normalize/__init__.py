"""Text normalization: undo evasions while keeping a map back to the original offsets."""

from .tables import REASON_TEXT, Tables, load_tables
from .text import NormalizedText, Normalizer, View, explain

__all__ = ["REASON_TEXT", "NormalizedText", "Normalizer", "Tables", "View", "explain",
           "load_tables"]
