"""카드뉴스: 1080×1080 PNG cards drawn with Pillow and NanumGothic (the map's font), large type that
reads on a phone (body text 40 px and up on the 1080 px card). Each card is a :class:`Card`; the
same cards give the same bytes (no text chunks, fixed font and size). A photo is used only when
staff gave a local file that Pillow can open; anything else is left out and said."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from automation.documents.files import write_atomic
from automation.documents.map import korean_font
from automation.errors import DocumentError

SIZE = 1080
MARGIN = 80
NAVY, BLUE, PALE, INK, GREY = "#0b3a6e", "#3182bd", "#eaf2fb", "#1d1d1f", "#5b5b60"
MAX_PHOTO = 20 * 1024 * 1024


@dataclass(frozen=True)
class Figure:
    value: str  # "12팀"
    label: str  # "협약"


@dataclass(frozen=True)
class Card:
    kind: str  # cover, figures, case, apply, contact
    title: str
    lines: Sequence[str] = ()
    figures: Sequence[Figure] = ()
    photo: Path | None = None
    footer: str = ""
    notes: list[str] = field(default_factory=list, compare=False)


@cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    regular = korean_font()
    heavy = regular.with_name(regular.stem + "Bold" + regular.suffix)
    return ImageFont.truetype(str(heavy if bold and heavy.is_file() else regular), size)


def wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Lines of ``text`` that fit ``width`` pixels, broken between words (어절) as Korean print does;
    a word longer than a line is broken by character."""
    out: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if draw.textlength(candidate, font=font) <= width:
            line = candidate
            continue
        if line:
            out.append(line)
        line = ""
        for ch in word:
            if draw.textlength(line + ch, font=font) > width and line:
                out.append(line)
                line = ch
            else:
                line += ch
    if line:
        out.append(line)
    return out


def _photo(path: Path) -> Image.Image | None:
    try:
        if not path.is_file() or path.stat().st_size > MAX_PHOTO:
            return None
        with Image.open(path) as image:
            image.load()
            return image.convert("RGB")
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        return None


def _cover(draw: ImageDraw.ImageDraw, card: Card) -> None:
    draw.rectangle((0, 0, SIZE, SIZE), fill=NAVY)
    y = 300
    for line in wrap(draw, card.title, _font(84, True), SIZE - 2 * MARGIN):
        draw.text((MARGIN, y), line, font=_font(84, True), fill="white")
        y += 110
    y += 30
    for line in card.lines:
        draw.text((MARGIN, y), line, font=_font(48), fill="#cfe0f5")
        y += 70


def _figures(draw: ImageDraw.ImageDraw, card: Card) -> None:
    draw.text((MARGIN, MARGIN), card.title, font=_font(64, True), fill=NAVY)
    top, cell = 240, (SIZE - 2 * MARGIN - 40) // 2
    for k, fig in enumerate(card.figures[:4]):
        x = MARGIN + (k % 2) * (cell + 40)
        y = top + (k // 2) * 330
        draw.rounded_rectangle((x, y, x + cell, y + 290), radius=28, fill=PALE)
        value_font = _font(72 if len(fig.value) <= 8 else 54, True)
        draw.text((x + 36, y + 60), fig.value, font=value_font, fill=BLUE)
        draw.text((x + 36, y + 190), fig.label, font=_font(42), fill=INK)


def _tiles(draw: ImageDraw.ImageDraw, figures: Sequence[Figure], y: int) -> int:
    """A row of up to three small figure tiles (a case's numbers) from ``y``; returns the next y."""
    shown = list(figures[:3])
    if not shown:
        return y
    gap = 30
    cell = (SIZE - 2 * MARGIN - gap * (len(shown) - 1)) // len(shown)
    for k, fig in enumerate(shown):
        x = MARGIN + k * (cell + gap)
        draw.rounded_rectangle((x, y, x + cell, y + 190), radius=24, fill=PALE)
        size = 56 if draw.textlength(fig.value, font=_font(56, True)) <= cell - 50 else 40
        draw.text((x + 28, y + 36), fig.value, font=_font(size, True), fill=BLUE)
        draw.text((x + 28, y + 124), fig.label, font=_font(36), fill=INK)
    return y + 190 + 40


def _text_card(draw: ImageDraw.ImageDraw, card: Card, canvas: Image.Image) -> None:
    y = MARGIN
    for line in wrap(draw, card.title, _font(60, True), SIZE - 2 * MARGIN):
        draw.text((MARGIN, y), line, font=_font(60, True), fill=NAVY)
        y += 78
    y += 20
    if card.photo is not None:
        image = _photo(card.photo)
        if image is None:
            card.notes.append(f"사진을 열 수 없어 뺐습니다: {card.photo}")
        else:
            image.thumbnail((SIZE - 2 * MARGIN, 380 if card.figures else 420))
            canvas.paste(image, ((SIZE - image.width) // 2, y))
            y += image.height + 30
    y = _tiles(draw, card.figures, y)
    body = _font(42)
    for text in card.lines:
        for line in wrap(draw, text, body, SIZE - 2 * MARGIN):
            if y > SIZE - MARGIN - 120:
                break
            draw.text((MARGIN, y), line, font=body, fill=INK)
            y += 60
        y += 16


def card_png(card: Card, number: int, total: int) -> bytes:
    canvas = Image.new("RGB", (SIZE, SIZE), "white")
    draw = ImageDraw.Draw(canvas)
    if card.kind == "cover":
        _cover(draw, card)
    elif card.kind == "figures":
        _figures(draw, card)
    else:
        _text_card(draw, card, canvas)
    shade = "#cfe0f5" if card.kind == "cover" else GREY
    if card.footer:
        draw.text((MARGIN, SIZE - MARGIN - 10), card.footer, font=_font(28), fill=shade)
    draw.text((SIZE - MARGIN, SIZE - MARGIN - 10), f"{number}/{total}", font=_font(28), fill=shade, anchor="ra")
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=False)
    return out.getvalue()


def write_cards(cards: Sequence[Card], folder: Path) -> list[Path]:
    written = []
    for k, card in enumerate(cards, start=1):
        path = folder / f"{k:02d}_{card.kind}.png"
        try:
            write_atomic(path, card_png(card, k, len(cards)))
        except OSError as exc:
            raise DocumentError(
                f"카드뉴스를 쓰지 못했습니다 ({path}): {exc.strerror or exc}. 폴더를 확인하세요."
            ) from exc
        written.append(path)
    return written
