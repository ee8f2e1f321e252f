"""The digit explorer of lesson 10 (``nnlib.widgets``)."""

from ._base import _ipywidgets, index_slider, interactive_plot, slider


def noisy_digit(image, noise=0.0, seed=0):
    """Blend an image with seeded uniform noise: (1 - noise) * image + noise * U.

    image : ndarray, shape (784,) or (28, 28), pixels scaled to [0, 1].
    noise : in [0, 1]; 0 returns the image unchanged, 1 returns pure noise U.
    seed : U = np.random.default_rng(seed).random(784), the same noise for the same seed.
    Returns ndarray, shape (784,), in the image's float dtype (float32 for load_mnist's images).
    """
    import numpy as np

    image = np.asarray(image)
    if image.size != 784:
        raise ValueError(f"an MNIST image has 784 pixels (28x28), got shape {image.shape}")
    if not 0.0 <= noise <= 1.0:
        raise ValueError(f"noise is a fraction between 0 and 1, got {noise}")
    if image.dtype.kind in "ui" or np.max(image) > 1.0:
        raise ValueError(
            f"the image has pixels up to {np.max(image):g}; scale them to [0, 1] first "
            "(load_mnist(scale=True), or divide by 255)"
        )
    image = image.reshape(784)
    if noise == 0:
        return image.copy()
    uniform = np.random.default_rng(seed).random(784).astype(image.dtype)
    return ((1.0 - noise) * image + noise * uniform).astype(image.dtype)


def digit_probabilities(model, image):
    """The softmax of the model's 10 scores for one image (784,): ndarray, shape (10,)."""
    import numpy as np

    from ..activations import softmax

    Z = model.forward(np.asarray(image).reshape(1, 784))
    return softmax(Z)[0]


def draw_digit_prediction(model, image, label=None, noise=0.0, seed=0, fig=None):
    """One image and what the network says about it.

    Left: the image (after blending in ``noise`` of seeded uniform noise, see ``noisy_digit``),
    28 x 28 pixels, white 0 to black 1; its title gives the true ``label`` (if known) and the
    noise. Right: the softmax probability of each of the 10 classes as bars: the predicted
    class in blue when it is right (or when there is no label), in vermillion when it is wrong;
    the true class hatched. The title gives the prediction and its probability (the
    "confidence"). ``model`` takes rows of 784 pixels in [0, 1] and returns 10 scores, like
    ``mlp([784, 256, 10])``. Returns the Figure.
    """
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.patches import Patch

    from ..plot import COLORS

    x = noisy_digit(image, noise, seed)
    p = digit_probabilities(model, x)
    k = int(np.argmax(p))
    right = label is None or k == int(label)

    if fig is None:
        fig = plt.figure(figsize=(8.0, 3.4))
    ax_img, ax_bar = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})

    ax_img.imshow(x.reshape(28, 28), cmap="gray_r", vmin=0.0, vmax=1.0)
    ax_img.set(xticks=[0, 27], yticks=[0, 27], xlabel="pixel column", ylabel="pixel row")
    known = "label unknown" if label is None else f"true label {int(label)}"
    ax_img.set_title(f"{known}, noise {noise:.0%}", fontsize=10)

    colors = [COLORS[8]] * 10
    colors[k] = COLORS[0] if right else COLORS[5]
    bars = ax_bar.bar(np.arange(10), p, color=colors, edgecolor="black", linewidth=0.6)
    if label is not None:
        bars[int(label)].set_hatch("///")
    ax_bar.text(k, min(p[k] + 0.03, 1.02), f"{p[k]:.1%}", ha="center", va="bottom", fontsize=9)
    ax_bar.set(xticks=range(10), ylim=(0, 1.12), xlabel="class (digit)",
               ylabel="softmax probability")
    verdict = "" if label is None else (" (right)" if right else " (wrong)")
    ax_bar.set_title(f"predicted {k} with probability {p[k]:.1%}{verdict}", fontsize=10)
    handles = [Patch(facecolor=colors[k], edgecolor="black", label="predicted class")]
    if label is not None:
        handles.append(Patch(facecolor="white", edgecolor="black", hatch="///",
                             label="true class"))
    ax_bar.legend(handles=handles, loc="upper left", fontsize="small")
    if hasattr(fig, "tight_layout"):  # a SubFigure has none
        fig.tight_layout()
    return fig


def digit_explorer(model, X, y=None, index=0, noise=0.0, seed=0):
    """Slide through the images X (m, 784) and blend in noise: what does ``model`` answer?

    ``index`` picks the image (with its label from ``y`` when given), ``noise`` blends it with
    seeded uniform noise (0: the image, 1: pure noise), and ``seed`` picks the noise pattern.
    The image has a number box beside its slider: type an index to jump straight to it.
    Pass the trained model and scaled images, e.g. ``digit_explorer(model, X_test, y_test)``.
    """
    w = _ipywidgets()
    import numpy as np

    X = np.asarray(X)
    if X.ndim == 3:
        X = X.reshape(len(X), -1)

    def draw(index, noise, seed):
        label = None if y is None else int(y[index])
        return draw_digit_prediction(model, X[index], label, noise=noise, seed=seed)

    controls = {
        "index": index_slider("image", index, 0, len(X) - 1),
        "noise": slider("noise", noise, 0.0, 1.0, step=0.05),
        "seed": w.IntSlider(value=seed, min=0, max=20, description="noise seed",
                            continuous_update=True),
    }
    return interactive_plot(draw, **controls)
