//! Lays the bars out on an 800×450 card and paints them with tiny-skia.
//!
//! The card is opaque and dark (Discord's dark theme is dark grey, its light theme
//! white): a transparent chart would need colours that work on both and none do well,
//! while a dark card with light text and the colour-blind-safe Okabe–Ito colours reads
//! the same in either theme and stands apart from both. Text is at least 14 px (≈ 7 px
//! when a phone shows the image 400 px wide), names and scores 17–18 px. Every
//! coordinate is rounded to whole pixels and nothing is anti-aliased but the glyphs, so
//! the same bars always give the same bytes.

use std::collections::HashMap;

use tiny_skia::{Paint, Pixmap, Rect, Transform};

pub use super::font::Rgb;
use super::font::{self, Fonts};
use super::{Bar, ChartError};
use crate::guide::Catalogue;

/// The chart's width in pixels.
pub const WIDTH: u32 = 800;
/// The chart's height in pixels.
pub const HEIGHT: u32 = 450;

const PAD: f32 = 16.0;
const BACKGROUND: Rgb = Rgb(0x1E, 0x1F, 0x22);
const BORDER: Rgb = Rgb(0x4E, 0x50, 0x58);
const TEXT: Rgb = Rgb(0xF2, 0xF3, 0xF5);
const MUTED: Rgb = Rgb(0xB5, 0xBA, 0xC1);
const WINNER: Rgb = Rgb(0xFE, 0xE7, 0x5C);
/// The hatching of bonus points, and of points taken away.
const BONUS: Rgb = Rgb(0xF2, 0xF3, 0xF5);
const PENALTY: Rgb = Rgb(0xF2, 0x3F, 0x43);
const HATCH_BASE: Rgb = Rgb(0x38, 0x3A, 0x40);
/// The hatching of a ruled-out framework's bonus or penalty: greyed like its bar.
const HATCH_GREY: Rgb = Rgb(0x8E, 0x92, 0x97);
/// Excluded frameworks' segments, alternating so the split stays visible.
const GREYS: [Rgb; 2] = [Rgb(0x5C, 0x5F, 0x66), Rgb(0x47, 0x49, 0x4F)];
/// One colour per criterion: Okabe–Ito, the blue lightened for the dark card.
const PALETTE: [Rgb; 7] = [
    Rgb(0xE6, 0x9F, 0x00),
    Rgb(0x56, 0xB4, 0xE9),
    Rgb(0x00, 0x9E, 0x73),
    Rgb(0xF0, 0xE4, 0x42),
    Rgb(0x5D, 0x8F, 0xF0),
    Rgb(0xD5, 0x5E, 0x00),
    Rgb(0xCC, 0x79, 0xA7),
];

const TITLE_SIZE: f32 = 22.0;
const LEGEND_SIZE: f32 = 15.0;
const LEGEND_LINE: f32 = 22.0;
const LABEL_WIDTH: f32 = 172.0;
const SCORE_WIDTH: f32 = 56.0;

/// A criterion's colour (cycled past seven criteria).
pub fn colour(criterion: usize) -> Rgb {
    PALETTE[criterion % PALETTE.len()]
}

/// The PNG of `bars` under `title`.
pub fn render(catalogue: &Catalogue, title: &str, bars: &[Bar]) -> Result<Vec<u8>, ChartError> {
    let fonts = Fonts::load()?;
    let mut canvas = Canvas {
        pixmap: Pixmap::new(WIDTH, HEIGHT).ok_or(ChartError::Draw("no canvas"))?,
    };
    canvas.rect(0.0, 0.0, WIDTH as f32, HEIGHT as f32, BACKGROUND);
    canvas.outline(0.0, 0.0, WIDTH as f32, HEIGHT as f32, 1.0, BORDER);
    let right = WIDTH as f32 - PAD;
    let title = font::fit(&fonts.bold, TITLE_SIZE, title, right - PAD);
    canvas.text(
        &fonts.bold,
        TITLE_SIZE,
        (PAD, PAD + 20.0),
        &title,
        TEXT,
        right,
    );

    let legend_top = legend(&mut canvas, &fonts, catalogue, bars);
    let (top, bottom) = (PAD + 36.0, legend_top - 8.0);
    if bars.is_empty() {
        let note = "The guide has no frameworks to show.";
        canvas.text(&fonts.regular, 17.0, (PAD, top + 24.0), note, MUTED, right);
    } else {
        let row = (bottom - top) / bars.len() as f32;
        let scale = Scale::of(bars);
        for (i, bar) in bars.iter().enumerate() {
            draw_bar(&mut canvas, &fonts, bar, top + i as f32 * row, row, &scale);
        }
    }
    encode(&canvas.pixmap)
}

