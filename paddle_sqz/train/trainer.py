"""The training loop: one engine for every config (birds, demo, Quick Draw, sweeps).

Reproducible by construction: weights from ``seed``; the data order, augmentation
and dropout of epoch ``e`` from ``(seed, e)``; the optimizer state and the best
metric in every checkpoint. A run killed at any moment and resumed from its last
checkpoint ends with the same weights as one that never stopped (on CPU).
"""
import contextlib
import json
import time
from pathlib import Path
from typing import Any, Dict, Optional, Sequence

import numpy as np
import paddle
import paddle.nn.functional as F

from ..data.cache import cache_size_mb
from ..data.labels import write_labels
from .. import runtime
from ..errors import SqzError
from ..io_utils import atomic_write_text
from ..data.sources import build_source
from ..models import create_model
from ..models.fast_bias import use_fast_cpu_forward
from ..models.measure import count_parameters
from .checkpoint import load_checkpoint, load_weights, save_checkpoint, save_weights
from .device import amp_dtype, init_distributed, select_device
from .evaluate import dead_classes_warning, evaluate
from .history import read_history, write_history
from .lock import RunLock
from .logger import Progress, RunLogger, epoch_scalars, format_duration
from .metrics import Meter
from .optim import build_optimizer, lr_at
from .run_dir import RunDir, config_text
from .selection import best_value, final_summary, selection_key, split_metrics
from .visualdl_views import add_pr_curves
from ..report.tables import format_accuracy, shows_top5


def top5_text(top5: float, num_classes: int) -> str:
    """`` top5 X%`` for the epoch line, or nothing where top-5 is always 100%."""
    return f" top5 {top5:.2%}" if shows_top5(num_classes) else ""


def check_fits(model: Dict[str, Any], source) -> None:
    """The model's class count and input channels must be the data's: one line naming both sides."""
    classes = len(source.classes)
    if classes != model["num_classes"]:
        raise SqzError(f"{source.classes_origin} lists {classes} classes but model.num_classes is "
                       f"{model['num_classes']} (set -o model.num_classes={classes})")
    if model["in_channels"] != source.channels:
        raise SqzError(f"config key 'model.in_channels' must be {source.channels} for data.kind "
                       f"{source.kind}, got {model['in_channels']}")


def _epoch_seed(seed: int, epoch: int, rank: int) -> int:
    return (seed * 1_000_003 + epoch * 7919 + rank) % (2 ** 31)


