"""Training and prediction speed against an equivalent PyTorch CPU loop.

Both sides get the same shapes, float32, Adam, batches of 32 without
shuffling, and the same number of threads; warm-up runs (Numba compilation,
PyTorch's first calls) are excluded. Each figure is the median of
``--repeat`` runs, the two libraries' runs taken in turn (so that a slow
spell of a shared machine falls on both); ratios are PyTorch time /
sklearn_rnn time (above 1: sklearn_rnn is faster). A second table times the
training epochs again with another process holding one core (a pure-Python
busy loop), as on a laptop or a CI machine that is never quiet.

Each configuration also gets its achieved GFLOP/s (the multiply-adds of
the layer's matrix products, forward and backward, over the epoch's time),
beside the machine's own sgemm rate measured in the same run (NumPy's BLAS,
2048 x 2048, one and two threads).

Run it as users run: on some machines ``OPENBLAS_CORETYPE`` and
``OPENBLAS_L2_SIZE`` are set in the environment and pin NumPy's OpenBLAS to
older kernels, so the benchmark command (and only it) unsets both::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
        python benchmarks/bench_vs_pytorch.py [--threads 2] [--repeat 5]
        [--sizes 16 32 64 128 256] [--cells elman lstm gru] [--output FILE]

The report starts with the BLAS kernel that threadpoolctl shows. PyTorch is
a benchmark-only dependency: ``pip install torch`` (the CPU build).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from _timing import interleaved_medians, median_seconds

N_SEQUENCES, N_STEPS, N_FEATURES, N_CLASSES, BATCH = 1024, 50, 8, 5, 32
N_PREDICT = 10_000
#: Calls that time the prediction of one sequence (about 0.1 ms each, so a
#: few calls' median moves with every hiccup of the machine): rounds of 10
#: calls, the median round.
ONE_CALLS = 200
#: Matrix products of each cell's step: gate blocks of ``n_hidden`` columns.
GATES = {"elman": 1, "gru": 3, "lstm": 4}


def epoch_gflop(cell, hidden):
    """Multiply-adds of one training epoch's matrix products, as GFLOP: the
    forward product ``[x_t, h_{t-1}] W`` at every step, and twice as many
    backward (the gradients of the inputs and of the weights)."""
    forward = 2 * N_SEQUENCES * N_STEPS * (N_FEATURES + hidden) * GATES[cell] * hidden
    return 3 * forward / 1e9


def blas_report():
    """The BLAS NumPy uses, as threadpoolctl shows it, and the two
    environment variables that pin OpenBLAS's kernel."""
    from threadpoolctl import threadpool_info

    lines = []
    for info in threadpool_info():
        if info["user_api"] == "blas":
            lines.append(
                f"- NumPy's BLAS: {info['internal_api']} {info.get('version')}, "
                f"kernel {info.get('architecture')}"
            )
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        lines.append(f"- {name}: {os.environ.get(name, 'not set')}")
    return lines


def sgemm_rate(threads, size=2048, repeat=5):
    """GFLOP/s of NumPy's float32 matrix product on ``threads`` threads."""
    from threadpoolctl import threadpool_limits

    A = np.random.RandomState(0).normal(size=(size, size)).astype(np.float32)
    with threadpool_limits(threads, user_api="blas"):
        A @ A
        seconds = median_seconds(repeat, lambda: A @ A)
    return 2 * size**3 / seconds / 1e9


def speed_ratio(repeat, theirs, ours, X, calls=1):
    """Median time of ``theirs(X)`` over median time of ``ours(X)``: rounds of
    ``calls`` calls of each in turn (several calls a round keep a short call
    in a warm loop, as when predicting one sequence after another)."""

    def calls_of(predict):
        return lambda: [predict(X) for _ in range(calls)]

    t_theirs, t_ours = interleaved_medians(repeat, calls_of(theirs), calls_of(ours))
    return t_theirs / t_ours