/// The canvas as a PNG, as small as it losslessly goes: every result is uploaded with
/// its chart, so each byte is paid on every upload while encoding is paid once per
/// distinct chart (they are kept). The card is opaque, so no alpha channel; with at
/// most 256 colours (flat shapes and the glyphs' anti-aliased edges usually are) an
/// indexed image, else RGB.
fn encode(pixmap: &Pixmap) -> Result<Vec<u8>, ChartError> {
    let encode_error = |e: png::EncodingError| ChartError::Encode(e.to_string());
    let pixels = pixmap.data().chunks_exact(4);
    if pixels.clone().any(|p| p[3] != u8::MAX) {
        // Not opaque after all (never drawn so): tiny-skia's own RGBA encoding.
        return pixmap.encode_png().map_err(encode_error);
    }
    // Opaque pixels are stored as they are (premultiplying by 1 changes nothing).
    let mut palette: HashMap<[u8; 3], u8> = HashMap::new();
    let mut indices = Vec::with_capacity(pixmap.data().len() / 4);
    for p in pixels.clone() {
        let rgb = [p[0], p[1], p[2]];
        let next = palette.len();
        let index = *palette.entry(rgb).or_insert(next.min(255) as u8);
        if palette.len() > 256 {
            break;
        }
        indices.push(index);
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::High);
    let data = if palette.len() <= 256 {
        let mut colours = vec![0; palette.len() * 3];
        for (rgb, index) in &palette {
            let at = usize::from(*index) * 3;
            colours[at..at + 3].copy_from_slice(rgb);
        }
        encoder.set_color(png::ColorType::Indexed);
        encoder.set_palette(colours);
        indices
    } else {
        encoder.set_color(png::ColorType::Rgb);
        pixels.flat_map(|p| [p[0], p[1], p[2]]).collect()
    };
    let mut writer = encoder.write_header().map_err(encode_error)?;
    writer.write_image_data(&data).map_err(encode_error)?;
    writer.finish().map_err(encode_error)?;
    Ok(out)
}

/// Points → pixels along the bars.
struct Scale {
    left: f32,
    right: f32,
    max: f64,
}

impl Scale {
    fn of(bars: &[Bar]) -> Scale {
        let max = bars
            .iter()
            .flat_map(|b| [b.from_ratings, b.score, b.from_ratings + b.bonus.max(0.0)])
            .filter(|v| v.is_finite())
            .fold(35.0, f64::max);
        Scale {
            left: PAD + LABEL_WIDTH,
            right: WIDTH as f32 - PAD - SCORE_WIDTH,
            max,
        }
    }

    /// The x of a score, within the bar area.
    fn x(&self, points: f64) -> f32 {
        let points = if points.is_finite() { points } else { 0.0 };
        let share = (points / self.max).clamp(0.0, 1.0) as f32;
        (self.left + share * (self.right - self.left)).round()
    }
}