class Trainer:
    """Trains one config into one run folder; ``fit()`` returns the run folder."""

    def __init__(self, cfg: Dict[str, Any], resume: Optional[Path] = None):
        self.cfg = cfg
        self.device = select_device(cfg["train"]["device"])
        self.dist = init_distributed()
        self.source = build_source(cfg["data"], cfg["seed"])
        cfg["data"] = self.source.data  # paths made absolute: the saved config works from anywhere
        self.source.prepare()
        self.class_names = self.source.classes
        check_fits(cfg["model"], self.source)
        main = self.dist.is_main
        paddle.seed(cfg["seed"])
        np.random.seed(cfg["seed"])
        self.net = create_model(cfg["model"]["name"], cfg["model"])
        if self.device == "cpu" and cfg["train"]["fast_conv_bias"]:
            use_fast_cpu_forward(self.net)  # same outputs, much faster bias add on the CPU
        self.model = paddle.DataParallel(self.net) if self.dist.world_size > 1 else self.net
        self.optimizer = build_optimizer(cfg, self.net.parameters())
        self.eval_split = self.source.selection_split
        self.train_set = self.source.dataset("train")
        self.test_set = self.source.dataset(self.eval_split)  # the selection split (validation)
        self.train_loader, self.train_sampler = self.source.loader(
            self.train_set, cfg["train"]["batch_size"], True, self.dist.rank, self.dist.world_size)
        self.test_loader, _ = self.source.loader(self.test_set, cfg["train"]["eval_batch_size"], False)
        self.final_set = self.source.dataset("test") if self.eval_split != "test" else self.test_set
        self.final_loader, _ = self.source.loader(self.final_set, cfg["train"]["eval_batch_size"], False)
        self.amp = amp_dtype(cfg["train"]["amp"], self.device)  # float16 / bfloat16 on GPUs only
        self.scaler = (paddle.amp.GradScaler(init_loss_scaling=2.0 ** 15)
                       if self.amp == "float16" else None)
        self.start_epoch, self.best = 1, {selection_key(self.eval_split): -1.0, "epoch": 0}
        self.history = []
        # config, data and labels are valid: only now is a run folder made (or taken, on resume)
        self.run, self._lock = open_run_folder(cfg, resume, main)
        self.log = RunLogger(self.run.log if main else None,
                             self.run.path if main and cfg["output"]["visualdl"] else None, enabled=main)
        with self._errors_logged():
            if resume is not None:
                self._resume()
            elif main:
                atomic_write_text(self.run.config, config_text(cfg))
                write_labels(self.run.labels, self.class_names)

    @contextlib.contextmanager
    def _errors_logged(self):
        """An error once the run folder exists also goes into its ``train.log``; the lock is dropped."""
        try:
            yield
        except BaseException as exc:
            self.log.error(str(exc) if isinstance(exc, (SqzError, OSError)) else
                           "interrupted" if isinstance(exc, KeyboardInterrupt) else f"{type(exc).__name__}: {exc}")
            self.log.close()
            self._lock.release()
            raise

    # -- resume -----------------------------------------------------------------------------
    def _resume(self) -> None:
        self.run.remove_stale_tmp()  # left by a write that a crash cut short
        state = load_checkpoint(self.run.checkpoint)
        if state["seed"] != self.cfg["seed"]:
            raise SqzError(f"--resume: seed {self.cfg['seed']} differs from the checkpoint's {state['seed']}; "
                           "the data order would change (start a new run instead)")
        load_weights(self.net, state["model"], what=str(self.run.checkpoint))
        self.optimizer.set_state_dict(state["optimizer"])
        if self.scaler is not None and state.get("scaler"):
            self.scaler.load_state_dict(state["scaler"])
        self.start_epoch = int(state["epoch"]) + 1
        self.best = dict(state["best"])
        # epochs logged after the checkpoint were lost with the crash: drop them
        self.history = [r for r in read_history(self.run.metrics) if r["epoch"] < self.start_epoch]
        if self.dist.is_main:
            write_history(self.run.metrics, self.history)
            atomic_write_text(self.run.config, config_text(self.cfg))
            self.log.restart_scalars(self.history, shows_top5(len(self.class_names)))  # VisualDL: each epoch once
        self.log.info(f"resuming {self.run.path} at epoch {self.start_epoch} "
                      f"(best {self.eval_split} top-1 {best_value(self.best, self.eval_split):.2%} at epoch "
                      f"{self.best['epoch']})")

    # -- one epoch --------------------------------------------------------------------------
    def _autocast(self):
        if self.amp == "none":
            return contextlib.nullcontext()
        return paddle.amp.auto_cast(enable=True, level="O1", dtype=self.amp)

    def _train_epoch(self, epoch: int, progress: Progress) -> Dict[str, float]:
        self.model.train()
        self.train_sampler.set_epoch(epoch)
        self.train_set.set_epoch(epoch)
        paddle.seed(_epoch_seed(self.cfg["seed"], epoch, self.dist.rank))  # dropout of this epoch
        meter, images, compute_start = Meter(), 0, time.perf_counter()
        max_batches = self.cfg["train"]["max_batches"]
        for batch, (x, y) in enumerate(self.train_loader, start=1):
            with self._autocast():
                logits = self.model(x)
                loss = F.cross_entropy(logits.astype("float32"), y)
            if self.scaler is not None:
                self.scaler.scale(loss).backward()
                self.scaler.step(self.optimizer)
                self.scaler.update()
            else:
                loss.backward()
                self.optimizer.step()
            self.optimizer.clear_grad()
            y_np = y.numpy().reshape(-1)
            meter.update(float(loss), logits.astype("float32").numpy(), y_np)
            images += len(y_np)
            rate = images / max(time.perf_counter() - compute_start, 1e-9)
            progress.step(epoch, batch, meter.result()["loss"], meter.result()["top1"], rate)
            if max_batches and batch >= max_batches:
                break
        seconds = time.perf_counter() - compute_start
        result = self._all_reduce(meter)
        result["images_per_s"] = images * self.dist.world_size / max(seconds, 1e-9)
        result["seconds"] = seconds
        return result

    def _all_reduce(self, meter: Meter) -> Dict[str, float]:
        if self.dist.world_size > 1:
            sums = paddle.to_tensor([meter.loss_sum, meter.top1, meter.top5, meter.count], dtype="float64")
            paddle.distributed.all_reduce(sums)
            meter.loss_sum, meter.top1, meter.top5, meter.count = sums.numpy().tolist()
        return meter.result()

    # -- the whole run -----------------------------------------------------------------------
    def fit(self) -> Optional[Path]:
        try:
            with self._errors_logged():
                self._fit()
        finally:
            self.log.close()
            self._lock.release()
        return self.run.path if self.run else None

    def _fit(self) -> None:
        cfg, epochs = self.cfg, self.cfg["train"]["epochs"]
        if self.start_epoch > epochs:
            self.log.info(f"nothing to do: the run already has {epochs} epochs (raise -o train.epochs=N)")
            return
        batches = len(self.train_sampler)
        if cfg["train"]["max_batches"]:
            batches = min(batches, cfg["train"]["max_batches"])
        self.log.info(f"run folder: {self.run.path}" if self.run else "")
        self.log.info(runtime.describe())
        self.log.info(f"model {cfg['model']['name']} ({count_parameters(self.net):,} "
                      f"parameters), {len(self.class_names)} classes, device {self.device}"
                      f"{f' x{self.dist.world_size} processes' if self.dist.world_size > 1 else ''}, "
                      f"{len(self.train_set)} training / {len(self.test_set)} {self.eval_split} / "
                      f"{len(self.final_set)} test images; the best epoch is chosen on {self.eval_split}, "
                      "test is evaluated at the end")
        if getattr(self.train_set, "cache", None) is not None:
            self.log.info("data: decoded images kept in memory after epoch 1 (data.cache_images="
                          f"{cfg['data']['cache_images']}, about {cache_size_mb(len(self.train_set), cfg['data']):.0f} MB)")
        progress = Progress(self.log, epochs, batches, cfg["train"]["log_interval"])
        for epoch in range(self.start_epoch, epochs + 1):
            lr = lr_at(cfg, epoch)
            self.optimizer.set_lr(lr)
            train = self._train_epoch(epoch, progress)
            evaluation = evaluate(self.net, self.test_loader)
            split = self.eval_split
            record = {"epoch": epoch, "lr": lr,
                      "train_loss": train["loss"], "train_top1": train["top1"], "train_top5": train["top5"],
                      **split_metrics(split, evaluation),
                      "images_per_s": train["images_per_s"], "epoch_seconds": train["seconds"]}
            if cfg["train"]["test_curves"] and split != "test":  # plotted only, never selected on
                record.update(split_metrics("test", evaluate(self.net, self.final_loader)))
            self.history.append(record)
            improved = record[selection_key(split)] > best_value(self.best, split)
            if improved:
                self.best = {selection_key(split): record[selection_key(split)],
                             f"{split}_top5": record[f"{split}_top5"], "epoch": epoch}
            if self.dist.is_main:
                self._save(epoch, improved)
            self.log.info(f"epoch {epoch}/{epochs} train loss {train['loss']:.4f} top1 {train['top1']:.2%} | "
                          f"{split} loss {evaluation['loss']:.4f} top1 {evaluation['top1']:.2%}"
                          f"{top5_text(evaluation['top5'], len(self.class_names))} | "
                          f"{train['images_per_s']:.1f} img/s, "
                          f"{format_duration(train['seconds'])}{' | best so far' if improved else ''}")
            if evaluation["dead_classes"]:
                self.log.info(dead_classes_warning(evaluation["dead_classes"], self.class_names, self.eval_split))
            if self.dist.world_size > 1:
                paddle.distributed.barrier()
        self.log.info(f"best {self.eval_split} top-1 {best_value(self.best, self.eval_split):.2%} "
                      f"at epoch {self.best['epoch']}")
        if self.dist.is_main:
            self._final_test(epochs)
        self.log.close()
        return self.run.path if self.run else None

    def _final_test(self, last_epoch: int) -> None:
        """The test split, once: the last epoch's weights, then the chosen ones (left in ``net``)."""
        last = evaluate(self.net, self.final_loader) if self.best["epoch"] != last_epoch else None
        load_weights(self.net, self.run.best, what=str(self.run.best))
        selected = evaluate(self.net, self.final_loader)
        summary = final_summary(self.eval_split, self.best, last_epoch, selected, last or selected,
                                len(self.final_set))
        atomic_write_text(self.run.summary, json.dumps(summary, indent=2) + "\n")
        self.log.info(f"test {format_accuracy(selected['top1'], selected['top5'], len(self.class_names))} "
                      f"with the weights of "
                      f"epoch {self.best['epoch']} (chosen on {self.eval_split}); last epoch {last_epoch}: "
                      f"test top-1 {summary['last_test_top1']:.2%} ({len(self.final_set)} test images)")
        self.log.scalars(self.best["epoch"], {"final/test_top1_selected": selected["top1"],
                                              "final/test_top5_selected": selected["top5"]})
        self.log.scalars(last_epoch, {"final/test_top1_last": summary["last_test_top1"]})
        if self.log.writer is not None:  # PR Curve tab: one curve per class, the chosen weights on test
            add_pr_curves(self.log.writer, selected["labels"], selected["probs"], self.class_names,
                          self.best["epoch"])

    def _save(self, epoch: int, improved: bool) -> None:
        """Best model first, then history, then the checkpoint: the checkpoint is the commit point."""
        self.run.remove_stale_tmp()  # left by a write that a crash cut short
        if improved:
            save_weights(self.run.best, self.net.state_dict())
        write_history(self.run.metrics, self.history)
        self.log.scalars(epoch, epoch_scalars(self.history[-1], top5=shows_top5(len(self.class_names))))
        self.log.epoch_done(epoch)
        self.log.flush()
        save_checkpoint(self.run.checkpoint, {
            "model": self.net.state_dict(), "optimizer": self.optimizer.state_dict(),
            "scaler": self.scaler.state_dict() if self.scaler is not None else None,
            "epoch": epoch, "best": self.best, "seed": self.cfg["seed"],  # data order: (seed, epoch)
            "num_classes": self.cfg["model"]["num_classes"],
            "model_name": self.cfg["model"]["name"]})


def open_run_folder(cfg: Dict[str, Any], resume: Optional[Path], main: bool):
    """``(RunDir or None, its lock)``: a new folder, or the one to resume, locked for this one writer."""
    if not main:
        return (RunDir.open(resume) if resume is not None else None), RunLock.unlocked()
    run = RunDir.open(resume) if resume is not None else RunDir.create(cfg)
    return run, run.lock().acquire()


def train(cfg: Dict[str, Any], resume: Optional[Path] = None) -> Optional[Path]:
    """Train ``cfg`` (or continue the run folder ``resume``); returns the run folder on rank 0."""
    return Trainer(cfg, resume).fit()


def resume_config(run_path: Path, overrides: Sequence[str] = ()) -> Dict[str, Any]:
    """The saved config of a run, with overrides (e.g. more epochs); the model must not change."""
    run = RunDir.open(run_path)
    before = run.load_config()
    cfg = run.load_config(overrides)
    if cfg["model"] != before["model"]:
        raise SqzError("--resume: model.* keys cannot change when resuming; start a new run instead")
    run.weights("latest")  # a missing checkpoint (or one left only as a pickle) stops here, by name
    return cfg
