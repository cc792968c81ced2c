"""Read an offline wandb run (``run-<id>.wandb``) back into protobuf records, without network or wandb's CLI.

wandb 0.31 ships no Python reader for its datastore, so this follows its format: a 7-byte file header
(``:W&B``, magic 0xBEE1, version 0), then LevelDB-log blocks of 32 KiB; each chunk has a 7-byte header
(CRC-32 of type byte + data, length, type FULL/FIRST/MIDDLE/LAST) and a chunk never straddles a block.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from wandb.proto import wandb_internal_pb2

BLOCK = 32768
HEADER = 7
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4


def read_chunks(data: bytes) -> list[bytes]:
    """The logical records of a LevelDB-log-format byte string (file header already checked)."""
    records, pending, pos = [], b"", HEADER
    while pos + HEADER <= len(data):
        room = BLOCK - pos % BLOCK
        if room < HEADER:  # the tail of a block too small for a header is zero padding
            pos += room
            continue
        checksum, length, kind = struct.unpack("<IHB", data[pos:pos + HEADER])
        if kind == 0 and length == 0:
            break
        payload = data[pos + HEADER:pos + HEADER + length]
        if zlib.crc32(payload, zlib.crc32(bytes([kind]))) & 0xFFFFFFFF != checksum:
            raise ValueError(f"bad checksum at byte {pos}")
        pos += HEADER + length
        if kind == FULL:
            records.append(payload)
        elif kind == FIRST:
            pending = payload
        elif kind == MIDDLE:
            pending += payload
        elif kind == LAST:
            records.append(pending + payload)
            pending = b""
        else:
            raise ValueError(f"unknown chunk type {kind} at byte {pos}")
    return records


def read_records(path: Path) -> list[wandb_internal_pb2.Record]:
    data = Path(path).read_bytes()
    ident, magic, version = struct.unpack("<4sHB", data[:HEADER])
    if ident != b":W&B" or magic != 0xBEE1 or version != 0:
        raise ValueError(f"{path} is not a wandb datastore file")
    out = []
    for raw in read_chunks(data):
        record = wandb_internal_pb2.Record()
        record.ParseFromString(raw)
        out.append(record)
    return out
