"""TensorBoard: scalars at their env step, the learning curve as an image, the resolved config as text.

Selected with ``logger=tensorboard``; written with torch's own ``SummaryWriter`` to ``<run dir>/tensorboard``
(view with ``tensorboard --logdir runs``).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from PIL import Image
from tensorboard.compat.proto.summary_pb2 import Summary
from torch.utils.tensorboard import SummaryWriter

from rlkit.loggers.base import Logger


def config_markdown(config: dict[str, Any]) -> str:
    """The config as YAML in a Markdown code block (indented four spaces) for TensorBoard's text tab."""
    text = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)  # not OmegaConf: see rlkit/signals.py
    return "\n".join("    " + line for line in text.splitlines())


def gif_summary(key: str, path: Path, max_side: int = 256) -> Summary:
    """An image summary holding the video at ``path`` as a GIF, scaled so its longer side is ≤ ``max_side``."""
    import imageio

    reader = imageio.get_reader(str(path), "ffmpeg")
    fps = reader.get_meta_data().get("fps", 30) or 30
    frames = [Image.fromarray(frame) for frame in reader]
    reader.close()
    scale = min(1.0, max_side / max(frames[0].size))
    size = (max(1, round(frames[0].width * scale)), max(1, round(frames[0].height * scale)))
    frames = [frame.resize(size) for frame in frames]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=round(1000 / fps),
                   loop=0)
    image = Summary.Image(height=size[1], width=size[0], colorspace=3, encoded_image_string=buffer.getvalue())
    return Summary(value=[Summary.Value(tag=key, image=image)])


class TensorBoardLogger(Logger):
    """One event file per run; the run info and config go in as text once, at the start."""

    def __init__(self, run_dir: Path, config: dict[str, Any], run_info: dict[str, Any], *,
                 dir: str | None = None, resume_step: int | None = None) -> None:
        # A resumed run writes into the same folder; purge_step tells TensorBoard to drop the interrupted run's
        # events after the checkpoint's step, which the resumed run logs again.
        purge = None if resume_step is None else resume_step + 1
        self.writer = SummaryWriter(log_dir=str(dir or Path(run_dir) / "tensorboard"), purge_step=purge)
        if resume_step is None:
            self.writer.add_text("config", config_markdown(config), global_step=0)

    def log(self, metrics: dict[str, float], step: int) -> None:
        for key, value in metrics.items():
            self.writer.add_scalar(key, value, global_step=step)

    def log_image(self, key: str, path: Path, step: int) -> None:
        with Image.open(path) as image:
            pixels = np.asarray(image.convert("RGB"))
        self.writer.add_image(key, pixels, global_step=step, dataformats="HWC")

    def log_video(self, key: str, path: Path, step: int) -> None:
        """The MP4 as an animated GIF image summary (TensorBoard's images tab plays GIFs; torch's own add_video
        needs moviepy.editor, which moviepy 2 no longer has)."""
        self.writer.file_writer.add_summary(gif_summary(key, path), global_step=step)

    def close(self) -> None:
        self.writer.close()
