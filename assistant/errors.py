"""Domain errors; the CLI and the app turn them into exit codes and messages."""


class AssistantError(Exception):
    """Base class of every error this package raises on purpose."""


class DocumentError(AssistantError):
    """A file could not be read as a document; the message names the file."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class UnsupportedDocument(DocumentError):
    """The file type is not one we can read."""


class IndexNotBuilt(AssistantError):
    """No index exists at the given directory."""


class IndexMismatch(AssistantError):
    """The index on disk was built with other settings (embedder, chunking) than those asked for."""


class IndexCorrupt(AssistantError):
    """The index files are unreadable or inconsistent."""


class ModelUnavailable(AssistantError):
    """A model could not be loaded or reached (missing package, server down, timeout)."""
