"""Your own digit: any image becomes a centred 28x28 MNIST-style input, and a bad
image is refused with one line, the export untouched."""
import numpy as np
import pytest
from PIL import Image, ImageDraw

from conftest import assert_clean_failure, run_cli
from nn_explainer.model.digit_image import load_digit
from nn_explainer.model.errors import UserError


def draw_three(size=(300, 200), ink=(20, 20, 20), paper=(245, 240, 230), offset=(170, 20), mode="RGB"):
    """A 'three' drawn off-centre (top right), dark on light by default."""
    image = Image.new(mode, size, paper)
    pen = ImageDraw.Draw(image)
    x, y = offset
    pen.arc([x, y, x + 100, y + 80], start=-180, end=90, fill=ink, width=14)
    pen.arc([x, y + 70, x + 100, y + 160], start=-90, end=180, fill=ink, width=14)
    return image


def centre_of_mass(digit):
    field = digit.reshape(28, 28)
    ys, xs = np.indices(field.shape)
    return (ys * field).sum() / field.sum(), (xs * field).sum() / field.sum()


def check_mnist_style(digit):
    assert digit.shape == (784,)
    assert digit.min() >= 0 and digit.max() <= 1 and digit.max() > 0.9
    field = digit.reshape(28, 28)
    rows = np.flatnonzero(field.max(axis=1) > 0.05)
    cols = np.flatnonzero(field.max(axis=0) > 0.05)
    assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 <= 21  # fits the 20x20 box
    assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 >= 18  # and fills it
    cy, cx = centre_of_mass(digit)
    assert abs(cy - 14) < 1.0 and abs(cx - 14) < 1.0
    # the ink is the stroke, the paper is zero: most of the field is empty
    assert (digit < 0.05).mean() > 0.6


def test_off_centre_dark_on_light(tmp_path):
    path = tmp_path / "three.png"
    draw_three().save(path)
    check_mnist_style(load_digit(path))


def test_light_on_dark_gives_the_same_digit(tmp_path):
    dark, light = tmp_path / "dark.png", tmp_path / "light.png"
    draw_three().save(dark)
    draw_three(ink=(250, 250, 250), paper=(10, 10, 10)).save(light)
    assert np.abs(load_digit(dark) - load_digit(light)).max() < 0.1


def test_transparent_canvas_export(tmp_path):
    # A canvas export: black strokes on fully transparent pixels that are black too.
    path = tmp_path / "canvas.png"
    draw_three(ink=(0, 0, 0, 255), paper=(0, 0, 0, 0), mode="RGBA").save(path)
    digit = load_digit(path)
    check_mnist_style(digit)
    opaque = tmp_path / "opaque.png"
    draw_three(paper=(255, 255, 255)).save(opaque)
    assert np.abs(digit - load_digit(opaque)).max() < 0.15


def test_greyscale_any_size(tmp_path):
    path = tmp_path / "grey.jpg"
    draw_three(size=(900, 700), ink=0, paper=255, offset=(100, 400), mode="L").resize((1800, 1400)).save(path)
    check_mnist_style(load_digit(path))


def test_the_network_reads_a_drawn_three_as_three(tmp_path):
    """Not guaranteed for every drawing, but a clean three should be read right."""
    from nn_explainer.model import paths
    from nn_explainer.model.export import forward
    from nn_explainer.model.schema import read_export

    path = tmp_path / "three.png"
    draw_three().save(path)
    outputs = forward(read_export(paths.DEFAULT_EXPORT).network, load_digit(path))[1][-1]
    assert int(np.argmax(outputs)) == 3


def test_photos_of_real_digits_on_a_shadowed_page_read_as_the_digits(mnist, tmp_path):
    """Phone photos (benchmarks/photo_digits.py) of 20 real MNIST test digits, one side of
    each page in shadow: the network reads each photo as it reads the digit itself, for
    at least 18 of the 20 (the benchmark's 200 measure the 95% target). Before the
    paper's brightness was divided out, the shadow was taken for ink: 1 in 20 or so."""
    from benchmarks.photo_digits import photograph, predictions
    from nn_explainer.model import paths
    from nn_explainer.model.schema import read_export

    network = read_export(paths.DEFAULT_EXPORT).network
    rng = np.random.default_rng(21)
    test = mnist.test_images.numpy()
    chosen = rng.choice(len(test), size=20, replace=False)
    read = []
    for index in chosen:
        photo = tmp_path / f"test{index}.jpg"
        photo.write_bytes(photograph(test[index], "shadowed", rng))
        read.append(load_digit(photo))
    agreed = predictions(network, np.stack(read)) == predictions(network, test[chosen].reshape(20, -1) / 255)
    assert agreed.sum() >= 18, f"{agreed.sum()}/20"


