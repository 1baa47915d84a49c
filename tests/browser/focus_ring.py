"""The focus ring as a visitor sees it: its colour, whether an ancestor that hides its overflow
cuts it off, and its contrast (WCAG 1.4.11 asks 3:1) with every colour it is drawn against."""

import re

# Which colours lie next to the ring: a ring drawn inside the element (a negative offset) lies
# on the element's own background; one drawn outside lies on whatever is behind the element
# (the first ancestor with a background, else the white canvas), and the element's own
# background is counted too, as it sits a mere offset away. Gradient stops count as colours.
RING_SCRIPT = """(element) => {
  const coloursOf = (el) => {
    const style = getComputedStyle(el);
    const colours = style.backgroundImage.match(/rgba?\\([^)]*\\)/g) || [];
    if (style.backgroundColor !== "rgba(0, 0, 0, 0)") colours.push(style.backgroundColor);
    return colours;
  };
  const style = getComputedStyle(element);
  const width = parseFloat(style.outlineWidth), offset = parseFloat(style.outlineOffset);
  const own = coloursOf(element);
  let behind = [];
  for (let el = element.parentElement; el && !behind.length; el = el.parentElement) {
    behind = coloursOf(el);
  }
  if (!behind.length) behind = ["rgb(255, 255, 255)"];
  const inside = offset + width <= 0;
  const box = element.getBoundingClientRect(), grow = Math.max(offset + width, 0);
  let clipped = false;
  for (let el = element.parentElement; el; el = el.parentElement) {
    if (getComputedStyle(el).overflow === "visible") continue;
    const frame = el.getBoundingClientRect();
    clipped ||= box.left - grow < frame.left || box.top - grow < frame.top
      || box.right + grow > frame.right || box.bottom + grow > frame.bottom;
  }
  return {
    colour: style.outlineColor, style: style.outlineStyle, width,
    focusVisible: element.matches(":focus-visible"), clipped,
    backgrounds: inside && own.length ? own : own.concat(behind),
  };
}"""


def rgb(colour):
    """(r, g, b) of a computed ``rgb()`` colour; a translucent one would need what lies under
    it, which these checks do not know, so it is refused."""
    values = [float(value) for value in re.findall(r"[\d.]+", colour)]
    if len(values) == 4 and values[3] < 1:
        raise ValueError(f"translucent colour {colour}: its contrast depends on what is under it")
    return values[:3]


def luminance(colour):
    channels = [value / 255 for value in rgb(colour)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first, second):
    """WCAG's contrast ratio of two computed colours, from 1 to 21."""
    darker, lighter = sorted((luminance(first), luminance(second)))
    return (lighter + 0.05) / (darker + 0.05)


def focus_ring(locator):
    """The focused element's ring, with ``contrast``: its lowest ratio against the colours it
    is drawn against."""
    ring = locator.evaluate(RING_SCRIPT)
    ring["contrast"] = min(
        contrast_ratio(ring["colour"], background) for background in ring["backgrounds"]
    )
    return ring
