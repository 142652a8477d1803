"""Budget: a NumPy reference training step vs the same step in PyTorch CPU, float64.

The step: MLP 20-64-64-10, relu hidden layers, linear output with softmax + crossentropy fused
into the loss, batch 64, Adam (torch defaults), forward + backward + optimizer update. Budget
(docs: budgets.md): the reference at most 1.0x the torch step, measured side by side in this run.

Both sides run in the same process, interleaved (numpy rep, torch rep, ...) so drift hits both;
the figure per side is the median over repetitions of the mean time per step. torch is given the
same number of intra-op threads as NumPy's BLAS uses, and the setting is printed.

Run by hand: ``python benchmarks/reference_step.py [--steps 500] [--repeats 9]``.
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import importlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nnadvisor.reference.losses import LOSSES, one_hot  # noqa: E402
from nnadvisor.reference.model import mlp  # noqa: E402
from nnadvisor.reference.optimizers import Adam  # noqa: E402

SIZES = (20, 64, 64, 10)
BATCH = 64
N_BATCHES = 8  # cycle through a few fixed batches: realistic inputs, no data-loading cost


def numpy_blas_threads() -> int | None:
    """Threads NumPy's bundled OpenBLAS will use, or None if it cannot be asked."""
    try:  # threadpoolctl, when installed, knows every BLAS flavour
        from threadpoolctl import threadpool_info  # type: ignore[import-not-found]

        for info in threadpool_info():
            if info.get("internal_api") in ("openblas", "mkl", "blis"):
                return int(info["num_threads"])
    except ImportError:
        pass
    libdir = Path(np.__file__).resolve().parent.parent / "numpy.libs"
    for path in glob.glob(str(libdir / "*openblas*")):
        lib = ctypes.CDLL(path)
        for sym in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_",
                    "openblas_get_num_threads"):
            fn = getattr(lib, sym, None)
            if fn is not None:
                return int(fn())
    env = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS")
    return int(env) if env else None


def make_data(seed: int = 0) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    xs = [rng.normal(size=(BATCH, SIZES[0])) for _ in range(N_BATCHES)]
    labels = [rng.integers(0, SIZES[-1], size=BATCH) for _ in range(N_BATCHES)]
    ys = [one_hot(t, SIZES[-1]) for t in labels]
    return xs, labels, ys


def numpy_stepper(xs: list[np.ndarray], ys: list[np.ndarray]) -> tuple[Callable[[int], None], Any]:
    model = mlp(SIZES, "relu", "linear", np.random.default_rng(1),
                kernel_init="torch_linear_default", bias_init="torch_linear_default")
    loss = LOSSES["categorical_crossentropy_from_logits"]
    opt = Adam()  # torch defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8
    params, grads = model.params, model.grads

    def run(steps: int) -> None:
        for i in range(steps):
            k = i % N_BATCHES
            model.loss_and_grads(xs[k], ys[k], loss)
            opt.step(params, grads)

    return run, model


def torch_stepper(torch: Any, model: Any, xs: list[np.ndarray],
                  labels: list[np.ndarray]) -> tuple[Callable[[int], None], Any]:
    nn, F = torch.nn, torch.nn.functional
    layers: list[Any] = []
    dense = [layer for layer in model.layers if layer.params]
    for i, d in enumerate(dense):
        lin = nn.Linear(*d.W.shape).double()
        with torch.no_grad():  # start from the reference's weights
            lin.weight.copy_(torch.from_numpy(d.W.T.copy()))
            lin.bias.copy_(torch.from_numpy(d.b.copy()))
        layers.append(lin)
        if i < len(dense) - 1:
            layers.append(nn.ReLU())
    net = nn.Sequential(*layers)
    opt = torch.optim.Adam(net.parameters())
    txs = [torch.from_numpy(x) for x in xs]
    tys = [torch.from_numpy(t).long() for t in labels]

    def run(steps: int) -> None:
        for i in range(steps):
            k = i % N_BATCHES
            opt.zero_grad()
            F.cross_entropy(net(txs[k]), tys[k]).backward()
            opt.step()

    return run, net


def per_step_ms(run: Callable[[int], None], steps: int) -> float:
    t0 = time.perf_counter()
    run(steps)
    return (time.perf_counter() - t0) * 1e3 / steps


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=500, help="steps per repetition")
    ap.add_argument("--repeats", type=int, default=9, help="repetitions per side")
    args = ap.parse_args()

    xs, labels, ys = make_data()
    np_run, model = numpy_stepper(xs, ys)
    blas = numpy_blas_threads()
    print(f"numpy {np.__version__}, BLAS threads: {blas if blas is not None else 'unknown'}")

    torch: Any
    try:
        torch = importlib.import_module("torch")
    except ImportError:
        torch = None

    torch_run: Callable[[int], None] | None = None
    if torch is None:
        print("torch: not installed; reporting the NumPy figure only (budget not checkable)")
    else:
        if blas is not None:
            torch.set_num_threads(blas)
        print(f"torch {torch.__version__}, intra-op threads: {torch.get_num_threads()}")
        torch_run, _ = torch_stepper(torch, model, xs, labels)
        # sanity: both sides compute the same training run (same weights, same batches)
        np_check, m2 = numpy_stepper(xs, ys)
        t_check, net = torch_stepper(torch, m2, xs, labels)
        np_check(20)
        t_check(20)
        theirs = [t for lin in net if hasattr(lin, "weight")
                  for t in (lin.weight.detach().numpy().T, lin.bias.detach().numpy())]
        diff = max(float(np.max(np.abs(a - b) / (np.abs(b) + 1e-12)))
                   for a, b in zip(m2.params, theirs))
        print(f"same computation: max relative parameter difference after 20 steps {diff:.1e}")

    np_run(100)  # warm-up
    if torch_run is not None:
        torch_run(100)

    np_times: list[float] = []
    torch_times: list[float] = []
    for _ in range(args.repeats):
        np_times.append(per_step_ms(np_run, args.steps))
        if torch_run is not None:
            torch_times.append(per_step_ms(torch_run, args.steps))

    np_ms = statistics.median(np_times)
    print(f"reference (numpy) step: {np_ms:.4f} ms  "
          f"(median of {args.repeats} x {args.steps} steps; min {min(np_times):.4f})")
    if torch_run is None:
        return 0
    t_ms = statistics.median(torch_times)
    ratio = np_ms / t_ms
    print(f"pytorch step:           {t_ms:.4f} ms  "
          f"(median of {args.repeats} x {args.steps} steps; min {min(torch_times):.4f})")
    verdict = "within" if ratio <= 1.0 else "OVER"
    print(f"ratio numpy/torch: {ratio:.3f}  (budget <= 1.0: {verdict})")
    return 0 if ratio <= 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
