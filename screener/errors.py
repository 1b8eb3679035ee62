"""One exception tree for everything screener raises on purpose.

Third-party errors (json, UnicodeDecodeError, OSError, pydantic) are caught at the edge where they
happen and re-raised as one of these, so callers only ever need ``except ScreenerError``.
"""

from __future__ import annotations


class ScreenerError(Exception):
    """Base of every error screener raises deliberately."""


class ConfigError(ScreenerError):
    """A setting is missing or invalid."""


class StorageError(ScreenerError):
    """The state folder or its database cannot be written (disk full, read-only); names where.

    The service answers it with 503: the request was fine, the server cannot keep it now.
    """

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"无法写入{where}：{problem}")


class InputError(ScreenerError):
    """A draft (or another input file) cannot be read; names the source and the problem."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


class LexiconError(ScreenerError):
    """A lexicon file, store or import is malformed; names the file and line where possible."""

    def __init__(self, source: str, problem: str, line: int | None = None) -> None:
        self.source = source
        self.problem = problem
        self.line = line
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {problem}")


class CorpusError(ScreenerError):
    """A third-party corpus file is missing, altered (checksum) or unreadable; names which.

    The message is Chinese: the maintainers who rebuild the corpus read it.
    """

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"{source}：{problem}")


class StageError(ScreenerError):
    """A pipeline stage failed; the pipeline turns this into a ``stage_error`` finding."""


class StageContractError(ConfigError):
    """Stages whose declarations do not fit together: a need no chosen stage provides, a key
    provided twice, a cycle (raised when the pipeline is built); or a stage that broke its
    declaration while running (the pipeline turns that into a ``stage_error`` finding)."""


class ModelError(ScreenerError):
    """A classifier model cannot be used; names the model folder and the problem.

    The classify stage lets this propagate so that the pipeline turns it into a ``stage_error``
    finding (fail closed): a draft is never passed because its model could not be read.
    """

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


class ModelMissingError(ModelError):
    """The model folder or one of its files does not exist (run ``screener train``)."""


class ModelTamperedError(ModelError):
    """A model file does not match the sha256 recorded in its manifest."""


class ModelFormatError(ModelError):
    """A model file is malformed, or was written by an incompatible feature format."""


class ModelVersionWarning(UserWarning):
    """The model was trained with other library versions than the ones installed."""


class ImageDecodeError(InputError):
    """An image could not be read safely; ``problem`` says what, for the reviewer."""


class OcrError(ScreenerError):
    """The OCR engine cannot be used (a model file missing from the installation)."""


class AssetError(ScreenerError):
    """The asset bank refused an operation (unknown id, bad kind, unreadable image...)."""


class SourceBankError(ScreenerError):
    """The bank of source texts refused an operation (unknown id, empty text, a reason
    missing) or cannot be opened. The message is Chinese: maintainers read it."""


class SourceTooShortError(SourceBankError):
    """A text too short to be matched as a source (under ``sources.bank.MIN_SOURCE_CHARS``)."""


class RescreenError(ScreenerError):
    """A re-screening run cannot go on (the lexicon changed under it, a worker died, the Dask
    scheduler is out of reach); what was committed is kept."""
