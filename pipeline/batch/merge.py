"""Merging shard builds: `pipeline manifest merge SHARD... --into TARGET` combines the output
folders of `build --shard k/n` runs into one, each shard checked whole before anything is
written, and the shards only read."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pipeline.batch.manifest import (
    NAME,
    Entry,
    Manifest,
    Output,
    input_path,
    reason_of,
    shown_inputs,
)
from pipeline.batch.revisions import copy_revisions
from pipeline.errors import ManifestError, UnsafeOutputError
from pipeline.files import OutputLock, sha256, unsafe_folder, write_atomic


def merge(sources: list[Path], target: Path) -> list[str]:
    """Combine shard build folders into `target`: each plan's documents and the manifests,
    then the dashboard of every plan in `target`. Every shard is checked whole before anything
    is written, and the shards are only read.

    Raises ManifestError when two shards built the same input differently, when a shard's
    manifest cannot be read or does not match its files; UnsafeOutputError when a shard or the
    target holds a link where a plan's folder or file should be; OutputLockedError when a
    build holds `target`. Returns the keys of the inputs merged.
    """
    from pipeline.reports.outputs import write_index

    incoming = _read_shards(sources, target)  # before the target is touched at all
    with OutputLock(target):
        keys = _merge_locked(incoming, target)
        write_index(target, shown_inputs(Manifest.load(target), target))
    return keys


def _shard_manifest(source: Path) -> Manifest:
    """A shard's manifest, which must be complete: there is no rebuilding a shard's plans."""
    if not (source / NAME).exists() and not (source / NAME).is_symlink():
        raise ManifestError(f"{source}/ has no {NAME}: it is not the output folder of a build")
    shard = Manifest.load(source)
    if shard.warnings:
        raise ManifestError("; ".join(shard.warnings) + " (build that shard again)")
    return shard


def _shard_file(source: Path, slug: str, name: str, recorded: Output) -> bytes:
    """The bytes of `source/slug/name`, checked against the shard's record of them."""
    trouble = unsafe_folder(source, slug)
    if trouble is not None:
        raise UnsafeOutputError(f"cannot merge {source}/: {trouble}")
    path = source / slug / name
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeOutputError(f"cannot merge {source}/: {path} is not a regular file")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ManifestError(
            f"{path} is missing, though {source / NAME} records it (build that shard again)"
        ) from None
    except OSError as error:
        raise ManifestError(f"{path} cannot be read: {reason_of(error)}") from None
    if sha256(data) != recorded.sha256:
        raise ManifestError(
            f"{path} is not the file {source / NAME} records (changed since it was built?)"
        )
    return data


def _rebase(key: str, source: Path, target: Path) -> str:
    """A key of the manifest of `source` as the manifest of `target` names the same input."""
    where = input_path(key, source)
    try:
        return Path(os.path.relpath(where, target.resolve())).as_posix()
    except ValueError:
        return where.as_posix()


def _read_shards(sources: list[Path], target: Path) -> dict[str, tuple[Path, Entry]]:
    """Every shard's records (keyed as the manifest of `target` names their inputs), each
    checked against its files; the same input built differently by two shards is refused."""
    incoming: dict[str, tuple[Path, Entry]] = {}
    for source in sources:
        for key, entry in _shard_manifest(source).entries.items():
            for name, recorded in entry.outputs.items():
                _shard_file(source, entry.slug, name, recorded)
            key = _rebase(key, source, target)
            if key in incoming and not incoming[key][1].same_build(entry):
                raise ManifestError(
                    f"{key} was built differently in {incoming[key][0]} and {source}"
                )
            incoming[key] = (source, entry)
    return incoming


def _merge_locked(incoming: dict[str, tuple[Path, Entry]], target: Path) -> list[str]:
    merged = Manifest.load(target)
    # Everything is checked before the first file is written.
    owners = {entry.slug: key for key, entry in merged.entries.items() if key not in incoming}
    for key, (_source, entry) in sorted(incoming.items()):
        owner = owners.setdefault(entry.slug, key)
        if owner != key:
            raise ManifestError(f"{key} and {owner} both write {entry.slug}/")
        trouble = unsafe_folder(target, entry.slug)
        if trouble is not None:
            raise UnsafeOutputError(f"cannot merge into {target}/: {trouble}")
        for name in entry.outputs:
            there = target / entry.slug / name
            if there.is_dir() and not there.is_symlink():
                raise UnsafeOutputError(f"cannot merge into {target}/: {there} is a folder")
    for key, (source, entry) in sorted(incoming.items()):
        for name, recorded in list(entry.outputs.items()):
            data = _shard_file(source, entry.slug, name, recorded)
            write_atomic(target / entry.slug / name, data)
            entry.outputs[name] = Output.of(target / entry.slug / name, data)
        copy_revisions(source, target, entry.revisions())
        merged.entries[key] = entry
    merged.save(target)
    return sorted(incoming)
