"""Every cap on what nn-explainer will read or build, in one place, with its reason.

Each cap sits well above real use (the committed export is 0.4 MB, MNIST's largest
file 47 MB decompressed, the default network 13,002 parameters) and is checked
*before* the memory is allocated or the bytes are read: a hostile or mistaken input
(a gzip bomb, /dev/zero given as an export, a checkpoint header claiming a million
hidden units, a 20000x20000 PNG) ends in one line naming the cap, never in an
exhausted machine. The README's "Limits" table lists them; keep the two in step.
"""
from __future__ import annotations

from .errors import UserError

MiB = 1024 * 1024

# Files, in bytes.
MAX_EXPORT_BYTES = 512 * MiB           # an export of the largest network allowed below is about 350 MB
MAX_IDX_BYTES = 256 * MiB              # one IDX file, compressed or decompressed (MNIST's largest: 47 MB)
MAX_CHECKSUMS_BYTES = 64 * 1024        # SHA256SUMS: four lines in practice
MAX_CHECKPOINT_BYTES = 1024 * MiB      # weights of MAX_PARAMETERS float32s are 100 MB
MAX_CHECKPOINT_HEADER_BYTES = 16 * MiB  # safetensors' JSON header: shapes plus our metadata
MAX_IMAGE_FILE_BYTES = 128 * MiB       # a user's digit image
MAX_SIDECAR_BYTES = 1 * MiB            # a clip's sidecar JSON is about 1 kB
MAX_MANIFEST_BYTES = 64 * MiB          # media/manifest.json: every sidecar
MAX_METRICS_BYTES = 64 * MiB           # a checkpoint's .metrics.json: one line per epoch

# JSON structure: our files nest at most 5 deep; deeper input is refused before parsing
# (Python's parser would recurse and raise RecursionError).
MAX_JSON_DEPTH = 32

# Images: a 50-megapixel phone photo fits; Pillow's decompression-bomb guard uses this too.
MAX_IMAGE_PIXELS = 64_000_000

# Networks.
MAX_HIDDEN_LAYERS = 6                  # the diagram spaces up to 8 columns across the frame
MAX_HIDDEN_WIDTH = 4096                # neurons in one hidden layer
MAX_PARAMETERS = 25_000_000            # weights and biases in all: 100 MB as float32

# Convolutional networks (model/conv_schema.py): pytorch/examples' MNIST CNN has 2 convolutions
# of 32 and 64 maps, 3x3 kernels, and 126,000 values in one example's maps.
MAX_CONV_LAYERS = 64                   # layers of every kind, activations and pooling included
MAX_CHANNELS = 1024                    # feature maps out of one convolution
MAX_KERNEL_SIDE = 32                   # a convolution's or a pooling's window, either side
MAX_MAP_SIDE = 512                     # a feature map's height or width (the input is 28)
MAX_MAP_VALUES = 4_000_000             # one example's maps, every layer's together: 16 MB as float32

# Training.
MAX_SEED = 2**32 - 1                   # seeds are 0 .. 2^32-1, as numpy's and most tools' are
MAX_EPOCHS = 1000
MAX_SNAPSHOTS = 16                     # each kept epoch is a whole export and checkpoint


def parameter_count(sizes) -> int:
    """Weights and biases of a fully connected network with these layer sizes."""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes, sizes[1:]))


def check_network_sizes(sizes, what: str = "network") -> None:
    """Refuse, before anything is allocated, a network beyond the caps. `sizes` are all
    layer widths, input and output included."""
    hidden = list(sizes[1:-1])
    shape = "-".join(map(str, sizes))
    if not 1 <= len(hidden) <= MAX_HIDDEN_LAYERS:
        raise UserError(f"{what} {shape}: 1-{MAX_HIDDEN_LAYERS} hidden layers allowed, it has {len(hidden)}")
    if any(width > MAX_HIDDEN_WIDTH for width in hidden):
        raise UserError(f"{what} {shape}: hidden layers are at most {MAX_HIDDEN_WIDTH} neurons wide")
    count = parameter_count(sizes)
    if count > MAX_PARAMETERS:
        raise UserError(f"{what} {shape}: {count:,} parameters, over the limit of {MAX_PARAMETERS:,}")


def check_conv_network(channels, kernels, shapes, parameters: int, what: str = "network") -> None:
    """Refuse, before any kernel or map is allocated, a convolutional network beyond the
    caps: `channels` of each convolution, `kernels` (sides of every window), `shapes` of
    every layer's output, `parameters` in all."""
    if len(shapes) > MAX_CONV_LAYERS:
        raise UserError(f"{what}: {len(shapes)} layers, over the limit of {MAX_CONV_LAYERS}")
    if any(c > MAX_CHANNELS for c in channels):
        raise UserError(f"{what}: a convolution makes {max(channels):,} maps, over the limit of {MAX_CHANNELS}")
    if any(k > MAX_KERNEL_SIDE for k in kernels):
        raise UserError(f"{what}: a {max(kernels)}-wide window, over the limit of {MAX_KERNEL_SIDE}")
    if any(side > MAX_MAP_SIDE for shape in shapes for side in shape[1:]):
        raise UserError(f"{what}: a feature map over {MAX_MAP_SIDE} pixels wide")
    values = sum(_product(shape) for shape in shapes)
    if values > MAX_MAP_VALUES:
        raise UserError(f"{what}: {values:,} values in one example's maps, over the limit of {MAX_MAP_VALUES:,}")
    if parameters > MAX_PARAMETERS:
        raise UserError(f"{what}: {parameters:,} parameters, over the limit of {MAX_PARAMETERS:,}")


def _product(shape) -> int:
    count = 1
    for side in shape:
        count *= int(side)
    return count


def check_size(what: str, size: int, cap: int) -> None:
    """Refuse `size` bytes of `what` if over `cap`, naming both."""
    if size > cap:
        raise UserError(f"{what}: {_bytes(size)}, over the limit of {_bytes(cap)}")


def _bytes(count: int) -> str:
    return f"{count / MiB:.1f} MiB" if count >= MiB else f"{count:,} bytes"
