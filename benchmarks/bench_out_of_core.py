"""Training on a Dask collection larger than what a process should hold.

Four measurements, each in a fresh process:

- ``memory``: a fit over a lazily generated float32 Dask array of
  ``--gib`` GiB (blocks of 10,000 sequences x 50 steps x 64 features, 122
  MiB each, generated when computed), Dask's threaded scheduler: the
  process's resident memory before ``fit`` and its peak during ``fit``
  (Linux's VmHWM, reset just before the fit);
- ``cluster``: the same fit with a ``dask.distributed`` ``LocalCluster`` of
  two worker processes: the blocks are generated on the workers, and the
  client process's peak is measured the same way;
- ``transfer``: on that cluster, the time to compute a block on a worker and
  bring it to the client, against the time to train on that block;
- ``designs``: on that cluster, one epoch over the blocks both ways: the
  blocks moved to the model (the estimators' own ``fit``, with ``y`` already
  in memory), and the model moved to the blocks (dask-ml's ``Incremental``
  way: ``partial_fit`` of each block on the worker that computed it, the
  next block computed meanwhile), medians of ``--repeat`` runs;
- ``speed``: the epoch time of a fit over a Dask array of data that fits in
  memory (20,000 sequences x 50 x 16, in blocks of 2,000) against the same
  fit in memory, medians of ``--repeat`` runs, with the spread; then again
  with another process holding one core.

Run with::

    python benchmarks/bench_out_of_core.py [--gib 2] [--repeat 3]
        [--output FILE]
"""

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
import warnings

import numpy as np
from bench_vs_pytorch import BusyCore

STEPS, FEATURES, BLOCK = 50, 64, 10_000


def rss_mib():
    with open("/proc/self/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    return int(fields["VmRSS"].split()[0]) / 1024


def reset_peak():
    """Make VmHWM (the peak resident size) start again from the current one."""
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def peak_mib():
    with open("/proc/self/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    return int(fields["VmHWM"].split()[0]) / 1024


def generated_block(seed, n):
    """Sequences made where they are computed; the label is the sign of the
    first feature's sum, so that y is a cheap pass over X."""
    return np.random.default_rng(seed).standard_normal(
        (n, STEPS, FEATURES), dtype=np.float32
    )


def lazy_data(gib):
    import dask
    import dask.array as da

    n_blocks = max(1, round(gib * 2**30 / (BLOCK * STEPS * FEATURES * 4)))
    parts = [
        da.from_delayed(
            dask.delayed(generated_block)(seed, BLOCK),
            shape=(BLOCK, STEPS, FEATURES),
            dtype=np.float32,
        )
        for seed in range(n_blocks)
    ]
    X = da.concatenate(parts)
    y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    return X, y


def warm_up():
    """Compile (or load) the kernels before anything is measured."""
    from sklearn_rnn import RNNClassifier

    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 5, FEATURES)).astype(np.float32)
    RNNClassifier(max_iter=1).fit(X, rng.randint(0, 2, 40))


def fit_measured(X, y):
    from sklearn_rnn import RNNClassifier

    before = rss_mib()
    reset_peak()
    start = time.perf_counter()
    RNNClassifier(max_iter=1, random_state=0).fit(X, y)
    return {
        "seconds": time.perf_counter() - start,
        "rss_before_mib": before,
        "peak_mib": peak_mib(),
    }


def section_memory(args):
    import dask

    warm_up()
    X, y = lazy_data(args.gib)
    with dask.config.set(scheduler="threads"):
        result = fit_measured(X, y)
    result["data_gib"] = X.nbytes / 2**30
    result["blocks"] = X.numblocks[0]
    return result


def section_cluster(args):
    from dask.distributed import Client, LocalCluster

    warm_up()
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as c,
        Client(c),
    ):
        X, y = lazy_data(args.gib)
        result = fit_measured(X, y)
    result["data_gib"] = X.nbytes / 2**30
    return result


def section_transfer(args):
    from dask.distributed import Client, LocalCluster

    from sklearn_rnn import RNNClassifier

    warm_up()
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as c,
        Client(c) as client,
    ):
        X, y = lazy_data(0.5)
        y = y.compute()
        block = X.blocks[1]
        moves, trains = [], []
        model = RNNClassifier(random_state=0)
        model.partial_fit(X.blocks[0].compute(), y[:BLOCK], classes=[0, 1])
        for _ in range(args.repeat):
            start = time.perf_counter()
            values = client.compute(block).result()
            moves.append(time.perf_counter() - start)
            start = time.perf_counter()
            model.partial_fit(values, y[BLOCK : 2 * BLOCK])
            trains.append(time.perf_counter() - start)
            del values
    return {"compute_and_move_s": moves, "train_s": trains}


def section_speed(args):
    import dask
    import dask.array as da

    from sklearn_rnn import RNNClassifier

    warm_up()
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20_000, STEPS, 16)).astype(np.float32)
    y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    lazy = da.from_array(X, chunks=(2_000, -1, -1))
    params = dict(max_iter=2, random_state=0, hidden_layer_sizes=(32,))
    RNNClassifier(**params).fit(X[:100], y[:100])  # compile this input width
    result = {}
    with warnings.catch_warnings(), dask.config.set(scheduler="threads"):
        warnings.simplefilter("ignore")
        for busy in (False, True):
            memory, blocks = [], []
            with BusyCore() if busy else contextlib.nullcontext():
                for _ in range(args.repeat):  # interleaved: one machine for both
                    start = time.perf_counter()
                    RNNClassifier(**params).fit(X, y)
                    memory.append((time.perf_counter() - start) / params["max_iter"])
                    start = time.perf_counter()
                    RNNClassifier(**params).fit(lazy, y)
                    blocks.append((time.perf_counter() - start) / params["max_iter"])
            suffix = "_busy" if busy else ""
            result["memory_epoch_s" + suffix] = memory
            result["dask_epoch_s" + suffix] = blocks
    return result


