//! The chart's text: DejaVu Sans, shipped in assets/fonts (Bitstream Vera licence,
//! assets/fonts/LICENSE-DejaVu), laid out and rasterised with ab_glyph into the pixmap.
//! No system fonts are looked up.

use ab_glyph::{point, Font as _, FontRef, PxScale, ScaleFont as _};
use tiny_skia::Pixmap;

use super::ChartError;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// An opaque colour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// The shipped faces.
pub struct Fonts {
    pub regular: FontRef<'static>,
    pub bold: FontRef<'static>,
}

impl Fonts {
    pub fn load() -> Result<Fonts, ChartError> {
        let load =
            |bytes| FontRef::try_from_slice(bytes).map_err(|e| ChartError::Font(e.to_string()));
        Ok(Fonts {
            regular: load(REGULAR)?,
            bold: load(BOLD)?,
        })
    }
}

/// The width of `text` at `size` pixels, with kerning.
pub fn width(font: &FontRef<'_>, size: f32, text: &str) -> f32 {
    let scaled = font.as_scaled(PxScale::from(size));
    let mut width = 0.0;
    let mut previous = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(previous) = previous {
            width += scaled.kern(previous, id);
        }
        width += scaled.h_advance(id);
        previous = Some(id);
    }
    width
}

/// `text` cut at a word or character with "…" so that it fits `max` pixels (whole when
/// it fits; empty when not even "…" fits).
pub fn fit(font: &FontRef<'_>, size: f32, text: &str, max: f32) -> String {
    if width(font, size, text) <= max {
        return text.to_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    // The longest prefix that fits with the ellipsis (binary search: width grows with
    // the prefix).
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid].iter().collect::<String>() + "…";
        if width(font, size, &candidate) <= max {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    if lo == 0 {
        return if width(font, size, "…") <= max {
            "…".to_owned()
        } else {
            String::new()
        };
    }
    let prefix: String = chars[..lo].iter().collect();
    format!("{}…", prefix.trim_end())
}

/// Draws `text` with its baseline at `y`, starting at `x`; glyphs past `max_x` are
/// left out (callers [`fit`] the text first, this is the last guard).
pub fn draw(
    pixmap: &mut Pixmap,
    font: &FontRef<'_>,
    size: f32,
    (x, y): (f32, f32),
    text: &str,
    colour: Rgb,
    max_x: f32,
) {
    let scaled = font.as_scaled(PxScale::from(size));
    let (w, h) = (pixmap.width(), pixmap.height());
    let stride = w as usize;
    let pixels = pixmap.pixels_mut();
    let mut caret = x;
    let mut previous = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(previous) = previous {
            caret += scaled.kern(previous, id);
        }
        previous = Some(id);
        let advance = scaled.h_advance(id);
        if caret + advance > max_x + 0.5 {
            break;
        }
        let glyph = id.with_scale_and_position(PxScale::from(size), point(caret, y));
        caret += advance;
        let Some(outlined) = font.outline_glyph(glyph) else {
            continue; // a space
        };
        let bounds = outlined.px_bounds();
        outlined.draw(|gx, gy, coverage| {
            let px = bounds.min.x as i64 + i64::from(gx);
            let py = bounds.min.y as i64 + i64::from(gy);
            if px < 0 || py < 0 || px >= i64::from(w) || py >= i64::from(h) {
                return;
            }
            let index = py as usize * stride + px as usize;
            // Coverage in 16 steps: no visible difference at these sizes, and the
            // chart then has few enough colours for an indexed PNG (a third the bytes).
            let a = (coverage.clamp(0.0, 1.0) * 15.0).round() / 15.0;
            let under = pixels[index];
            let mix = |top: u8, bottom: u8| {
                (f32::from(top) * a + f32::from(bottom) * (1.0 - a)).round() as u8
            };
            // The canvas is opaque, so premultiplied equals straight colour.
            if let Some(p) = tiny_skia::PremultipliedColorU8::from_rgba(
                mix(colour.0, under.red()),
                mix(colour.1, under.green()),
                mix(colour.2, under.blue()),
                255,
            ) {
                pixels[index] = p;
            }
        });
    }
}
