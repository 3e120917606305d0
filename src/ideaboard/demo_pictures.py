"""Pictures for the demo company, drawn here (no photo files ship with the board): a gate
with trucks queueing, a floor plan and a chart of waiting times, plus a one-page PDF,
worded in the company's language.
They go through the same checks and re-encoding as anyone's upload."""

from __future__ import annotations

import io
from types import ModuleType

from PIL import Image, ImageDraw

from ideaboard.services.attachments import keep, refresh_cover
from ideaboard.storage import Store
from ideaboard.tables import Idea
from ideaboard.uploads import prepare


def _saved(picture: Image.Image, image_format: str) -> bytes:
    out = io.BytesIO()
    picture.save(out, image_format)
    return out.getvalue()


def gate_queue() -> bytes:
    """Dusk at a loading gate: a sky, the yard, a gate and five trucks waiting."""
    picture = Image.new("RGB", (1600, 1000))
    draw = ImageDraw.Draw(picture)
    for y in range(600):  # sky, from deep blue to a pale horizon
        shade = y / 600
        draw.line([(0, y), (1600, y)], fill=(int(40 + 170 * shade), int(70 + 140 * shade),
                                             int(140 + 90 * shade)))  # fmt: skip
    draw.rectangle((0, 600, 1600, 1000), fill=(92, 96, 102))
    for x in range(0, 1600, 160):  # lane markings
        draw.rectangle((x, 800, x + 90, 812), fill=(235, 220, 120))
    draw.rectangle((1300, 360, 1340, 760), fill=(60, 60, 66))  # the gate's posts and bar
    draw.rectangle((1500, 360, 1540, 760), fill=(60, 60, 66))
    draw.rectangle((1340, 380, 1500, 400), fill=(220, 60, 50))
    colours = [(200, 70, 60), (60, 120, 190), (230, 230, 235), (70, 150, 90), (220, 170, 60)]
    for n, colour in enumerate(colours):
        left = 60 + n * 250
        draw.rectangle((left, 560, left + 170, 740), fill=colour)  # the trailer
        draw.rectangle((left + 175, 620, left + 235, 740), fill=(45, 50, 60))  # the cab
        for wheel in (left + 30, left + 130, left + 200):
            draw.ellipse((wheel - 22, 718, wheel + 22, 762), fill=(25, 25, 28))
    return _saved(picture, "JPEG")


def floor_plan(names: tuple[str, ...]) -> bytes:
    """A floor plan of four rooms, the last (the one proposed) in green."""
    picture = Image.new("RGB", (1200, 800), "white")
    draw = ImageDraw.Draw(picture)
    draw.rectangle((40, 40, 1160, 760), outline=(40, 40, 40), width=6)
    boxes = [(40, 40, 500, 420), (500, 40, 1160, 420), (40, 420, 700, 760), (700, 420, 1160, 760)]
    for n, (box, label) in enumerate(zip(boxes, names, strict=True)):
        fill = (210, 240, 215) if n == 3 else None
        draw.rectangle(box, outline=(40, 40, 40), width=4, fill=fill)
        draw.text((box[0] + 24, box[1] + 20), label, fill=(30, 30, 30), font_size=36)
    return _saved(picture, "PNG")


def waiting_chart(title: str) -> bytes:
    """Minutes trucks waited at the gate, by hour of the day."""
    picture = Image.new("RGB", (1200, 700), "white")
    draw = ImageDraw.Draw(picture)
    draw.line([(80, 620), (1160, 620)], fill=(60, 60, 60), width=3)
    draw.line([(80, 60), (80, 620)], fill=(60, 60, 60), width=3)
    minutes = [12, 18, 35, 64, 88, 71, 40, 22, 15]
    for n, value in enumerate(minutes):
        left = 120 + n * 115
        draw.rectangle((left, 620 - value * 6, left + 80, 620), fill=(2, 110, 170))
        draw.text((left + 10, 630), f"{6 + n}:00", fill=(60, 60, 60), font_size=24)
    draw.text((100, 20), title, fill=(30, 30, 30), font_size=32)
    return _saved(picture, "PNG")


def one_page_pdf(title: str) -> bytes:
    page = Image.new("RGB", (850, 1100), "white")
    ImageDraw.Draw(page).text((80, 80), title, fill="black", font_size=30)
    return _saved(page, "PDF")


async def attach_demo_pictures(store: Store, company: ModuleType) -> int:
    """The company's pictures (`PICTURES`: by idea title) on its ideas, sent by their
    authors; returns how many."""
    words = company.PICTURE_WORDS
    drawn = {
        "gate": (words["gate"], gate_queue()),
        "chart": (words["chart"], waiting_chart(words["chart_title"])),
        "plan": (words["plan"], floor_plan(words["rooms"])),
        "pdf": (words["pdf"], one_page_pdf(words["proposal"])),
    }
    made = 0
    for title, kinds in company.PICTURES.items():
        idea = await Idea.select(Idea.id, Idea.author).where(Idea.title == title).first()
        if idea is None:
            continue
        for kind in kinds:
            await keep(idea["author"], prepare(*drawn[kind]), store, idea_id=idea["id"])
            made += 1
        await refresh_cover(idea["id"])
    return made