fn draw_bar(canvas: &mut Canvas, fonts: &Fonts, bar: &Bar, top: f32, row: f32, scale: &Scale) {
    let excluded = !bar.excluded.is_empty();
    let name_size = (row * 0.5).clamp(9.0, 18.0);
    let (bar_top, bar_height) = if excluded {
        ((top + row * 0.08).round(), (row * 0.42).round().max(1.0))
    } else {
        ((top + row * 0.18).round(), (row * 0.64).round().max(1.0))
    };
    let baseline = bar_top + bar_height / 2.0 + name_size * 0.36;

    // The name, the winner starred in bold.
    let (face, ink, name) = if bar.winner {
        (&fonts.bold, WINNER, format!("★ {}", bar.name))
    } else if excluded {
        (&fonts.regular, MUTED, bar.name.clone())
    } else {
        (&fonts.regular, TEXT, bar.name.clone())
    };
    let label_right = scale.left - 8.0;
    let name = font::fit(face, name_size, &name, label_right - PAD);
    canvas.text(face, name_size, (PAD, baseline), &name, ink, label_right);

    // The criteria's contributions, end to end.
    let mut cumulative = 0.0;
    for segment in &bar.segments {
        let x0 = scale.x(cumulative);
        cumulative += segment.points;
        let x1 = scale.x(cumulative);
        let fill = if excluded {
            GREYS[segment.criterion % GREYS.len()]
        } else {
            colour(segment.criterion)
        };
        // A one-pixel gap between segments keeps neighbours apart.
        let width = if x1 - x0 >= 3.0 {
            x1 - x0 - 1.0
        } else {
            x1 - x0
        };
        canvas.rect(x0, bar_top, width, bar_height, fill);
    }
    let ratings_end = scale.x(bar.from_ratings);
    let (bonus, penalty) = if excluded {
        (HATCH_GREY, HATCH_GREY)
    } else {
        (BONUS, PENALTY)
    };
    if bar.bonus > 0.0 {
        let end = scale.x(bar.from_ratings + bar.bonus);
        canvas.hatch(ratings_end, bar_top, end - ratings_end, bar_height, bonus);
    } else if bar.bonus < 0.0 {
        let start = scale.x(bar.score);
        canvas.hatch(start, bar_top, ratings_end - start, bar_height, penalty);
    }
    let end = scale.x(bar.from_ratings.max(bar.score));
    if bar.winner {
        let left = scale.left;
        canvas.outline(
            left - 2.0,
            bar_top - 2.0,
            end - left + 4.0,
            bar_height + 4.0,
            2.0,
            WINNER,
        );
    }

    // The score after the bar.
    let score_size = name_size.min(17.0);
    let score = crate::text::points(bar.score);
    let right = WIDTH as f32 - PAD;
    let x = end + 6.0;
    let score = font::fit(face, score_size, &score, right - x);
    canvas.text(face, score_size, (x, baseline), &score, ink, right);

    // Why it is ruled out, under its bar.
    if excluded {
        let size = (row * 0.3).clamp(8.0, 14.0);
        let reasons = bar.excluded.join("; ");
        let why = match reasons.strip_prefix("ruled out") {
            Some(rest) => format!("Ruled out{rest}"),
            None => format!("Ruled out: {reasons}"),
        };
        let why = font::fit(&fonts.regular, size, &why, right - scale.left);
        let y = bar_top + bar_height + size + 2.0;
        canvas.text(&fonts.regular, size, (scale.left, y), &why, MUTED, right);
    }
}

/// The legend at the bottom (criteria, bonus, excluded), wrapped to the width; returns
/// its top.
fn legend(canvas: &mut Canvas, fonts: &Fonts, catalogue: &Catalogue, bars: &[Bar]) -> f32 {
    enum Swatch {
        Solid(Rgb),
        Hatched(Rgb),
    }
    let mut items: Vec<(Swatch, String)> = catalogue
        .criteria
        .iter()
        .enumerate()
        .map(|(c, criterion)| (Swatch::Solid(colour(c)), criterion.name.clone()))
        .collect();
    if bars.iter().any(|b| b.bonus > 0.0) {
        items.push((Swatch::Hatched(BONUS), "Bonus points".to_owned()));
    }
    if bars.iter().any(|b| b.bonus < 0.0) {
        items.push((Swatch::Hatched(PENALTY), "Points taken away".to_owned()));
    }
    if bars.iter().any(|b| !b.excluded.is_empty()) {
        items.push((Swatch::Solid(GREYS[0]), "Ruled out".to_owned()));
    }
    let (left, right) = (PAD, WIDTH as f32 - PAD);
    let swatch = 13.0;
    // Place the items first to know how many lines there are.
    let mut placed = Vec::new();
    let (mut x, mut line) = (left, 0usize);
    for (kind, name) in items {
        let name = font::fit(&fonts.regular, LEGEND_SIZE, &name, 240.0);
        let width = swatch + 5.0 + font::width(&fonts.regular, LEGEND_SIZE, &name);
        if x > left && x + width > right {
            x = left;
            line += 1;
        }
        placed.push((kind, name, x, line));
        x += width + 16.0;
    }
    let lines = placed.last().map_or(0, |p| p.3 + 1);
    let top = HEIGHT as f32 - PAD - lines as f32 * LEGEND_LINE;
    for (kind, name, x, line) in placed {
        let y = top + line as f32 * LEGEND_LINE;
        let (sx, sy) = (x.round(), (y + 4.0).round());
        match kind {
            Swatch::Solid(c) => canvas.rect(sx, sy, swatch, swatch, c),
            Swatch::Hatched(c) => canvas.hatch(sx, sy, swatch, swatch, c),
        }
        let text_x = x + swatch + 5.0;
        canvas.text(
            &fonts.regular,
            LEGEND_SIZE,
            (text_x, y + 16.0),
            &name,
            MUTED,
            right,
        );
    }
    top
}