def bad_images(tmp_path):
    good = tmp_path / "good.png"
    draw_three().save(good)
    cases = {"missing": tmp_path / "nope.png"}
    (tmp_path / "empty.png").write_bytes(b"")
    cases["empty"] = tmp_path / "empty.png"
    (tmp_path / "text.png").write_text("this is not an image\n")
    cases["not an image"] = tmp_path / "text.png"
    (tmp_path / "truncated.png").write_bytes(good.read_bytes()[:300])
    cases["truncated"] = tmp_path / "truncated.png"
    Image.new("L", (1, 1), 0).save(tmp_path / "tiny.png")
    cases["1x1"] = tmp_path / "tiny.png"
    Image.new("RGB", (200, 200), (250, 250, 250)).save(tmp_path / "blank.png")
    cases["blank"] = tmp_path / "blank.png"
    return cases


MESSAGES = {"missing": "no such image", "empty": "empty file", "not an image": "not a readable image",
            "truncated": "not a readable image", "1x1": "too small", "blank": "no ink"}


@pytest.mark.parametrize("kind", MESSAGES)
def test_bad_image_is_refused(kind, tmp_path):
    with pytest.raises(UserError, match=MESSAGES[kind]) as refused:
        load_digit(bad_images(tmp_path)[kind])
    assert "object at 0x" not in str(refused.value) and "BytesIO" not in str(refused.value)  # no internal names


def test_cli_refuses_bad_images_and_leaves_the_export_alone(tmp_path):
    from nn_explainer.model import paths

    export = tmp_path / "network.json"
    export.write_bytes(paths.DEFAULT_EXPORT.read_bytes())
    before = export.read_bytes()
    for kind, image in bad_images(tmp_path).items():
        line = assert_clean_failure(run_cli("export", "--export", export, "--digit", image))
        assert MESSAGES[kind] in line, (kind, line)
        assert export.read_bytes() == before, kind


def test_cli_adds_a_digit_and_keeps_it_across_re_exports(tmp_path):
    from nn_explainer.model.schema import read_export

    image, export = tmp_path / "my three.png", tmp_path / "network.json"
    draw_three().save(image)
    result = run_cli("export", "--export", export, "--digit", image, "--label", 3)
    assert result.returncode == 0, result.stderr
    added = read_export(export).example("image:my-three")
    assert added.source == "image" and added.label == 3 and added.path == str(image)
    image.unlink()  # the pixels live in the export now; a re-export keeps them
    assert run_cli("export", "--export", export).returncode == 0
    kept = read_export(export).example("image:my-three")
    assert np.array_equal(kept.pixels, added.pixels)


def specks(seed=1):
    """Sixty dark dots scattered over a page: ink, but no stroke."""
    rng = np.random.default_rng(seed)
    page = Image.new("L", (240, 200), 245)
    pen = ImageDraw.Draw(page)
    for _ in range(60):
        x, y = rng.integers(0, 236), rng.integers(0, 196)
        pen.rectangle([x, y, x + 2, y + 2], fill=20)
    return page


def test_specks_and_a_blot_are_doubted_noise_and_a_gradient_refused_and_real_digits_are_not(mnist, tmp_path):
    """Specks and a blot were taken for digits without a word; noise and a smooth
    gradient hold no ink at all (grain, and light across the paper) and are refused.
    Real digits (MNIST test digits drawn large, blurred, off-centre on a page) are not
    doubted."""
    from PIL import ImageFilter

    from nn_explainer.model.digit_image import doubt, ink_map, load_digit

    rng = np.random.default_rng(0)
    blot = Image.new("L", (240, 200), 245)
    ImageDraw.Draw(blot).ellipse([100, 80, 130, 110], fill=20)
    assert doubt(ink_map(specks())) == "no connected ink, only specks"
    assert doubt(ink_map(blot)) == "a blob, not strokes"
    noise = Image.fromarray((rng.random((200, 200)) * 255).astype(np.uint8))
    gradient = Image.fromarray(np.tile(np.linspace(0, 255, 240), (200, 1)).astype(np.uint8))
    for name, image in (("noise", noise), ("gradient", gradient)):
        image.save(tmp_path / f"{name}.png")
        with pytest.raises(UserError, match="blank image: no ink found"):
            load_digit(tmp_path / f"{name}.png")
    assert doubt(ink_map(draw_three())) is None
    for index in range(40):
        digit = Image.fromarray(255 - mnist.test_images[index].numpy()).resize((280, 280), Image.BICUBIC)
        page = Image.new("L", (400, 360), 250)
        page.paste(digit, (int(rng.integers(0, 120)), int(rng.integers(0, 80))))
        assert doubt(ink_map(page.filter(ImageFilter.GaussianBlur(1.5)))) is None, index
