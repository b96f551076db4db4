"""One BLAS thread for the many small products: a few rows against a wide layer.

Measured on the 2-core machine while other work ran: a [16, 784] by [784, 512] product
took 58-80 ms with OpenBLAS's two threads (each product waits for a thread that the
other work has descheduled) and 1.6-2.3 ms with one. The neuron evidence's gradient
ascent, chapter two's gradients and the reader's checks of both make thousands of such
products: importing the PyTorch tutorial's 784-512-512-10 MLP spent 280 of its 330 s in
them. The large products (10,000 digits at once) keep every thread.
"""
from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def one_thread():
    """numpy's BLAS and torch's intra-op pool limited to one thread inside the block."""
    import sys

    from threadpoolctl import threadpool_limits

    torch = sys.modules.get("torch")  # only if already imported: the reader never imports it
    before = torch.get_num_threads() if torch is not None else None
    with threadpool_limits(limits=1, user_api="blas"):
        if torch is not None:
            torch.set_num_threads(1)
        try:
            yield
        finally:
            if torch is not None:
                torch.set_num_threads(before)