/// The pixmap with the few shapes the chart uses, all on whole pixels.
struct Canvas {
    pixmap: Pixmap,
}

impl Canvas {
    fn rect(&mut self, x: f32, y: f32, width: f32, height: f32, colour: Rgb) {
        let Some(rect) = Rect::from_xywh(x.round(), y.round(), width.round(), height.round())
        else {
            return; // nothing to fill (zero width)
        };
        let mut paint = Paint::default();
        paint.set_color_rgba8(colour.0, colour.1, colour.2, 255);
        paint.anti_alias = false;
        self.pixmap
            .fill_rect(rect, &paint, Transform::identity(), None);
    }

    /// A rectangle's border of `thickness` pixels.
    fn outline(&mut self, x: f32, y: f32, width: f32, height: f32, thickness: f32, colour: Rgb) {
        self.rect(x, y, width, thickness, colour);
        self.rect(x, y + height - thickness, width, thickness, colour);
        self.rect(x, y, thickness, height, colour);
        self.rect(x + width - thickness, y, thickness, height, colour);
    }

    /// Diagonal stripes of `colour` on a dark base, with a border: bonus points.
    fn hatch(&mut self, x: f32, y: f32, width: f32, height: f32, colour: Rgb) {
        if width < 1.0 || height < 1.0 {
            return;
        }
        self.rect(x, y, width, height, HATCH_BASE);
        let (x0, y0) = (x.round().max(0.0) as u32, y.round().max(0.0) as u32);
        let x1 = ((x + width).round() as u32).min(WIDTH);
        let y1 = ((y + height).round() as u32).min(HEIGHT);
        let stride = WIDTH as usize;
        let Some(ink) =
            tiny_skia::PremultipliedColorU8::from_rgba(colour.0, colour.1, colour.2, 255)
        else {
            return;
        };
        let pixels = self.pixmap.pixels_mut();
        for py in y0..y1 {
            for px in x0..x1 {
                if (px + py) % 7 < 2 {
                    pixels[py as usize * stride + px as usize] = ink;
                }
            }
        }
        self.outline(x, y, width, height, 1.0, colour);
    }

    fn text(
        &mut self,
        face: &ab_glyph::FontRef<'_>,
        size: f32,
        at: (f32, f32),
        text: &str,
        colour: Rgb,
        max_x: f32,
    ) {
        font::draw(&mut self.pixmap, face, size, at, text, colour, max_x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The encoded PNG decoded back to RGB.
    fn decode(png: &[u8]) -> (png::ColorType, Vec<u8>) {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap();
        let stored = reader.info().color_type;
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((frame.width, frame.height), (WIDTH, HEIGHT));
        assert_eq!(frame.color_type, png::ColorType::Rgb);
        (stored, pixels)
    }

    fn rgb(pixmap: &Pixmap) -> Vec<u8> {
        pixmap
            .data()
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect()
    }

    #[test]
    fn a_canvas_of_few_colours_is_an_indexed_png_with_every_pixel_kept() {
        let mut canvas = Canvas {
            pixmap: Pixmap::new(WIDTH, HEIGHT).unwrap(),
        };
        canvas.rect(0.0, 0.0, WIDTH as f32, HEIGHT as f32, BACKGROUND);
        canvas.rect(10.0, 10.0, 200.0, 40.0, colour(0));
        let fonts = Fonts::load().unwrap();
        canvas.text(&fonts.bold, 18.0, (20.0, 100.0), "Laravel 31", TEXT, 700.0);
        let png = encode(&canvas.pixmap).unwrap();
        let (stored, pixels) = decode(&png);
        assert_eq!(stored, png::ColorType::Indexed);
        assert_eq!(pixels, rgb(&canvas.pixmap), "lossless");
    }

    #[test]
    fn a_canvas_of_many_colours_is_an_rgb_png_with_every_pixel_kept() {
        let mut pixmap = Pixmap::new(WIDTH, HEIGHT).unwrap();
        for (i, p) in pixmap.pixels_mut().iter_mut().enumerate() {
            let [a, b, c, _] = (i as u32).to_le_bytes();
            *p = tiny_skia::PremultipliedColorU8::from_rgba(a, b, c, 255).unwrap();
        }
        let png = encode(&pixmap).unwrap();
        let (stored, pixels) = decode(&png);
        assert_eq!(stored, png::ColorType::Rgb);
        assert_eq!(pixels, rgb(&pixmap), "lossless");
    }
}