class BusyCore:
    """Another process holding one core with a pure-Python loop."""

    def __enter__(self):
        self.process = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        time.sleep(0.5)
        return self

    def __exit__(self, *exc_info):
        self.process.kill()
        self.process.wait()


def data(n, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, N_STEPS, N_FEATURES)).astype(np.float32)
    y = rng.randint(0, N_CLASSES, size=n)
    return X, y


# ------------------------------------------------------------------ ours


def ours(cell, hidden):
    from sklearn.exceptions import ConvergenceWarning

    from sklearn_rnn import RNNClassifier

    def make():
        return RNNClassifier(
            cell=cell,
            hidden_layer_sizes=(hidden,),
            batch_size=BATCH,
            max_iter=1,
            shuffle=False,
            random_state=0,
        )

    warnings.simplefilter("ignore", ConvergenceWarning)  # one epoch on purpose
    X, y = data(N_SEQUENCES)
    clf = make().fit(X, y)  # warm-up: compiles or loads the kernels

    def epoch():
        make().fit(X, y)

    return clf, epoch


# --------------------------------------------------------------- PyTorch


def pytorch(cell, hidden):
    import torch
    from torch import nn

    layer = {"elman": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = layer(N_FEATURES, hidden, batch_first=True)
            self.out = nn.Linear(hidden, N_CLASSES)

        def forward(self, x):
            h, _ = self.rnn(x)
            return self.out(h[:, -1])

    torch.manual_seed(0)
    net = Net()
    X, y = data(N_SEQUENCES)
    X, y = torch.from_numpy(X), torch.from_numpy(y)

    def epoch():
        optimizer = torch.optim.Adam(net.parameters(), lr=3e-3)
        loss_fn = nn.CrossEntropyLoss()
        for start in range(0, N_SEQUENCES, BATCH):
            optimizer.zero_grad()
            loss = loss_fn(net(X[start : start + BATCH]), y[start : start + BATCH])
            loss.backward()
            optimizer.step()

    epoch()  # warm-up

    def predict(x):
        with torch.no_grad():
            return net(torch.from_numpy(x)).softmax(dim=1).numpy()

    return predict, epoch


# ------------------------------------------------------------- processes


def seconds_in_fresh_process(code, env=None):
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code], check=True, env={**os.environ, **(env or {})}
    )
    return time.perf_counter() - start


