"""Visual constants, in one place: colours, sizes and timings for every scene.

Colours follow 3Blue1Brown's chapter: a dark background, white neuron outlines,
fill = activation, blue for positive weights and red for negative ones. Sizes are in
manim units (the frame is 8 units high); timings in seconds.
"""
from manim import BLUE, GREY_B, RED, WHITE, YELLOW

BACKGROUND = "#000000"

# Neurons: white circles filled white with opacity = activation.
NEURON_RADIUS = 0.15
NEURON_STROKE = WHITE
NEURON_STROKE_WIDTH = 1.6
NEURON_FILL = WHITE
NEURON_SPACING = 0.42        # centre to centre within a layer
LAYER_SPACING = 2.3          # between layer columns
INPUT_GAP = 0.55             # extra room for the ellipsis in the middle of the input column
MAX_DRAWN_NEURONS = 16       # a wider layer shows its 16 most active neurons, like the input column
NETWORK_MAX_WIDTH = 8.6      # frame units left of the digit for the columns: deeper networks pack closer
MIN_FONT_SIZE = 17           # capitals 10 px tall at 480p: no text of the video layout is smaller
INDEX_FONT_SIZE = MIN_FONT_SIZE  # the index beside a drawn neuron of a wide layer
INDEX_GAP = 0.1              # frame units between that index and its neuron: off the circle, never against it
INDEX_COLOUR = GREY_B

# Edges: colour = sign, width and opacity = magnitude, relative to the bundle.
POSITIVE = BLUE
NEGATIVE = RED
EDGE_MAX_WIDTH = 3.2         # stroke width of the strongest edges (manim stroke units)
EDGE_MIN_WIDTH = 0.4
EDGE_MIN_OPACITY = 0.06      # weakest edges stay faintly visible
EDGE_MAX_OPACITY = 0.9
EDGE_SCALE_PERCENTILE = 95   # |w| at this percentile of a bundle draws at full strength:
                             # one outlier must not fade all others into grey mush
EDGE_LEVELS = 12             # strengths are drawn in this many steps of width and opacity,
                             # so a bundle is 2 x 12 paths rather than hundreds of lines
SIGNAL_WIDTH_FACTOR = 1.0    # a pulse is this much wider than the edge it travels on
SIGNAL_MIN_WIDTH = 0.8       # plus this, so that weak edges still carry a visible pulse
SIGNAL_LENGTH = 0.15         # fraction of an edge the pulse covers at once

# Pixels of the 28x28 grid: white squares with opacity = pixel value.
PIXEL_GRID_SIZE = 3.2        # side of the whole grid
PIXEL_STROKE = GREY_B
PIXEL_STROKE_OPACITY = 0.35
PIXEL_STROKE_WIDTH = 0.5

HIGHLIGHT = YELLOW
TEXT = WHITE
LABEL_FONT_SIZE = 22
CAPTION_FONT_SIZE = 26

# Timing: calm, about 1-2 s per beat, as in the original.
APPEAR_SECONDS = 1.0
POOL_SECONDS = 0.6
UNROLL_SECONDS = 1.5
TRANSITION_SECONDS = 1.5
PACED_TRANSITIONS = 3        # a pass through a deeper network is paced to take as long as this many
PAUSE_SECONDS = 0.6
ANSWER_SECONDS = 1.0
HOLD_SECONDS = 1.5

# Heatmaps of weights: blue positive, red negative, opacity = |w| relative to the map's
# largest magnitude, in HEATMAP_LEVELS steps (one mobject per step and sign).
HEATMAP_LEVELS = 12
HEATMAP_SIZE = 3.2

# Formulas and captions.
FORMULA_FONT_SIZE = 40
SMALL_FONT_SIZE = 20
TITLE_FONT_SIZE = 34
HOPE_COLOUR = "#a0a0a0"      # the made-up illustration of HopedForFeatures: grey, never blue/red

# Chapter pacing.
READ_SECONDS = 1.2           # time to read a caption or a formula


# Text sizes per layout (scenes.settings.LAYOUTS). "video" is the sizes above, legible
# at 854x480. "post" is the GIF preset: its frames are scaled to 480 px wide (270 high),
# 270/8 px per frame unit instead of 480/8, so a text must be 16/9 as big for its
# capitals to stay 10 px tall. Sizes are lifted to a floor, and above it keep half of
# their lead over the smallest size: titles stay larger than labels without eating the
# frame. Beats never multiply a size themselves: they ask their story's Typography.
POST_MIN_TEXT_SIZE = 30   # Text: a capital is 0.010125 units per point; 30 pt -> 10.25 px at 270 px high
POST_MIN_MATH_SIZE = 43   # MathTex: 0.00709 units per point; 43 pt -> 10.3 px
POST_GROWTH = 0.5         # of a size's lead over SMALL_FONT_SIZE (text) or MATH_BASE (formulas)
MATH_BASE = 30            # the smallest formula size a beat asks for


class Typography:
    """The text sizes of one layout: `text(base)` and `math(base)` turn a video size into
    this layout's, and the named sizes are the roles every beat uses."""

    def __init__(self, layout: str = "video"):
        self.layout = layout
        self.post = layout == "post"

    def text(self, base: float) -> float:
        return self._lifted(base, POST_MIN_TEXT_SIZE, SMALL_FONT_SIZE)

    def math(self, base: float) -> float:
        return self._lifted(base, POST_MIN_MATH_SIZE, MATH_BASE)

    def _lifted(self, base: float, floor: float, smallest: float) -> float:
        if not self.post:
            return base
        return max(base, floor + POST_GROWTH * max(0.0, base - smallest))

    @property
    def small(self) -> float:
        return self.text(SMALL_FONT_SIZE)

    @property
    def label(self) -> float:
        return self.text(LABEL_FONT_SIZE)

    @property
    def caption(self) -> float:
        return self.text(CAPTION_FONT_SIZE)

    @property
    def title(self) -> float:
        return self.text(TITLE_FONT_SIZE)

    @property
    def formula(self) -> float:
        return self.math(FORMULA_FONT_SIZE)

    def pick(self, video, post):
        """One value for the video layout, another for the post one: a size, a position,
        a shorter caption. Reflowing is the beat's; the sizes stay here."""
        return post if self.post else video


VIDEO = Typography("video")