def _partial_fit(model, block, y_block):
    """One block's ``partial_fit``, on the worker that holds the block."""
    import warnings as _warnings

    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        return model.partial_fit(block, y_block, classes=[0, 1])


def section_designs(args):
    from dask.distributed import Client, LocalCluster, wait

    from sklearn_rnn import RNNClassifier

    warm_up()
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as c,
        Client(c) as client,
    ):
        X, y = lazy_data(args.gib)
        y = y.compute()
        client.run(warm_up)  # compile (or load) the kernels on the workers too
        parts = X.to_delayed().ravel()
        to_model, to_blocks = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                RNNClassifier(max_iter=1, random_state=0).fit(X, y)
            to_model.append(time.perf_counter() - start)

            start = time.perf_counter()
            model = client.scatter(RNNClassifier(random_state=0))
            blocks = [client.compute(parts[0])]
            for k in range(len(parts)):
                if k + 1 < len(parts):  # the next block, computed meanwhile
                    blocks.append(client.compute(parts[k + 1]))
                model = client.submit(
                    _partial_fit, model, blocks[k], y[k * BLOCK : (k + 1) * BLOCK]
                )
                wait(model)
                blocks[k] = None
            model.result()
            to_blocks.append(time.perf_counter() - start)
    return {"block_to_model_s": to_model, "model_to_block_s": to_blocks}


SECTIONS = {
    "memory": section_memory,
    "cluster": section_cluster,
    "transfer": section_transfer,
    "designs": section_designs,
    "speed": section_speed,
}


def report(results, args):
    memory, cluster = results["memory"], results["cluster"]
    transfer, speed = results["transfer"], results["speed"]
    designs = results["designs"]

    def ratios(suffix):
        dask_times = np.array(speed["dask_epoch_s" + suffix])
        return dask_times / np.array(speed["memory_epoch_s" + suffix])

    quiet, busy = ratios(""), ratios("_busy")
    lines = [
        "| measurement | figure |",
        "|---|---|",
        f"| data set | {memory['data_gib']:.2f} GiB float32, {memory['blocks']} "
        f"blocks of {BLOCK:,} sequences x {STEPS} steps x {FEATURES} features |",
        f"| threaded scheduler: resident before fit | {memory['rss_before_mib']:.0f} "
        "MiB |",
        f"| threaded scheduler: peak during fit | {memory['peak_mib']:.0f} MiB "
        f"(+{memory['peak_mib'] - memory['rss_before_mib']:.0f} MiB); fit of one "
        f"epoch, y's pass included, {memory['seconds']:.0f} s |",
        f"| LocalCluster (2 workers): client resident before fit | "
        f"{cluster['rss_before_mib']:.0f} MiB |",
        f"| LocalCluster: client peak during fit | {cluster['peak_mib']:.0f} MiB "
        f"(+{cluster['peak_mib'] - cluster['rss_before_mib']:.0f} MiB); fit of one "
        f"epoch, y's pass included, {cluster['seconds']:.0f} s |",
        f"| LocalCluster: compute a block on a worker and move it to the client | "
        f"median {np.median(transfer['compute_and_move_s']):.2f} s |",
        f"| train one epoch on that block | median "
        f"{np.median(transfer['train_s']):.2f} s |",
        f"| LocalCluster: one epoch, blocks moved to the model (median of "
        f"{args.repeat}; spread) | {np.median(designs['block_to_model_s']):.1f} s "
        f"({min(designs['block_to_model_s']):.1f} to "
        f"{max(designs['block_to_model_s']):.1f}) |",
        f"| LocalCluster: one epoch, the model moved to the blocks | "
        f"{np.median(designs['model_to_block_s']):.1f} s "
        f"({min(designs['model_to_block_s']):.1f} to "
        f"{max(designs['model_to_block_s']):.1f}) |",
        f"| in-memory data: epoch in memory | median "
        f"{np.median(speed['memory_epoch_s']):.3f} s |",
        f"| in-memory data: epoch over a Dask array of 10 blocks | median "
        f"{np.median(speed['dask_epoch_s']):.3f} s |",
        f"| ratio Dask / memory (median of {args.repeat}; spread) | "
        f"{np.median(quiet):.2f} ({quiet.min():.2f} to {quiet.max():.2f}) |",
        f"| the same, one core busy with another process | "
        f"{np.median(busy):.2f} ({busy.min():.2f} to {busy.max():.2f}); epochs "
        f"{np.median(speed['memory_epoch_s_busy']):.3f} s in memory, "
        f"{np.median(speed['dask_epoch_s_busy']):.3f} s over Dask |",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gib", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output")
    parser.add_argument("--section", choices=SECTIONS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.section:  # one measurement, in this fresh process
        print(json.dumps(SECTIONS[args.section](args)))
        return
    results = {}
    for name in SECTIONS:
        command = [sys.executable, __file__, "--section", name]
        command += ["--gib", str(args.gib), "--repeat", str(args.repeat)]
        out = subprocess.run(
            command, check=True, capture_output=True, text=True, env=os.environ
        )
        results[name] = json.loads(out.stdout.strip().splitlines()[-1])
        print(name, results[name], flush=True)
    table = report(results, args)
    print(table)
    if args.output:
        with open(args.output, "w") as out:
            out.write(table + "\n")


if __name__ == "__main__":
    main()
