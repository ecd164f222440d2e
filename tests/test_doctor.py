"""python -m paddle_sqz.doctor: one screen, every topic, each problem with its fix, exit 0."""
import subprocess
import sys
from collections import namedtuple
from types import SimpleNamespace

from conftest import ROOT
from paddle_sqz import doctor
from paddle_sqz.report import fonts

TOPICS = ("python", "paddle", "devices", "amp", "onednn", "runtime", "cjk font", "visualdl", "disk")


def run_doctor(*flags):
    return subprocess.run([sys.executable, *flags, "-m", "paddle_sqz.doctor"], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


def topics_of(text):
    return [line[2:11].strip() for line in text.splitlines()[1:-1] if not line[2:11].strip() == ""]


def test_report_covers_every_topic_on_one_screen():
    import paddle
    proc = run_doctor()
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("paddle_sqz ") and len(lines) <= 24
    assert set(TOPICS) <= set(topics_of(proc.stdout)), proc.stdout
    paddle_line = next(line for line in lines if line[2:11].strip() == "paddle")
    assert paddle.__version__ in paddle_line
    assert ("GPU build" if paddle.device.is_compiled_with_cuda() else "CPU build") in paddle_line
    problems = sum(line.startswith("!") for line in lines)
    assert lines[-1] == (f"{problems} problem(s)" if problems else "no problems found")
    assert "No ccache" not in proc.stderr  # the doctor applies the runtime filter before Paddle loads


def test_without_paddle_it_still_reports_and_says_how_to_install():
    proc = run_doctor("-S")  # no site-packages: no paddle, no matplotlib, no visualdl
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("! paddle"))
    assert "not installed" in lines[at] and "pip install paddlepaddle" in lines[at + 1]
    assert any(line.startswith("! visualdl") for line in lines) and "disk" in topics_of(proc.stdout)


def test_every_problem_line_is_followed_by_its_fix():
    found = [doctor.Finding("disk", "0.1 GiB free", "free some space"), doctor.Finding("python", "3.11")]
    text = doctor.format_report(found).splitlines()
    assert text[1].startswith("! disk") and text[2].strip() == "fix: free some space"
    assert text[3].startswith("  python") and text[-1] == "1 problem(s)"


def test_low_disk_space_is_a_problem(monkeypatch, tmp_path):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(doctor.shutil, "disk_usage", lambda path: usage(10 << 30, (10 << 30) - (1 << 28), 1 << 28))
    [finding] = doctor.check_disk(tmp_path)
    assert finding.fix and "0.2 GiB free" in finding.text
    monkeypatch.setattr(doctor.shutil, "disk_usage", lambda path: usage(100 << 30, 0, 50 << 30))
    assert doctor.check_disk(tmp_path)[0].fix is None


def fake_gpu_paddle(fp16: bool, bf16: bool, count: int = 1):
    cuda = SimpleNamespace(device_count=lambda: count, get_device_capability=lambda i: (7, 0),
                           get_device_name=lambda i: "Tesla V100-SXM2-32GB")
    return SimpleNamespace(device=SimpleNamespace(is_compiled_with_cuda=lambda: True, cuda=cuda),
                           amp=SimpleNamespace(is_float16_supported=lambda: fp16, is_bfloat16_supported=lambda: bf16))


def test_amp_on_a_v100_says_float16_only():
    [finding] = doctor.check_amp(fake_gpu_paddle(fp16=True, bf16=False))
    assert finding.text.startswith("float16 yes, bfloat16 no") and "train.amp=float16" in finding.text
    assert doctor.check_amp(fake_gpu_paddle(fp16=True, bf16=True))[0].text == "float16 yes, bfloat16 yes"


def test_cuda_build_without_a_visible_gpu_is_a_problem():
    findings = doctor.check_devices(fake_gpu_paddle(True, True, count=0))
    assert findings[0].text.startswith("CPU only") and findings[1].fix and "nvidia-smi" in findings[1].fix
    [gpus] = doctor.check_devices(fake_gpu_paddle(True, True, count=2))
    assert "gpu:0 Tesla V100" in gpus.text and "gpu:1" in gpus.text and gpus.fix is None


def test_two_paddle_distributions_are_a_problem(monkeypatch):
    import paddle
    monkeypatch.setattr(doctor, "_installed_paddle_distributions",
                        lambda: ["paddlepaddle 3.3.1", "paddlepaddle-gpu 2.6.2"])
    findings = doctor.check_paddle(paddle)
    assert any(f.fix and "pip uninstall" in f.fix for f in findings)


def test_old_paddle_is_a_problem(monkeypatch):
    old = SimpleNamespace(__version__="2.6.2", device=SimpleNamespace(is_compiled_with_cuda=lambda: False))
    monkeypatch.setattr(doctor, "_installed_paddle_distributions", lambda: ["paddlepaddle-gpu 2.6.2"])
    findings = doctor.check_paddle(old)
    assert findings[0].text.startswith("2.6.2, CPU build") and any(f.fix for f in findings[1:])


def test_missing_cjk_font_names_the_fix(monkeypatch):
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    [finding] = doctor.check_font()
    assert "paddle_sqz[fonts]" in finding.fix and "fonts-noto-cjk" in finding.fix


def test_a_check_that_raises_becomes_a_problem_line():
    def broken():
        raise RuntimeError("CUDA driver version is insufficient")
    [finding] = doctor._guarded("check_devices", broken)
    assert finding.topic == "devices" and "insufficient" in finding.text and finding.fix
