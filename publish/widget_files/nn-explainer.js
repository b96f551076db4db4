/*
 * nn-explainer's live widget: the network of the videos, run in the browser.
 *
 * A plain script with no dependencies (a classic script, not an ES module: browsers
 * refuse module scripts from file://, and the widget must work opened from disk). It
 * defines window.nnExplainer:
 *
 *   load(url)            -> Promise of the widget data; a .js data file (weights.js) is
 *                           loaded by a <script> tag, so it works from file:// too; a
 *                           .json file (an export, or the same data) by fetch().
 *   use(data)            -> takes data already in hand (validates it, same as load).
 *   preprocess(image)    -> 784 pixel values in [0, 1] from an ImageData (any size), the
 *                           steps of model/digit_image.py; null when there is no ink.
 *   forward(pixels)      -> the activations of every layer, input first, in float64 (a
 *                           CNN's: every layer's output, each flat in channel, row,
 *                           column order).
 *   predict(pixels)      -> the index of the brightest output neuron.
 *   mount(element, url)  -> the page itself: drawing pad, network diagram (a CNN: its
 *                           feature maps), output bars.
 *
 * docs/widget.md documents all of it; publish/widget.py writes the folder.
 */
(function () {
  "use strict";

  // ---- the shape of the problem (model/shapes.py, model/digit_image.py) -------------
  var SIDE = 28;                 // MNIST images are 28x28 pixels
  var PIXELS = SIDE * SIDE;
  var BOX = 20;                  // the digit is scaled to fit 20x20, then centred in 28x28
  var INK_THRESHOLD = 0.3;       // of full ink: fainter pixels do not count for the crop
  var MIN_CONTRAST = 0.15;       // less ink than this anywhere: a blank image
  var COARSE_SIDE = 96;          // pixels: the paper's lighting is estimated on the page this small
  var STROKE_WINDOW = 1 / 4;     // of the coarse page's longer side: wider than any pen stroke
  var NOISE_SIGMAS = 3;          // ink fainter than this many noise standard deviations is noise
  var HALF_NORMAL_MEDIAN = 0.6745;   // the median of |x| for normal noise, in standard deviations
  var DARK_PAPER = 0.1;          // of the typical paper's brightness: darker paper hides its ink
  var MEDIAN_BLOCK = 64;         // ranks counted together when a running median is looked up

  // ---- activations, by the names an export uses (model/activations.py) --------------
  // Each takes a whole layer's z and gives its activations: softmax (an imported
  // network's outputs) reads every z of the layer; the others one at a time.
  function eachOf(f) {
    return function (z) {
      var out = new Float64Array(z.length);
      for (var i = 0; i < z.length; i++) out[i] = f(z[i]);
      return out;
    };
  }
  var ACTIVATIONS = {
    sigmoid: eachOf(function (z) { return 1 / (1 + Math.exp(-z)); }),
    relu: eachOf(function (z) { return z > 0 ? z : 0; }),
    tanh: eachOf(function (z) { return Math.tanh(z); }),
    softmax: function (z) {          // shifted by the largest z, as numpy's: no overflow
      var top = -Infinity, total = 0, out = new Float64Array(z.length), i;
      for (i = 0; i < z.length; i++) if (z[i] > top) top = z[i];
      for (i = 0; i < z.length; i++) { out[i] = Math.exp(z[i] - top); total += out[i]; }
      for (i = 0; i < z.length; i++) out[i] /= total;
      return out;
    }
  };
  // Bounded activations are drawn as they are; the others relative to the layer's largest.
  var BOUNDED = { sigmoid: true, tanh: true, softmax: true };

  function activationFunction(name) {
    if (!Object.prototype.hasOwnProperty.call(ACTIVATIONS, name)) {
      throw new Error("nn-explainer: unknown activation " + JSON.stringify(name) +
                      " (this widget knows " + Object.keys(ACTIVATIONS).join(", ") + ")");
    }
    return ACTIVATIONS[name];
  }

  // ---- data: the network and its examples --------------------------------------------
  var current = null;            // the data last given to load() or use()

  /* Check the data's shape and turn each weight matrix into one flat Float64Array (row j
     of layer l is weights[l][j*in .. j*in+in-1]): the forward pass then reads memory in
     order. JSON numbers parse to the same float64 values Python wrote. */
  function prepare(data) {
    if (data && data.convnet) return prepareConv(data);
    var network = data && data.network;
    if (!network || !Array.isArray(network.sizes)) throw new Error("nn-explainer: no network in the data");
    var sizes = network.sizes;
    if (sizes[0] !== PIXELS) throw new Error("nn-explainer: the input layer must have " + PIXELS + " neurons");
    var hidden = activationFunction(network.hidden_activation);
    var output = activationFunction(network.output_activation);
    var layers = [];
    for (var l = 0; l + 1 < sizes.length; l++) {
      var rows = network.weights[l], bias = network.biases[l];
      var inputs = sizes[l], outputs = sizes[l + 1];
      if (!rows || rows.length !== outputs || !bias || bias.length !== outputs) {
        throw new Error("nn-explainer: layer " + l + " does not match sizes " + JSON.stringify(sizes));
      }
      var flat = new Float64Array(outputs * inputs);
      for (var j = 0; j < outputs; j++) {
        if (rows[j].length !== inputs) throw new Error("nn-explainer: weights[" + l + "][" + j + "] has the wrong length");
        flat.set(rows[j], j * inputs);
      }
      layers.push({ inputs: inputs, outputs: outputs, weights: flat, biases: Float64Array.from(bias),
                    activationName: l + 2 === sizes.length ? network.output_activation : network.hidden_activation,
                    activation: l + 2 === sizes.length ? output : hidden });
    }
    return { sizes: sizes.slice(), layers: layers, examples: data.examples || [], style: data.style || null,
             source: data.source || null };
  }

  // ---- a convolutional network (docs/export-format.md, "Convolutional networks") ------
  // The data's `convnet` section is the export's own: the layer list in order, every
  // kernel, weight and bias as float32 little-endian base64. float32 values are exact
  // in float64, so the page computes with the very numbers the export holds, and
  // model/conv_formula.py's arithmetic step for step: zero-padded convolution, max
  // pooling padded with -Infinity, average pooling padded with 0 and the padding counted
  // in the mean (torch's default), flatten in channel, row, column order.
  var CONV_ENCODING = "float32-le-base64";
  var CLASSES = 10;

  /* `count` float32s from base64, as float64: a wrong length or a non-finite value is an error. */
  function decodeFloats(text, count, where) {
    if (typeof text !== "string") throw new Error("nn-explainer: " + where + " is not a " + CONV_ENCODING + " string");
    var bytes;
    try { bytes = atob(text); } catch (error) { throw new Error("nn-explainer: " + where + " is not valid base64"); }
    if (bytes.length !== 4 * count) {
      throw new Error("nn-explainer: " + where + " holds " + bytes.length / 4 + " values, not " + count);
    }
    var view = new DataView(new ArrayBuffer(bytes.length)), out = new Float64Array(count), i;
    for (i = 0; i < bytes.length; i++) view.setUint8(i, bytes.charCodeAt(i));
    for (i = 0; i < count; i++) {
      out[i] = view.getFloat32(4 * i, true);
      if (!isFinite(out[i])) throw new Error("nn-explainer: " + where + " holds NaN or infinite values");
    }
    return out;
  }

  function pairOf(entry, key, where, low) {
    var value = entry[key];
    if (!Array.isArray(value) || value.length !== 2 ||
        !value.every(function (v) { return Number.isInteger(v) && v >= low; })) {
      throw new Error("nn-explainer: " + where + "." + key + " must be two integers of at least " + low);
    }
    return value.slice();
  }

  /* torch's rule for one side of a window's output: (n + 2p - k) // s + 1. */
  function windowSide(size, kernel, stride, padding) {
    return Math.floor((size + 2 * padding - kernel) / stride) + 1;
  }

  function product(shape) {
    return shape.reduce(function (p, n) { return p * n; }, 1);
  }

  /* The `convnet` section as layers ready to run, every shape checked before any array is decoded. */
  function prepareConv(data) {
    var net = data.convnet;
    if (!net || net.encoding !== CONV_ENCODING) throw new Error("nn-explainer: convnet.encoding must be " + CONV_ENCODING);
    if (!Array.isArray(net.input) || net.input.join() !== [1, SIDE, SIDE].join()) {
      throw new Error("nn-explainer: convnet.input must be [1, " + SIDE + ", " + SIDE + "]");
    }
    if (!Array.isArray(net.layers) || net.layers.length < 2) throw new Error("nn-explainer: convnet.layers must hold layers");
    var shape = [1, SIDE, SIDE], shapes = [shape], layers = [];
    net.layers.forEach(function (entry, index) {
      var where = "convnet.layers[" + index + "]", kind = entry && entry.kind, layer = { kind: kind, name: entry && entry.name };
      if (kind === "conv2d" || kind === "maxpool" || kind === "avgpool") {
        if (shape.length !== 3) throw new Error("nn-explainer: " + where + ": a " + kind + " needs feature maps");
        layer.kernel = pairOf(entry, "kernel", where, 1);
        layer.stride = pairOf(entry, "stride", where, 1);
        layer.padding = pairOf(entry, "padding", where, 0);
        var channels = shape[0];
        if (kind === "conv2d") {
          if (entry.in_channels !== shape[0]) {
            throw new Error("nn-explainer: " + where + ".in_channels is " + entry.in_channels + ", but the layer before gives " + shape[0] + " maps");
          }
          channels = entry.out_channels;
          if (!Number.isInteger(channels) || channels < 1) throw new Error("nn-explainer: " + where + ".out_channels must be a positive integer");
        }
        var sides = [0, 1].map(function (d) { return windowSide(shape[d + 1], layer.kernel[d], layer.stride[d], layer.padding[d]); });
        if (Math.min(sides[0], sides[1]) < 1) throw new Error("nn-explainer: " + where + ": its window does not fit a " + shape.slice(1).join("x") + " map");
        if (kind === "conv2d") {
          layer.weight = decodeFloats(entry.weight, channels * shape[0] * layer.kernel[0] * layer.kernel[1], where + ".weight");
          layer.bias = decodeFloats(entry.bias, channels, where + ".bias");
        }
        shape = [channels, sides[0], sides[1]];
      } else if (kind === "flatten") {
        shape = [product(shape)];
      } else if (kind === "dense") {
        if (shape.length !== 1 || entry["in"] !== shape[0] || !Number.isInteger(entry.out) || entry.out < 1) {
          throw new Error("nn-explainer: " + where + ": a dense layer of " + entry["in"] + " inputs, but the layer before gives " + shape.join("x"));
        }
        layer.inputs = shape[0];
        layer.outputs = entry.out;
        layer.weight = decodeFloats(entry.weight, entry.out * shape[0], where + ".weight");
        layer.bias = decodeFloats(entry.bias, entry.out, where + ".bias");
        shape = [entry.out];
      } else {
        layer.activation = activationFunction(kind);   // an unknown name: an error, never a guess
      }
      layers.push(layer);
      shapes.push(shape);
    });
    var last = layers[layers.length - 1];
    if (!last.activation || shape.length !== 1 || shape[0] !== CLASSES) {
      throw new Error("nn-explainer: convnet.layers must end in " + CLASSES + " outputs and the output activation");
    }
    var hidden = layers.filter(function (layer, i) { return layer.activation && i < layers.length - 1; });
    return { convolutional: true, layers: layers, shapes: shapes, sizes: shapes.map(product),
             outputActivation: last.kind, hiddenActivation: hidden.length ? hidden[0].kind : null,
             examples: (data.examples || []).map(examplePixels), style: data.style || null, source: data.source || null };
  }

  /* An example as the page uses it: pixels as numbers (an export's own are base64). */
  function examplePixels(example) {
    if (typeof example.pixels !== "string") return example;
    return Object.assign({}, example, { pixels: Array.from(decodeFloats(example.pixels, PIXELS, "example " + example.id + " pixels")) });
  }

  /* Every layer's output, input first, each a flat Float64Array (channel, row, column). */
  function forwardConv(pixels, network) {
    var x = Float64Array.from(pixels), outputs = [x];
    for (var l = 0; l < network.layers.length; l++) {
      var layer = network.layers[l], before = network.shapes[l], after = network.shapes[l + 1];
      if (layer.kind === "conv2d") x = conv2d(x, layer, before, after);
      else if (layer.kind === "maxpool" || layer.kind === "avgpool") x = pool2d(x, layer, before, after);
      else if (layer.kind === "flatten") x = Float64Array.from(x);
      else if (layer.kind === "dense") x = dense(x, layer);
      else x = layer.activation(x);
      outputs.push(x);
    }
    return outputs;
  }

  /* out[o, i, j] = bias[o] + Σ_c Σ_u Σ_v w[o, c, u, v] · x[c, i·sh + u - ph, j·sw + v - pw],
     x zero outside the map. Each output position's window is copied once into a row
     (zeros where it hangs over the edge), then every kernel is one dot product with it:
     the inner loop runs over C·kh·kw contiguous values, as conv_formula.py's matrix does. */
  function conv2d(x, layer, before, after) {
    var channels = before[0], height = before[1], width = before[2];
    var maps = after[0], outHeight = after[1], outWidth = after[2], positions = outHeight * outWidth;
    var kh = layer.kernel[0], kw = layer.kernel[1], sh = layer.stride[0], sw = layer.stride[1];
    var ph = layer.padding[0], pw = layer.padding[1], size = channels * kh * kw;
    // The windows' buffer is kept with the layer: every value is written on each call.
    var windows = layer.windows || (layer.windows = new Float64Array(positions * size)), w = layer.weight, bias = layer.bias;
    var out = new Float64Array(maps * positions), i, j, c, u, v, k;
    for (i = 0; i < outHeight; i++) {
      for (j = 0; j < outWidth; j++) {
        k = (i * outWidth + j) * size;
        for (c = 0; c < channels; c++) {
          for (u = 0; u < kh; u++) {
            var row = i * sh + u - ph, inside = row >= 0 && row < height, base = (c * height + row) * width;
            for (v = 0; v < kw; v++, k++) {
              var column = j * sw + v - pw;
              windows[k] = inside && column >= 0 && column < width ? x[base + column] : 0;
            }
          }
        }
      }
    }
    return kernelsTimesRows(w, bias, maps, windows, positions, size, out);
  }

  /* out[o·count + p] = Σ_k w[o·size + k] · rows[p·size + k] + bias[o]: every kernel (or
     dense row) with every window (or the one input). Each sum runs over k in order, as
     a loop one output at a time would, but four kernels and two rows are done together:
     each number read serves two or four products, which makes a CNN's forward pass about
     three times faster than the plain loop. */
  function kernelsTimesRows(w, bias, kernels, rows, count, size, out) {
    var o = 0, p, k, x0, x1, w0, w1, w2, w3;
    for (; o + 4 <= kernels; o += 4) {
      var k0 = o * size, k1 = k0 + size, k2 = k1 + size, k3 = k2 + size;
      for (p = 0; p + 2 <= count; p += 2) {
        var a = p * size, b = a + size;
        var s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
        for (k = 0; k < size; k++) {
          x0 = rows[a + k]; x1 = rows[b + k];
          w0 = w[k0 + k]; w1 = w[k1 + k]; w2 = w[k2 + k]; w3 = w[k3 + k];
          s00 += w0 * x0; s01 += w0 * x1; s10 += w1 * x0; s11 += w1 * x1;
          s20 += w2 * x0; s21 += w2 * x1; s30 += w3 * x0; s31 += w3 * x1;
        }
        out[o * count + p] = s00 + bias[o]; out[o * count + p + 1] = s01 + bias[o];
        out[(o + 1) * count + p] = s10 + bias[o + 1]; out[(o + 1) * count + p + 1] = s11 + bias[o + 1];
        out[(o + 2) * count + p] = s20 + bias[o + 2]; out[(o + 2) * count + p + 1] = s21 + bias[o + 2];
        out[(o + 3) * count + p] = s30 + bias[o + 3]; out[(o + 3) * count + p + 1] = s31 + bias[o + 3];
      }
      for (; p < count; p++) {   // an odd row left over (a dense layer's only one)
        var start = p * size, t0 = 0, t1 = 0, t2 = 0, t3 = 0;
        for (k = 0; k < size; k++) {
          x0 = rows[start + k];
          t0 += w[k0 + k] * x0; t1 += w[k1 + k] * x0; t2 += w[k2 + k] * x0; t3 += w[k3 + k] * x0;
        }
        out[o * count + p] = t0 + bias[o]; out[(o + 1) * count + p] = t1 + bias[o + 1];
        out[(o + 2) * count + p] = t2 + bias[o + 2]; out[(o + 3) * count + p] = t3 + bias[o + 3];
      }
    }
    for (; o < kernels; o++) {   // fewer than four kernels left
      for (p = 0; p < count; p++) {
        var sum = 0, kernel = o * size, row = p * size;
        for (k = 0; k < size; k++) sum += w[kernel + k] * rows[row + k];
        out[o * count + p] = sum + bias[o];
      }
    }
    return out;
  }

  /* Each window's largest value (outside the map: -Infinity, never chosen) or mean
     (outside: 0, counted: the sum over the in-map values divided by kh·kw). */
  function pool2d(x, layer, before, after) {
    var height = before[1], width = before[2], outHeight = after[1], outWidth = after[2];
    var kh = layer.kernel[0], kw = layer.kernel[1], sh = layer.stride[0], sw = layer.stride[1];
    var ph = layer.padding[0], pw = layer.padding[1], largest = layer.kind === "maxpool";
    var out = new Float64Array(after[0] * outHeight * outWidth), n = 0;
    for (var c = 0; c < after[0]; c++) {
      for (var i = 0; i < outHeight; i++) {
        for (var j = 0; j < outWidth; j++, n++) {
          var value = largest ? -Infinity : 0;
          for (var u = 0; u < kh; u++) {
            var row = i * sh + u - ph;
            if (row < 0 || row >= height) continue;
            for (var v = 0; v < kw; v++) {
              var column = j * sw + v - pw;
              if (column < 0 || column >= width) continue;
              var a = x[(c * height + row) * width + column];
              if (largest) { if (a > value) value = a; } else value += a;
            }
          }
          out[n] = largest ? value : value / (kh * kw);
        }
      }
    }
    return out;
  }

  function dense(x, layer) {
    return kernelsTimesRows(layer.weight, layer.bias, layer.outputs, x, 1, layer.inputs, new Float64Array(layer.outputs));
  }

  function use(data) {
    current = prepare(data);
    api.network = current;
    return current;
  }

  function load(url) {
    if (/\.json(\?|#|$)/.test(url)) {
      return fetch(url).then(function (response) {
        if (!response.ok) throw new Error("nn-explainer: " + url + ": HTTP " + response.status);
        return response.json();
      }).then(use);
    }
    // A data file that assigns window.nnExplainerWeights: a <script> tag loads it even
    // from file://, where fetch() is refused.
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = url;
      script.onload = function () {
        script.remove();
        try { resolve(use(window.nnExplainerWeights)); } catch (error) { reject(error); }
      };
      script.onerror = function () { script.remove(); reject(new Error("nn-explainer: cannot load " + url)); };
      document.head.appendChild(script);
    });
  }

  // ---- the forward pass: a' = f(W a + b), layer by layer, in float64 -----------------
  function forward(pixels, network) {
    network = network ? (network.layers ? network : prepare(network)) : current;
    if (!network) throw new Error("nn-explainer: no network loaded (call load(url) first)");
    if (!pixels || pixels.length !== PIXELS) throw new Error("nn-explainer: forward needs " + PIXELS + " pixel values");
    if (network.convolutional) return forwardConv(pixels, network);
    var a = Float64Array.from(pixels);
    var activations = [a];
    for (var l = 0; l < network.layers.length; l++) {
      var layer = network.layers[l], w = layer.weights, n = layer.inputs;
      var z = new Float64Array(layer.outputs);
      for (var j = 0; j < layer.outputs; j++) {
        var sum = 0, row = j * n;
        for (var k = 0; k < n; k++) sum += w[row + k] * a[k];
        z[j] = sum + layer.biases[j];
      }
      var next = layer.activation(z);
      activations.push(next);
      a = next;
    }
    return activations;
  }

  function argmax(values) {
    var best = 0;
    for (var i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
    return best;
  }

  function predict(pixels) {
    var activations = forward(pixels);
    return argmax(activations[activations.length - 1]);
  }

  // ---- preprocessing: model/digit_image.py, step for step ----------------------------

  /* Python's round(): halves go to the even neighbour (Math.round sends them up). */
  function roundHalfEven(x) {
    return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x);
  }

  /* ink_map: 1 = full ink, 0 = bare paper. A picture with any transparency (a canvas
     export, this page's pad) takes its ink from the alpha channel. Otherwise, as
     model/digit_image.py: grey levels; dark or light ink by which way the pixels
     furthest from the paper around them lie (light ink is mirrored); the paper's own
     brightness under each pixel (its local median, computed coarse and smoothed back);
     ink = the share of that light a pixel lacks, relative to the typical pixel's; none
     where the paper is nearly black; the paper's noise subtracted, then clipped. */
  function inkMap(image) {
    var width = image.width, height = image.height, data = image.data, count = width * height;
    var ink = new Float64Array(count), i;
    // Python takes the alpha channel only when some pixel is not fully opaque
    // (alpha.min() < 1); an opaque RGBA picture is read by its brightness.
    var transparent = false;
    for (i = 0; i < count; i++) if (data[4 * i + 3] < 255) { transparent = true; break; }
    if (transparent) {
      for (i = 0; i < count; i++) ink[i] = data[4 * i + 3] / 255;
      return ink;
    }
    var grey = new Float64Array(count);
    for (i = 0; i < count; i++) {
      // PIL's RGB -> L: ITU-R 601-2 luma in 16-bit fixed point, rounded.
      grey[i] = ((data[4 * i] * 19595 + data[4 * i + 1] * 38470 + data[4 * i + 2] * 7471 + 0x8000) >>> 16) / 255;
    }
    var around = paperAround(grey, width, height);
    if (!darkInk(around)) {
      // Light ink on dark paper: the same rules, mirrored. The coarse page is taken
      // again from the mirrored grey, as Python does (float32 rounding differs).
      for (i = 0; i < count; i++) grey[i] = 1 - grey[i];
      around = paperAround(grey, width, height);
    }
    // paper_brightness: the coarse local median (float32 already, as PIL's "F" image
    // holds it) smoothed back to full size.
    var paper = resize(around.median, around.width, around.height, width, height, BILINEAR);
    var lit = new Float64Array(count);
    for (i = 0; i < count; i++) lit[i] = grey[i] / Math.max(paper[i], 1e-6);
    // The typical pixel (the median: paper is most of a page) is what counts as no ink.
    var typical = Math.max(median(lit), 1e-6);
    for (i = 0; i < count; i++) ink[i] = 1 - lit[i] / typical;
    // Where the paper itself is nearly black, dividing by it makes ink of anything.
    var darkPaper = DARK_PAPER * median(paper);
    for (i = 0; i < count; i++) if (paper[i] < darkPaper) ink[i] = 0;
    // The paper side (no ink or less) is only noise: its spread, from its median, says
    // how far above zero noise reaches too. A clean drawing's paper is exactly zero.
    var below = [];
    for (i = 0; i < count; i++) if (ink[i] <= 0) below.push(-ink[i]);
    var noise = below.length ? NOISE_SIGMAS * median(below) / HALF_NORMAL_MEDIAN : 0;
    var scale = Math.max(1 - noise, 1e-6);
    for (i = 0; i < count; i++) ink[i] = Math.min(Math.max((ink[i] - noise) / scale, 0), 1);
    return ink;
  }

  /* _coarse and _local_median: the page at most COARSE_SIDE pixels wide (PIL's BOX
     resize of the float32 grey) and the median of the span x span square around each
     of its pixels, `span` an odd number of pixels wider than any pen stroke. */
  function paperAround(grey, width, height) {
    var scale = Math.min(1, COARSE_SIDE / Math.max(height, width));
    var smallWidth = Math.max(1, roundHalfEven(width * scale));
    var smallHeight = Math.max(1, roundHalfEven(height * scale));
    // PIL's "F" image of grey.astype(np.float32): each value rounded to float32.
    var small = resize(new Float32Array(grey), width, height, smallWidth, smallHeight, BOX_FILTER);
    var span = Math.max(3, roundHalfEven(Math.max(smallWidth, smallHeight) * STROKE_WINDOW) | 1);
    return { small: small, median: localMedian(small, smallWidth, smallHeight, span),
             width: smallWidth, height: smallHeight };
  }

  /* np.median over each span x span window of the edge-padded image: an odd count,
     so the median is its middle value, exactly. Sorting each window would take
     hundreds of milliseconds on a noisy photo (96x96 windows of 625 values), so the
     window slides along each row keeping a histogram of its values' ranks (Huang's
     running median): a step takes out one column and puts in the next, and the median
     is found by counting up the histogram, in blocks of MEDIAN_BLOCK ranks. */
  function localMedian(values, width, height, span) {
    var half = span >> 1, middle = (span * span) >> 1, count = values.length, i, x, y, d;
    // Each value's rank: where it first comes among all the values sorted, so equal
    // values share one, and the rank found gives back the value itself.
    var sorted = new Float64Array(values).sort(), rank = new Int32Array(count);
    for (i = 0; i < count; i++) rank[i] = firstAtLeast(sorted, values[i]);
    var counts = new Int32Array(count), blocks = new Int32Array(Math.ceil(count / MEDIAN_BLOCK));
    var rows = new Int32Array(span), result = new Float32Array(count);   // rows: the window's, as offsets
    // np.pad's "edge" mode: a row or column outside the image repeats its edge.
    function column(at) { return Math.min(Math.max(at, 0), width - 1); }
    function change(x, by) {   // column x of the window comes in (by = 1) or goes out (-1)
      for (var row = 0; row < span; row++) {
        var r = rank[rows[row] + column(x)];
        counts[r] += by;
        blocks[(r / MEDIAN_BLOCK) | 0] += by;
      }
    }
    function medianRank() {
      var seen = 0, block = 0, r;
      while (seen + blocks[block] <= middle) seen += blocks[block++];
      for (r = block * MEDIAN_BLOCK; seen + counts[r] <= middle; r++) seen += counts[r];
      return r;
    }
    for (y = 0; y < height; y++) {
      counts.fill(0);
      blocks.fill(0);
      for (d = 0; d < span; d++) rows[d] = Math.min(Math.max(y + d - half, 0), height - 1) * width;
      for (x = -half; x <= half; x++) change(x, 1);
      result[y * width] = sorted[medianRank()];
      for (x = 1; x < width; x++) {
        change(x - half - 1, -1);
        change(x + half, 1);
        result[y * width + x] = sorted[medianRank()];
      }
    }
    return result;
  }

  /* The index of the first of `sorted` that is not below `value` (a binary search). */
  function firstAtLeast(sorted, value) {
    var low = 0, high = sorted.length;
    while (low < high) {
      var mid = (low + high) >> 1;
      if (sorted[mid] < value) low = mid + 1; else high = mid;
    }
    return low;
  }

  /* dark_ink: the pixels furthest from the paper around them (the 0.5th and 99.5th
     percentiles of pixel minus local median) lie below it rather than above. */
  function darkInk(around) {
    var differ = new Float64Array(around.small.length);
    for (var i = 0; i < differ.length; i++) differ[i] = around.small[i] - around.median[i];
    differ.sort();
    return -sortedPercentile(differ, 0.5) >= sortedPercentile(differ, 99.5);
  }

  /* np.median: the middle value, or the mean of the two middle ones. Found by
     quickselect on a copy: sorting a photo's million values would take a tenth of a
     second, each time. */
  function median(values) {
    var copy = new Float64Array(values), n = copy.length, k = n >> 1;
    var upper = select(copy, k);
    if (n % 2) return upper;
    // select leaves the values before the k-th no larger: the largest of them is the (k-1)-th.
    var lower = copy[0];
    for (var i = 1; i < k; i++) if (copy[i] > lower) lower = copy[i];
    return (lower + upper) / 2;
  }

  /* The k-th smallest of `values` (counting from 0), reordering them so that none before
     it is larger: Hoare's quickselect. */
  function select(values, k) {
    var left = 0, right = values.length - 1;
    while (left < right) {
      var pivot = values[(left + right) >> 1], i = left, j = right, swap;
      while (i <= j) {
        while (values[i] < pivot) i++;
        while (values[j] > pivot) j--;
        if (i <= j) { swap = values[i]; values[i] = values[j]; values[j] = swap; i++; j--; }
      }
      // Now values[left..j] <= pivot <= values[i..right], and any between equal the pivot.
      if (k <= j) right = j;
      else if (k >= i) left = i;
      else return values[k];
    }
    return values[k];
  }

  /* np.percentile's default: linear interpolation between the closest ranks, computed
     as numpy does (from the upper neighbour when past halfway) to the last bit. */
  function sortedPercentile(sorted, q) {
    var rank = (sorted.length - 1) * (q / 100), low = Math.floor(rank);
    if (rank >= sorted.length - 1) return sorted[sorted.length - 1];
    var a = sorted[low], b = sorted[low + 1], t = rank - low, difference = b - a;
    return t >= 0.5 ? b - difference * (1 - t) : a + difference * t;
  }

  // PIL's resampling filters (Resample.c): support in input pixels, and the weight.
  // BOX takes (-0.5, 0.5], not [-0.5, 0.5): on a photo the other end changes the ink.
  var BOX_FILTER = { support: 0.5, weight: function (x) { return x > -0.5 && x <= 0.5 ? 1 : 0; } };
  var BILINEAR = { support: 1, weight: function (x) { x = Math.abs(x); return x < 1 ? 1 - x : 0; } };
  var LANCZOS = { support: 3, weight: lanczos };   // a 3-lobed sinc

  function lanczos(x) {
    if (!(-3 <= x && x < 3)) return 0;
    return sinc(x) * sinc(x / 3);
  }

  function sinc(x) {
    if (x === 0) return 1;
    x *= Math.PI;
    return Math.sin(x) / x;
  }

  /* PIL's precompute_coeffs (Resample.c): for each output pixel, the first input pixel
     and the normalised weights, the filter stretched by the downscale factor (PIL
     multiplies by its reciprocal, so do we: the same last bit). */
  function resampleCoefficients(inSize, outSize, filter) {
    var scale = inSize / outSize;
    var filterScale = Math.max(scale, 1);
    var support = filter.support * filterScale;
    var reciprocal = 1 / filterScale;
    var result = [];
    for (var out = 0; out < outSize; out++) {
      var centre = (out + 0.5) * scale;
      var first = Math.max(Math.trunc(centre - support + 0.5), 0);
      var last = Math.min(Math.trunc(centre + support + 0.5), inSize);
      var weights = [], total = 0;
      for (var x = first; x < last; x++) {
        var weight = filter.weight((x - centre + 0.5) * reciprocal);
        weights.push(weight);
        total += weight;
      }
      if (total !== 0) for (var i = 0; i < weights.length; i++) weights[i] /= total;
      result.push({ first: first, weights: weights });
    }
    return result;
  }

  /* PIL's resize of a float ("F") image: a horizontal pass, then a vertical one, each
     summing in double and storing float32, as PIL does. A pass whose size does not
     change is skipped, as in PIL (the same size is a copy). */
  function resize(pixels, width, height, newWidth, newHeight, filter) {
    // Image.resize takes a picture over 100 times taller than wide, when shrinking its
    // height, vertically first: the other order rounds differently.
    if (height > width * 100 && newHeight < height) {
      return resizePass(resizePass(pixels, width, height, width, newHeight, filter),
                        width, newHeight, newWidth, newHeight, filter);
    }
    return resizePass(pixels, width, height, newWidth, newHeight, filter);
  }

  function resizePass(pixels, width, height, newWidth, newHeight, filter) {
    var image = pixels, x, y, i, sum, c;
    if (newWidth !== width) {
      var columns = resampleCoefficients(width, newWidth, filter);
      var wide = new Float32Array(newWidth * height);
      for (y = 0; y < height; y++) {
        for (x = 0; x < newWidth; x++) {
          c = columns[x]; sum = 0;
          for (i = 0; i < c.weights.length; i++) sum += image[y * width + c.first + i] * c.weights[i];
          wide[y * newWidth + x] = sum;
        }
      }
      image = wide; width = newWidth;
    }
    if (newHeight !== height) {
      var rows = resampleCoefficients(height, newHeight, filter);
      var tall = new Float32Array(width * newHeight);
      for (y = 0; y < newHeight; y++) {
        c = rows[y];
        for (x = 0; x < width; x++) {
          sum = 0;
          for (i = 0; i < c.weights.length; i++) sum += image[(c.first + i) * width + x] * c.weights[i];
          tall[y * width + x] = sum;
        }
      }
      image = tall;
    }
    return image;
  }

  /* mnist_style: crop to the ink, fit into 20x20 keeping the aspect ratio, centre the
     centre of mass in 28x28. */
  function mnistStyle(ink, width, height) {
    var i, x, y, peak = 0;
    for (i = 0; i < ink.length; i++) if (ink[i] > peak) peak = ink[i];
    if (peak < MIN_CONTRAST) return null;
    var top = height, bottom = -1, left = width, right = -1;
    for (y = 0; y < height; y++) {
      for (x = 0; x < width; x++) {
        if (ink[y * width + x] / peak > INK_THRESHOLD) {
          if (y < top) top = y;
          if (y > bottom) bottom = y;
          if (x < left) left = x;
          if (x > right) right = x;
        }
      }
    }
    var cropHeight = bottom - top + 1, cropWidth = right - left + 1;
    var crop = new Float32Array(cropWidth * cropHeight);   // PIL's "F" mode is float32
    for (y = 0; y < cropHeight; y++) {
      for (x = 0; x < cropWidth; x++) crop[y * cropWidth + x] = ink[(top + y) * width + left + x] / peak;
    }
    var scale = BOX / Math.max(cropHeight, cropWidth);
    var boxWidth = Math.max(1, roundHalfEven(cropWidth * scale));
    var boxHeight = Math.max(1, roundHalfEven(cropHeight * scale));
    var boxed = resize(crop, cropWidth, cropHeight, boxWidth, boxHeight, LANCZOS);
    var values = new Float64Array(boxed.length), mass = 0, massY = 0, massX = 0;
    for (y = 0; y < boxHeight; y++) {
      for (x = 0; x < boxWidth; x++) {
        var value = Math.min(Math.max(boxed[y * boxWidth + x], 0), 1);
        values[y * boxWidth + x] = value;
        mass += value; massY += y * value; massX += x * value;
      }
    }
    var fieldTop = roundHalfEven(SIDE / 2 - massY / mass);
    var fieldLeft = roundHalfEven(SIDE / 2 - massX / mass);
    // Keep the whole box inside the field even if its mass sits far off-centre.
    fieldTop = Math.min(Math.max(fieldTop, 0), SIDE - boxHeight);
    fieldLeft = Math.min(Math.max(fieldLeft, 0), SIDE - boxWidth);
    var field = new Float64Array(PIXELS);
    for (y = 0; y < boxHeight; y++) {
      for (x = 0; x < boxWidth; x++) field[(fieldTop + y) * SIDE + fieldLeft + x] = values[y * boxWidth + x];
    }
    return field;
  }

  function preprocess(image) {
    if (!image || !image.data || image.data.length !== 4 * image.width * image.height) {
      throw new Error("nn-explainer: preprocess needs an ImageData (RGBA, width x height)");
    }
    return mnistStyle(inkMap(image), image.width, image.height);
  }

  var api = {
    version: 1,
    network: null,
    activations: ACTIVATIONS,
    load: load,
    use: use,
    preprocess: preprocess,
    forward: forward,
    predict: predict,
    argmax: argmax,
    mount: null    // set below
  };
  window.nnExplainer = api;

  // =====================================================================================
  // The page: a drawing pad, the preprocessed pixels, the network diagram, the outputs.
  // =====================================================================================

  // The clips' look (scenes/style.py); publish/widget.py writes the real values into the
  // data file, these are only for data without them (an export loaded directly).
  var DEFAULT_STYLE = {
    background: "#000000", neuron: "#FFFFFF", positive: "#58C4DD", negative: "#FC6255",
    highlight: "#F7D96F", edge_min_width: 0.4, edge_max_width: 3.2, edge_min_opacity: 0.06,
    edge_max_opacity: 0.9, edge_scale_percentile: 95, edge_levels: 12
  };
  var DRAWN_NEURONS = 16;        // a wider layer shows its 16 most active neurons and "…"
  var INPUT_BLOCKS = 4;          // the input drawn as 4x4 pooled blocks of 7x7 pixels,
  var BLOCK_SIDE = SIDE / INPUT_BLOCKS;   // as scenes/mobjects/input_blocks.py does
  var PAD_SIDE = 280;            // drawing pad, canvas pixels: 10 per MNIST pixel
  var PEN_WIDTH = 22;            // canvas pixels: MNIST strokes are about 2-3 pixels wide
  var STROKE_SCALE = 0.6;        // CSS pixels per manim stroke-width unit

  /* What one layer draws: which neurons (indices) and their brightness in [0, 1]. */
  function drawnLayer(network, activations, layer) {
    if (layer === 0) {
      var blocks = [];
      for (var b = 0; b < INPUT_BLOCKS * INPUT_BLOCKS; b++) {
        blocks.push(blockSum(activations[0], b) / (BLOCK_SIDE * BLOCK_SIDE));
      }
      return { neurons: blocks.map(function (_, i) { return i; }), values: blocks, count: PIXELS, pooled: true };
    }
    // As network_diagram.py: fill = activation, an unbounded layer (ReLU) relative to its
    // largest; a negative value (tanh) fills by its size, in the negative colour.
    var name = network.layers[layer - 1].activationName;
    var values = Array.prototype.slice.call(activations[layer]);
    if (!BOUNDED[name]) {
      var peak = Math.max.apply(null, values);
      if (peak > 0) values = values.map(function (v) { return v / peak; });
    }
    var neurons = values.map(function (_, i) { return i; });
    if (neurons.length > DRAWN_NEURONS) {   // the most active: largest |a|, ties to the lower index
      neurons = neurons.slice().sort(function (p, q) { return Math.abs(values[q]) - Math.abs(values[p]) || p - q; })
        .slice(0, DRAWN_NEURONS).sort(function (p, q) { return p - q; });
    }
    return { neurons: neurons, values: neurons.map(function (i) { return Math.max(Math.min(values[i], 1), -1); }),
             count: values.length, pooled: false };
  }

  function blockSum(values, block, weightsRow) {
    var top = Math.floor(block / INPUT_BLOCKS) * BLOCK_SIDE, left = (block % INPUT_BLOCKS) * BLOCK_SIDE, sum = 0;
    for (var y = top; y < top + BLOCK_SIDE; y++) {
      for (var x = left; x < left + BLOCK_SIDE; x++) {
        sum += weightsRow ? weightsRow(y * SIDE + x) * (values ? values[y * SIDE + x] : 1) : values[y * SIDE + x];
      }
    }
    return sum;
  }

  /* Strength of the edge from drawn source k to drawn target j: the weight, or w·a; from
     an input block, the sum over its 49 pixels (input_blocks.py). */
  function edgeStrength(network, activations, layer, source, target, mode) {
    var weights = network.layers[layer].weights, inputs = network.layers[layer].inputs;
    var row = function (pixel) { return weights[target * inputs + pixel]; };
    if (layer === 0) return blockSum(mode === "contribution" ? activations[0] : null, source, row);
    var w = weights[target * inputs + source];
    return mode === "contribution" ? w * activations[layer][source] : w;
  }

  /* numpy.percentile's default (linear interpolation between the closest ranks). */
  function percentile(values, q) {
    return sortedPercentile(values.slice().sort(function (p, r) { return p - r; }), q);
  }

  /* The network diagram's geometry and colours for these activations: pure data, drawn
     by drawDiagram and read by the tests. */
  function diagramLayout(network, activations, mode, width, height) {
    var count = network.sizes.length;
    var margin = { left: 60, right: 40, top: 22, bottom: 30 };
    var columnGap = (width - margin.left - margin.right) / (count - 1);
    var slots = DRAWN_NEURONS + 1;      // room for 16 neurons and an ellipsis
    var spacing = (height - margin.top - margin.bottom) / slots;
    var radius = Math.min(spacing * 0.36, 12);
    var layers = [];
    for (var l = 0; l < count; l++) {
      var drawn = drawnLayer(network, activations, l);
      var shown = drawn.neurons.length, hasEllipsis = drawn.pooled || drawn.count > shown;
      var trimmed = !drawn.pooled && drawn.count > shown;
      var columnHeight = (shown - 1 + (hasEllipsis ? 1 : 0)) * spacing;
      var top = margin.top + (height - margin.top - margin.bottom - columnHeight) / 2;
      var x = margin.left + l * columnGap;
      var positions = drawn.neurons.map(function (_, i) {
        // The ellipsis sits in the middle: for the pooled input between the top and the
        // bottom half of the image, for a trimmed layer among the neurons not drawn.
        var slot = hasEllipsis && i >= shown / 2 ? i + 1 : i;
        return { x: x, y: top + slot * spacing };
      });
      var ellipsisY = top + Math.ceil(shown / 2) * spacing;
      layers.push({ neurons: drawn.neurons, values: drawn.values, count: drawn.count, pooled: drawn.pooled,
                    trimmed: trimmed, positions: positions, ellipsis: hasEllipsis ? { x: x, y: ellipsisY } : null,
                    x: x });
    }
    var bundles = [];
    for (l = 0; l + 1 < count; l++) {
      var edges = [], magnitudes = [];
      layers[l + 1].neurons.forEach(function (target, j) {
        layers[l].neurons.forEach(function (source, k) {
          var strength = edgeStrength(network, activations, l, source, target, mode);
          edges.push({ from: k, to: j, strength: strength });
          magnitudes.push(Math.abs(strength));
        });
      });
      bundles.push({ edges: edges, scale: percentile(magnitudes, DEFAULT_STYLE.edge_scale_percentile) || 1 });
    }
    return { layers: layers, bundles: bundles, radius: radius };
  }

  /* A strength's step and its (width, opacity), as network_diagram.py's level_style. */
  function edgeLook(strength, scale, style) {
    var relative = Math.min(Math.abs(strength) / scale, 1);
    var level = Math.min(Math.floor(relative * style.edge_levels), style.edge_levels - 1);
    var stepped = (level + 1) / style.edge_levels;
    return {
      width: (style.edge_min_width + (style.edge_max_width - style.edge_min_width) * stepped) * STROKE_SCALE,
      opacity: style.edge_min_opacity + (style.edge_max_opacity - style.edge_min_opacity) * Math.pow(stepped, 1.5)
    };
  }

  /* `answer`: the output neuron to box, or null while the pad is empty. */
  function drawDiagram(canvas, network, activations, mode, style, answer) {
    var ratio = window.devicePixelRatio || 1;
    var width = canvas.clientWidth, height = canvas.clientHeight;
    if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
    if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
    var context = canvas.getContext("2d");
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.fillStyle = style.background;
    context.fillRect(0, 0, width, height);
    var layout = diagramLayout(network, activations, mode, width, height), r = layout.radius;
    layout.bundles.forEach(function (bundle, l) {
      var sources = layout.layers[l].positions, targets = layout.layers[l + 1].positions;
      bundle.edges.forEach(function (edge) {
        var look = edgeLook(edge.strength, bundle.scale, style);
        context.strokeStyle = edge.strength >= 0 ? style.positive : style.negative;
        context.globalAlpha = look.opacity;
        context.lineWidth = look.width;
        context.beginPath();
        context.moveTo(sources[edge.from].x + r, sources[edge.from].y);
        context.lineTo(targets[edge.to].x - r, targets[edge.to].y);
        context.stroke();
      });
    });
    context.globalAlpha = 1;
    layout.layers.forEach(function (layer, l) {
      layer.positions.forEach(function (p, i) {
        context.beginPath();
        context.arc(p.x, p.y, r, 0, 2 * Math.PI);
        context.fillStyle = style.background;
        context.fill();
        context.globalAlpha = Math.abs(layer.values[i]);
        context.fillStyle = layer.values[i] < 0 ? style.negative : style.neuron;
        context.fill();
        context.globalAlpha = 1;
        context.strokeStyle = style.neuron;
        context.lineWidth = 1.2;
        context.stroke();
      });
      context.fillStyle = style.neuron;
      context.font = "12px system-ui, sans-serif";
      context.textAlign = "center";
      if (layer.ellipsis) {
        for (var d = -1; d <= 1; d++) {
          context.beginPath();
          context.arc(layer.ellipsis.x, layer.ellipsis.y + d * 4, 1.3, 0, 2 * Math.PI);
          context.fill();
        }
      }
      // The true count under every column: 784 inputs, and a trimmed layer's real width,
      // whose drawn neurons carry their indices (as the clips label them).
      var bottom = layer.positions[layer.positions.length - 1].y;
      context.fillText(String(layer.count), layer.x, bottom + r + 16);
      if (layer.trimmed) {
        context.fillStyle = "#BBBBBB";
        context.font = "9px system-ui, sans-serif";
        context.textAlign = "right";
        layer.positions.forEach(function (p, i) { context.fillText(String(layer.neurons[i]), p.x - r - 3, p.y + 3); });
        context.font = "12px system-ui, sans-serif";
        context.textAlign = "center";
        context.fillStyle = style.neuron;
      }
      if (l === layout.layers.length - 1) {
        context.textAlign = "left";
        layer.positions.forEach(function (p, i) {
          context.fillStyle = layer.neurons[i] === answer ? style.highlight : style.neuron;
          context.fillText(String(layer.neurons[i]), p.x + r + 6, p.y + 4);
        });
        if (answer !== null) {
          var best = layer.positions[layer.neurons.indexOf(answer)];
          context.strokeStyle = style.highlight;
          context.lineWidth = 2;
          context.strokeRect(best.x - r - 4, best.y - r - 4, 2 * r + 22, 2 * r + 8);
        }
      }
    });
    return layout;
  }

  function drawPixels(canvas, pixels) {
    var context = canvas.getContext("2d"), cell = canvas.width / SIDE;
    context.fillStyle = "#000";
    context.fillRect(0, 0, canvas.width, canvas.height);
    for (var i = 0; i < PIXELS; i++) {
      if (!pixels || pixels[i] <= 0) continue;
      context.fillStyle = "rgba(255,255,255," + pixels[i] + ")";
      context.fillRect((i % SIDE) * cell, Math.floor(i / SIDE) * cell, cell, cell);
    }
    context.strokeStyle = "rgba(187,187,187,0.35)";   // style.PIXEL_STROKE, faint
    context.lineWidth = 0.5;
    context.beginPath();
    for (var g = 0; g <= SIDE; g++) {
      context.moveTo(g * cell, 0); context.lineTo(g * cell, canvas.height);
      context.moveTo(0, g * cell); context.lineTo(canvas.width, g * cell);
    }
    context.stroke();
  }

  // ---- a convolutional network's page: its feature maps as small heatmaps ------------
  var DRAWN_MAPS = 16;           // a deeper stack shows its 16 most active maps and says how many are not

  /* Which outputs the maps panel shows: each convolution's maps, after its activation
     when one follows (what the next layer reads). */
  function shownMapLayers(network) {
    var shown = [], convolution = 0;
    network.layers.forEach(function (layer, l) {
      if (layer.kind !== "conv2d") return;
      convolution++;
      var next = network.layers[l + 1], activated = next && next.activation && network.shapes[l + 2].length === 3;
      shown.push({ output: activated ? l + 2 : l + 1, convolution: convolution, kernel: layer.kernel,
                   activation: activated ? next.kind : null, shape: network.shapes[l + 1] });
    });
    return shown;
  }

  /* The maps panel as data: for each shown layer its maps' count and side, which maps are
     drawn (the most active: largest Σ|a|, ties to the lower index, in index order) and the
     layer's one colour scale (its largest |a|). Pure data, drawn by drawMaps, read by the tests. */
  function mapsLayout(network, activations) {
    return shownMapLayers(network).map(function (shown) {
      var values = activations[shown.output], count = shown.shape[0], area = shown.shape[1] * shown.shape[2];
      var totals = [], scale = 0, m, i;
      for (m = 0; m < count; m++) {
        var total = 0;
        for (i = m * area; i < (m + 1) * area; i++) {
          total += Math.abs(values[i]);
          if (Math.abs(values[i]) > scale) scale = Math.abs(values[i]);
        }
        totals.push(total);
      }
      var maps = totals.map(function (_, index) { return index; });
      if (count > DRAWN_MAPS) {
        maps = maps.sort(function (p, q) { return totals[q] - totals[p] || p - q; })
          .slice(0, DRAWN_MAPS).sort(function (p, q) { return p - q; });
      }
      return { output: shown.output, convolution: shown.convolution, kernel: shown.kernel, activation: shown.activation,
               count: count, height: shown.shape[1], width: shown.shape[2], maps: maps, scale: scale || 1 };
    });
  }

  /* One line for the whole network: 1x28x28 → conv2d 3x3 → 8x28x28 → relu → ... → 10. */
  function chainText(network) {
    var parts = [network.shapes[0].join("×")];
    network.layers.forEach(function (layer, l) {
      var step = layer.kind;
      if (layer.kernel) {   // the stride said where it is not the usual (1 for a convolution, the window for a pooling)
        var usual = layer.kind === "conv2d" ? "1,1" : layer.kernel.join();
        step += " " + layer.kernel.join("×") + (layer.stride.join() !== usual ? " stride " + layer.stride.join("×") : "") +
          (layer.padding.join() !== "0,0" ? " pad " + layer.padding.join("×") : "");
      }
      parts.push(step);
      if (layer.kind !== "flatten" && !layer.activation) parts.push(network.shapes[l + 1].join("×"));
      if (layer.kind === "flatten") parts.push(String(network.shapes[l + 1][0]));
    });
    return parts.join(" → ");
  }

  /* Each drawn map, one canvas pixel per value: |a| relative to the layer's scale, in
     the neuron colour (negative values in the negative colour), on the background. */
  function drawMaps(panel, network, activations, style) {
    var layout = mapsLayout(network, activations);
    var neuron = rgbOf(style.neuron), negative = rgbOf(style.negative), background = rgbOf(style.background);
    layout.forEach(function (layer, row) {
      var rowNode = panel.children[row], canvases = rowNode.querySelectorAll("canvas");
      var values = activations[layer.output], area = layer.height * layer.width;
      layer.maps.forEach(function (map, n) {
        var canvas = canvases[n], context = canvas.getContext("2d");
        var image = context.createImageData(layer.width, layer.height), data = image.data;
        for (var i = 0; i < area; i++) {
          var value = values[map * area + i], t = Math.min(Math.abs(value) / layer.scale, 1);
          var colour = value < 0 ? negative : neuron;
          for (var channel = 0; channel < 3; channel++) {
            data[4 * i + channel] = Math.round(background[channel] + (colour[channel] - background[channel]) * t);
          }
          data[4 * i + 3] = 255;
        }
        context.putImageData(image, 0, 0);
        canvas.setAttribute("aria-label", "map " + map + " of convolution " + layer.convolution);
        canvas.dataset.map = String(map);
      });
      rowNode.querySelector(".nnx-map-scale").textContent = "full brightness: |a| = " + layer.scale.toPrecision(3);
    });
    return layout;
  }

  function rgbOf(hex) {
    var value = parseInt(hex.slice(1, 7), 16);
    return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
  }

  /* The panel's rows and canvases, made once per network: a caption per shown layer
     (which convolution, how many maps of what size, the colour scale's top, how many
     are not drawn) and one canvas per drawn map. */
  function buildMapsPanel(panel, network) {
    panel.innerHTML = "";
    mapsLayout(network, network.sizes.map(function (size) { return new Float64Array(size); })).forEach(function (layer) {
      var row = element("div", { "class": "nnx-map-row" });
      var caption = "conv " + layer.convolution + " (" + layer.kernel.join("×") + " kernels): " + layer.count + " maps of " +
        layer.height + "×" + layer.width + (layer.activation ? ", after " + layer.activation : "");
      if (layer.count > layer.maps.length) caption += "; the " + layer.maps.length + " most active drawn, " +
        (layer.count - layer.maps.length) + " not drawn";
      row.appendChild(element("div", { "class": "nnx-map-caption" }, caption));
      var grid = element("div", { "class": "nnx-map-grid" });
      layer.maps.forEach(function () {
        grid.appendChild(element("canvas", { "class": "nnx-map", width: String(layer.width), height: String(layer.height), role: "img" }));
      });
      row.appendChild(grid);
      row.appendChild(element("div", { "class": "nnx-map-scale" }, ""));
      panel.appendChild(row);
    });
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function exampleName(example) {
    if (example.id === "train:7") return "the sloppy three";
    return example.id + (example.label === null || example.label === undefined ? "" : " (a " + example.label + ")");
  }

  function mount(root, url) {
    root.classList.add("nn-explainer");
    root.innerHTML =
      '<div class="nnx-row">' +
      '  <div class="nnx-column">' +
      '    <canvas class="nnx-pad" width="' + PAD_SIDE + '" height="' + PAD_SIDE + '" role="img"' +
      '      aria-label="Drawing pad: draw a digit with a mouse, finger or pen"></canvas>' +
      '    <div class="nnx-controls">' +
      '      <button type="button" class="nnx-clear">Clear</button>' +
      '      <fieldset class="nnx-mode"><legend>Edges</legend>' +
      '        <label><input type="radio" name="nnx-edges" value="weight" checked> weight w</label>' +
      '        <label><input type="radio" name="nnx-edges" value="contribution"> w·a</label>' +
      '      </fieldset>' +
      '    </div>' +
      '  </div>' +
      '  <div class="nnx-column nnx-middle">' +
      '    <canvas class="nnx-diagram" role="img" aria-label="The network: neurons fill with their activation"></canvas>' +
      '    <p class="nnx-chain" hidden></p>' +
      '    <div class="nnx-maps" role="group" aria-label="The feature maps: each value a pixel, brighter for larger" hidden></div>' +
      '  </div>' +
      '  <div class="nnx-column">' +
      '    <div class="nnx-answer-box">The network reads <output class="nnx-answer" id="answer">?</output></div>' +
      '    <ol class="nnx-bars" start="0" aria-label="Output activations"></ol>' +
      '    <canvas class="nnx-pixels" width="168" height="168" role="img"' +
      '      aria-label="The 28 by 28 pixels the network sees"></canvas>' +
      '  </div>' +
      '</div>' +
      '<p class="nnx-status" aria-live="polite" id="answer-text">Loading the network…</p>' +
      '<div class="nnx-examples" role="group" aria-label="Digits from the export"></div>';
    var pad = root.querySelector(".nnx-pad"), diagram = root.querySelector(".nnx-diagram");
    var pixelCanvas = root.querySelector(".nnx-pixels"), bars = root.querySelector(".nnx-bars");
    var answerNode = root.querySelector(".nnx-answer"), status = root.querySelector(".nnx-status");
    var mapsPanel = root.querySelector(".nnx-maps");
    var padContext = pad.getContext("2d", { willReadFrequently: true });
    var state = { pixels: null, activations: null, mode: "weight", source: null, pending: false, network: null };

    for (var digit = 0; digit < 10; digit++) {
      var bar = element("li", { "class": "nnx-bar" });
      bar.appendChild(element("span", { "class": "nnx-digit" }, String(digit)));
      var track = element("span", { "class": "nnx-track" });
      track.appendChild(element("span", { "class": "nnx-fill" }));
      bar.appendChild(track);
      bar.appendChild(element("span", { "class": "nnx-value" }, ""));
      bars.appendChild(bar);
    }

    function show(announce) {
      drawPixels(pixelCanvas, state.pixels);
      if (!state.pixels) {
        answerNode.textContent = "?";
        root.querySelectorAll(".nnx-bar").forEach(function (row) {
          row.classList.remove("nnx-best");
          row.querySelector(".nnx-fill").style.width = "0";
          row.querySelector(".nnx-value").textContent = "";
        });
        var empty = state.activations = state.network.sizes.map(function (size) { return new Float64Array(size); });
        drawNetwork(empty, null);
        if (announce) status.textContent = "The pad is empty: draw a digit, or pick one below.";
        return;
      }
      state.activations = forward(state.pixels, state.network);
      var output = state.activations[state.activations.length - 1], answer = argmax(output);
      var bounded = BOUNDED[state.network.convolutional ? state.network.outputActivation
                                                        : state.network.layers[state.network.layers.length - 1].activationName];
      var top = bounded ? 1 : Math.max.apply(null, output) || 1;
      answerNode.textContent = String(answer);
      root.querySelectorAll(".nnx-bar").forEach(function (row, i) {
        row.classList.toggle("nnx-best", i === answer);
        row.querySelector(".nnx-fill").style.width = (100 * Math.min(Math.max(output[i], 0) / top, 1)) + "%";
        row.querySelector(".nnx-value").textContent = output[i].toFixed(2);
      });
      drawNetwork(state.activations, answer);
      if (announce) {
        var ranked = Array.prototype.map.call(output, function (v, i) { return i; })
          .sort(function (p, q) { return output[q] - output[p]; });
        status.textContent = "The network reads " + (state.source ? exampleName(state.source) : "your drawing") +
          " as " + answer + " (output " + output[answer].toFixed(2) + "); next most likely " + ranked[1] +
          " (" + output[ranked[1]].toFixed(2) + ").";
      }
    }

    // An MLP as the clips' diagram; a CNN as its feature maps (the answer is in the bars).
    function drawNetwork(activations, answer) {
      if (state.network.convolutional) drawMaps(mapsPanel, state.network, activations, state.style);
      else drawDiagram(diagram, state.network, activations, state.mode, state.style, answer);
    }

    function fromPad(announce) {
      state.pixels = preprocess(padContext.getImageData(0, 0, PAD_SIDE, PAD_SIDE));
      show(announce);
    }

    function clear() {
      padContext.clearRect(0, 0, PAD_SIDE, PAD_SIDE);
      state.pixels = null; state.source = null;
      show(true);
    }

    function showExample(example) {
      // The pad shows the example's 28x28 pixels (10x10 each) so the user can draw on
      // it; the network gets the export's own pixel values, not a re-preprocessed copy.
      padContext.clearRect(0, 0, PAD_SIDE, PAD_SIDE);
      var cell = PAD_SIDE / SIDE;
      example.pixels.forEach(function (value, i) {
        if (value <= 0) return;
        padContext.fillStyle = "rgba(255,255,255," + value + ")";
        padContext.fillRect((i % SIDE) * cell, Math.floor(i / SIDE) * cell, cell, cell);
      });
      state.pixels = Float64Array.from(example.pixels);
      state.source = example;
      show(true);
    }

    // Drawing: pointer events cover mouse, touch and pen alike.
    var last = null;
    function point(event) {
      var box = pad.getBoundingClientRect();
      return { x: (event.clientX - box.left) * PAD_SIDE / box.width, y: (event.clientY - box.top) * PAD_SIDE / box.height };
    }
    function stroke(from, to) {
      padContext.strokeStyle = "#fff";
      padContext.lineWidth = PEN_WIDTH;
      padContext.lineCap = padContext.lineJoin = "round";
      padContext.beginPath();
      padContext.moveTo(from.x, from.y);
      padContext.lineTo(to.x, to.y);
      padContext.stroke();
    }
    function scheduleUpdate() {
      // One preprocessing and forward pass per animation frame, however many events.
      if (state.pending) return;
      state.pending = true;
      requestAnimationFrame(function () { state.pending = false; fromPad(false); });
    }
    pad.addEventListener("pointerdown", function (event) {
      if (!state.network) return;
      event.preventDefault();
      // Keep the stroke when the pointer leaves the pad; a pointer the browser does not
      // track (a synthetic event) cannot be captured, and needs no capture.
      try { pad.setPointerCapture(event.pointerId); } catch (ignored) { /* drawing goes on */ }
      state.source = null;
      last = point(event);
      stroke(last, last);
      scheduleUpdate();
    });
    pad.addEventListener("pointermove", function (event) {
      if (!last) return;
      var next = point(event);
      stroke(last, next);
      last = next;
      scheduleUpdate();
    });
    function finish() {
      if (!last) return;
      last = null;
      fromPad(true);
    }
    pad.addEventListener("pointerup", finish);
    pad.addEventListener("pointercancel", finish);

    root.querySelector(".nnx-clear").addEventListener("click", clear);
    root.querySelectorAll('input[name="nnx-edges"]').forEach(function (radio) {
      radio.addEventListener("change", function () { state.mode = radio.value; show(false); });
    });
    window.addEventListener("resize", function () { if (state.network) show(false); });

    var ready = load(url).then(function (network) {
      state.network = network;
      state.style = Object.assign({}, DEFAULT_STYLE, network.style || {});
      document.documentElement.style.setProperty("--nnx-highlight", state.style.highlight);
      document.documentElement.style.setProperty("--nnx-negative", state.style.negative);
      if (network.convolutional) {   // no edges to switch: the maps panel instead of the diagram
        diagram.hidden = true;
        root.querySelector(".nnx-mode").hidden = true;
        var chain = root.querySelector(".nnx-chain");
        chain.textContent = chainText(network);
        chain.hidden = mapsPanel.hidden = false;
        buildMapsPanel(mapsPanel, network);
      }
      var examples = network.examples.slice().sort(function (p, q) {
        return (q.id === "train:7") - (p.id === "train:7");   // the sloppy three first
      });
      var group = root.querySelector(".nnx-examples");
      examples.forEach(function (example) {
        var button = element("button", { type: "button", "data-example": example.id }, exampleName(example));
        button.addEventListener("click", function () { showExample(example); });
        group.appendChild(button);
      });
      if (examples.length) showExample(examples[0]); else clear();
      root.dataset.ready = "true";
      return network;
    }).catch(function (error) {
      status.textContent = String(error.message || error);
      status.classList.add("nnx-error");
      root.dataset.ready = "error";
      throw error;
    });

    return {
      ready: ready,
      state: state,
      pad: pad,
      clear: clear,
      showExample: showExample,
      layout: function () {
        if (state.network.convolutional) return mapsLayout(state.network, state.activations);
        return diagramLayout(state.network, state.activations, state.mode, diagram.clientWidth, diagram.clientHeight);
      }
    };
  }

  api.mount = mount;
  api.diagramLayout = diagramLayout;
  api.mapsLayout = mapsLayout;
})();
