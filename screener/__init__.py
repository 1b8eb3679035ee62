"""screener: pre-publication screening of drafts for a college's WeChat and Weibo accounts.

The public API is small and re-exported here::

    from screener import Draft, Screener
    report = Screener().screen(Draft(title="讲座通知", body="..."))
"""

from .errors import (
    AssetError,
    ConfigError,
    ImageDecodeError,
    InputError,
    LexiconError,
    ModelError,
    RescreenError,
    ScreenerError,
    StageContractError,
    StageError,
)
from .ingest import load_draft
from .model import Draft, Evidence, Finding, Platform, Report, Severity, Verdict
from .pipeline import Screener
from .settings import Settings, load_settings

__version__ = "0.1.0"

__all__ = [
    "AssetError", "ConfigError", "Draft", "Evidence", "Finding", "ImageDecodeError", "InputError",
    "LexiconError", "ModelError", "Platform", "RescreenError", "Report", "Screener",
    "ScreenerError", "Settings", "Severity", "StageContractError", "StageError", "Verdict",
    "load_draft", "load_settings",
]
