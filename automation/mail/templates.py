"""The jinja2 mail renderer: ``templates/mail/{stem}.subject.j2``, ``.txt.j2`` and ``.html.j2``.

HTML templates are autoescaped and every template uses StrictUndefined, so a cell holding
``<script>`` or ``{{ 7*7 }}`` arrives as literal text and a field the job does not supply is an
error at once, not a blank.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2

from automation.errors import TemplateError
from automation.parsers.base import josa
from automation.resources import data_dir


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def mail_template_dir() -> Path:
    folder = data_dir("templates/mail")
    if folder is not None:
        return folder
    raise TemplateError("메일 양식 폴더(templates/mail)를 찾을 수 없습니다. 설치가 손상되었으니 다시 설치하세요.")


@lru_cache(maxsize=4)
def _env(folder: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        undefined=jinja2.StrictUndefined,
        autoescape=lambda name: name is not None and ".html" in name,
        keep_trailing_newline=True,
    )
    # {{ market_name|josa("과") }} → "못골시장과", "경기상회와": the particle that fits the word
    env.filters["josa"] = lambda word, particle: f"{word}{josa(str(word), particle)}"
    return env


def render_mail(
    stem: str, fields: frozenset[str], context: Mapping[str, object], folder: Path | None = None
) -> Rendered:
    """``templates/mail/{stem}.subject.j2``, ``.txt.j2`` and ``.html.j2`` filled from ``context``."""
    env = _env(folder or mail_template_dir())
    parts = []
    for kind in ("subject", "txt", "html"):
        name = f"{stem}.{kind}.j2"
        try:
            parts.append(env.get_template(name).render(**context, subject=""))
        except jinja2.UndefinedError as exc:
            raise TemplateError(
                f"메일 양식 {name}이(가) 작업이 채울 수 없는 필드를 씁니다 ({exc.message}). "
                f"쓸 수 있는 필드: {', '.join(sorted(fields))}."
            ) from exc
        except jinja2.TemplateError as exc:
            raise TemplateError(f"메일 양식 {name}을(를) 읽을 수 없습니다: {exc}. 양식을 고치세요.") from exc
    subject, text, html = parts
    return Rendered(" ".join(subject.split()), text, html)