def startup_costs(cell="lstm"):
    """Import time, the first fit of one cell with an empty cache, and the same
    fit in a fresh process with a warm cache."""
    import_code = (
        "import time; s = time.perf_counter(); import sklearn_rnn; "
        "print(time.perf_counter() - s)"
    )
    out = subprocess.run(
        [sys.executable, "-c", import_code], check=True, capture_output=True, text=True
    )
    import_seconds = float(out.stdout.strip())
    fit_code = (
        "import numpy as np, warnings; warnings.simplefilter('ignore');"
        "from sklearn_rnn import RNNClassifier;"
        "X = np.random.RandomState(0).normal(size=(64, 10, 3));"
        "y = np.arange(64) % 2;"
        f"RNNClassifier(cell={cell!r}, hidden_layer_sizes=(8,), max_iter=2).fit(X, y)"
    )
    # medians of 3 fresh processes: one process's start-up moves by tenths
    # of a second, as much as the small fit itself
    baseline = np.median(
        [seconds_in_fresh_process("import sklearn_rnn") for _ in range(3)]
    )
    with tempfile.TemporaryDirectory() as cache:
        cold = seconds_in_fresh_process(fit_code, {"NUMBA_CACHE_DIR": cache})
        warm = np.median(
            [
                seconds_in_fresh_process(fit_code, {"NUMBA_CACHE_DIR": cache})
                for _ in range(3)
            ]
        )
    return {
        "import sklearn_rnn": f"{import_seconds:.2f} s",
        f"first fit of one cell ({cell}), fresh process, empty cache, beyond "
        "import": f"{cold - baseline:.1f} s",
        f"small fit ({cell}), fresh process, warm cache, beyond import": (
            f"{warm - baseline:.2f} s"
        ),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=[16, 32, 64, 128, 256])
    parser.add_argument("--cells", nargs="+", default=["elman", "lstm", "gru"])
    parser.add_argument("--output", default=None, help="write a Markdown table here")
    args = parser.parse_args()

    import numba
    import torch

    numba.set_num_threads(args.threads)
    torch.set_num_threads(args.threads)

    lines = [
        "# Speed against PyTorch (CPU)",
        "",
        "Written by `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python "
        "benchmarks/bench_vs_pytorch.py --output docs/benchmark.md`; ratios "
        "are PyTorch's time over ours (above 1: sklearn_rnn is faster). One "
        "training epoch of `RNNClassifier` against the equivalent PyTorch "
        "loop, and `predict_proba` against a forward pass without gradients.",
        "",
        f"{N_SEQUENCES} sequences x {N_STEPS} steps x {N_FEATURES} features, "
        f"{N_CLASSES} classes, batch {BATCH}, float32, Adam, {args.threads} "
        f"threads on both sides, median of {args.repeat} runs ({ONE_CALLS // 10} "
        "rounds of 10 calls for the prediction of one sequence), the two "
        "libraries' runs taken in turn.",
        "",
        *blas_report(),
        f"- sgemm, NumPy, 2048 x 2048: {sgemm_rate(1):.0f} GFLOP/s on one thread, "
        f"{sgemm_rate(args.threads):.0f} on {args.threads}",
        "",
        "| cell | hidden | epoch, PyTorch | epoch, ours | ratio | GFLOP/s, "
        "PyTorch | GFLOP/s, ours | predict 1, ratio | predict 10,000, ratio |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    print("\n".join(lines), flush=True)
    X_one, _ = data(1, seed=1)
    X_many, _ = data(N_PREDICT, seed=2)
    loaded = []
    for cell in args.cells:
        for hidden in args.sizes:
            clf, our_epoch = ours(cell, hidden)
            torch_predict, torch_epoch = pytorch(cell, hidden)
            t_torch, t_ours = interleaved_medians(args.repeat, torch_epoch, our_epoch)
            clf.predict_proba(X_one)
            torch_predict(X_one)
            p1 = speed_ratio(
                ONE_CALLS // 10, torch_predict, clf.predict_proba, X_one, calls=10
            )
            pn = speed_ratio(args.repeat, torch_predict, clf.predict_proba, X_many)
            gflop = epoch_gflop(cell, hidden)
            line = (
                f"| {cell} | {hidden} | {t_torch:.3f} s | {t_ours:.3f} s | "
                f"{t_torch / t_ours:.2f} | {gflop / t_torch:.0f} | "
                f"{gflop / t_ours:.0f} | {p1:.2f} | {pn:.2f} |"
            )
            print(line, flush=True)
            lines.append(line)
            with BusyCore():
                t_torch_busy, t_ours_busy = interleaved_medians(
                    args.repeat, torch_epoch, our_epoch
                )
            line = (
                f"| {cell} | {hidden} | {t_torch_busy:.3f} s | {t_ours_busy:.3f} s "
                f"| {t_torch_busy / t_ours_busy:.2f} | {t_ours_busy / t_ours:.2f} |"
            )
            print("busy core:", line, flush=True)
            loaded.append(line)
    lines += [
        "",
        "With another process holding one core (a pure-Python busy loop), "
        "training epochs only:",
        "",
        "| cell | hidden | epoch, PyTorch | epoch, ours | ratio | ours, busy / quiet |",
        "|---|---|---|---|---|---|",
        *loaded,
    ]
    lines.append("")
    for name, value in startup_costs().items():
        line = f"- {name}: {value}"
        print(line, flush=True)
        lines.append(line)
    if args.output:
        with open(args.output, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
