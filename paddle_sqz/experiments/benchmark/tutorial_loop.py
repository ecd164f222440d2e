"""The tutorial's training loop, rebuilt for comparison: how a first Paddle program is usually written.

Per item: PIL open, black letterbox, resize, numpy normalisation inside ``__getitem__``;
``paddle.io.DataLoader`` with its defaults (``num_workers=0``, batches made in the main
process); the plain model (per-channel conv bias); evaluation with training
augmentation and without ``no_grad``. Run in a process without the package's settings.
"""
import time
from typing import Any, Dict, List, Tuple

import numpy as np
import paddle
import paddle.nn.functional as F
from PIL import Image

from ...data.listfile import read_list
from ...timing import peak_rss_mb


class TutorialDataset(paddle.io.Dataset):
    """Decode, letterbox, resize and flip each image on every access, as the tutorial's LoadData does."""

    def __init__(self, items: List[Tuple[str, int]], pad_size: int, image_size: int):
        super().__init__()
        self.items, self.pad_size, self.image_size = items, pad_size, image_size

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int):
        path, label = self.items[index]
        img = Image.open(path).convert("RGB")
        scale = self.pad_size / max(img.size)
        img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))))
        canvas = Image.new("RGB", (self.pad_size, self.pad_size))
        canvas.paste(img, ((self.pad_size - img.width) // 2, (self.pad_size - img.height) // 2))
        img = canvas.resize((self.image_size, self.image_size), Image.BILINEAR)
        if np.random.rand() < 0.5:
            img = img.transpose(Image.FLIP_LEFT_RIGHT)
        if np.random.rand() < 0.5:
            img = img.transpose(Image.FLIP_TOP_BOTTOM)
        array = (np.array(img).astype("float32") / 255.0 - 0.5) / 0.5
        return array.transpose(2, 0, 1), np.array([label], dtype="int64")


def run(model: paddle.nn.Layer, train_list: str, test_list: str, pad_size: int, image_size: int,
        batch: int, epochs: int) -> Dict[str, Any]:
    """Train ``epochs`` epochs and evaluate after each; the first epoch is warm-up."""
    train_set = TutorialDataset(read_list(train_list), pad_size, image_size)
    test_set = TutorialDataset(read_list(test_list), pad_size, image_size)  # the tutorial's train_flag=True
    train_loader = paddle.io.DataLoader(train_set, batch_size=batch, shuffle=True)
    test_loader = paddle.io.DataLoader(test_set, batch_size=batch, shuffle=True)
    optimizer = paddle.optimizer.Adam(learning_rate=1e-4, parameters=model.parameters())
    train_s, eval_s = [], []
    for _ in range(epochs):
        model.train()
        start = time.perf_counter()
        for x, y in train_loader:
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            optimizer.clear_grad()
            float(loss)
        train_s.append(time.perf_counter() - start)
        model.eval()
        start = time.perf_counter()
        for x, y in test_loader:  # no paddle.no_grad(), as in the tutorial
            float(F.cross_entropy(model(x), y))
        eval_s.append(time.perf_counter() - start)
    return {"train_s": train_s, "eval_s": eval_s, "train_images": len(train_set), "eval_images": len(test_set),
            "peak_rss_mb": peak_rss_mb()}
