"""The VADER lexicon, offline: packed from the installed vaderSentiment package into a
project-local nltk data folder, because nltk wants it as a downloaded resource and nothing may
be downloaded at run time.
"""

from __future__ import annotations

import logging
import os
import tempfile
import zipfile
from pathlib import Path

import nltk.data
import vaderSentiment

from warehouse.database import warehouse_path

log = logging.getLogger(__name__)

NLTK_DATA_ENV = "WAREHOUSE_NLTK_DATA"
LEXICON_ZIP = Path("sentiment") / "vader_lexicon.zip"
LEXICON_RESOURCE = "sentiment/vader_lexicon.zip/vader_lexicon/vader_lexicon.txt"
EMOJI_RESOURCE = "sentiment/vader_lexicon.zip/vader_lexicon/emoji_utf8_lexicon.txt"
_PACKED_FILES = ("vader_lexicon.txt", "emoji_utf8_lexicon.txt")


def default_nltk_data_dir() -> Path:
    """env WAREHOUSE_NLTK_DATA, else ``nltk_data`` beside the warehouse file (run-time state)."""
    configured = os.environ.get(NLTK_DATA_ENV)
    return Path(configured) if configured else warehouse_path().parent / "nltk_data"


def reference_lexicon_dir() -> Path:
    """The folder of the installed vaderSentiment package, which ships the lexicon files."""
    return Path(vaderSentiment.__file__).resolve().parent


def pack_lexicon(data_dir: Path, source_dir: Path | None = None) -> Path:
    """Write ``sentiment/vader_lexicon.zip`` under ``data_dir`` unless it is already there.

    The zip is written to a temporary name and renamed, so parallel builds never see half a file.
    """
    target = data_dir / LEXICON_ZIP
    if target.is_file():
        return target
    source_dir = source_dir or reference_lexicon_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".zip.tmp")
    os.close(handle)
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in _PACKED_FILES:
            # nltk's parser splits on "\n" and breaks on a trailing empty line.
            text = (source_dir / name).read_text(encoding="utf-8").rstrip("\n")
            archive.writestr(f"vader_lexicon/{name}", text)
    os.replace(temporary, target)
    log.info("packed the VADER lexicon from %s into %s", source_dir, target)
    return target


def ensure_lexicon(data_dir: Path | None = None) -> Path:
    """Pack the lexicon if needed and put its folder first on nltk's search path."""
    data_dir = (data_dir or default_nltk_data_dir()).resolve()
    pack_lexicon(data_dir)
    if str(data_dir) not in nltk.data.path:
        nltk.data.path.insert(0, str(data_dir))
    return data_dir


def load_resource_text(resource: str) -> str:
    """A text resource from the nltk data path (never from the network)."""
    return nltk.data.load(resource, format="text", cache=False)
