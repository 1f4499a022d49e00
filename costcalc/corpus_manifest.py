"""The schema of a corpus set's manifest.yaml (written by scripts/build_corpus_manifest.py for the bundled set).

Only `documents` (document id -> its genre) is read when counting; the rest records where the text came from and
what each file holds, so tests can check the files against it. A set of your own may carry any subset.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FileRecord(_Record):
    chars: Annotated[int, Field(ge=0)]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class CorpusManifest(_Record):
    name: str | None = None
    description: str | None = None
    licence: str | None = None
    origin: dict[str, str] = {}  # "en": how the originals were written, "translations": how they were made
    normalization: str | None = None
    documents: dict[str, str] = {}  # document id -> genre
    languages: dict[str, dict[str, FileRecord]] = {}  # language -> document id -> its file
