"""The portal's hot paths rendered in Python rather than through a template per item: each gives
the same HTML (or text) as the Django construct it stands in for."""

import zoneinfo
from datetime import date, datetime
from datetime import timezone as dt_timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import Context, Template
from django.test.html import parse_html
from django.utils import dateformat, timezone, translation
from django.utils.formats import number_format

from portal.kit.fields import LongSelect
from portal.kit.moments import FORMATS, moment_text
from portal.templatetags.portal import money

ZONES = [(zone, zone) for zone in sorted(zoneinfo.available_timezones())]


@pytest.mark.parametrize("value", ["Asia/Shanghai", "", None])
def test_a_long_select_renders_as_djangos_select(value):
    attrs = {"id": "id_time_zone", "required": True}
    expected = forms.Select(choices=ZONES).render("time_zone", value, attrs=attrs)

    rendered = LongSelect(choices=ZONES).render("time_zone", value, attrs=attrs)

    assert parse_html(rendered) == parse_html(expected)


def test_a_long_select_escapes_values_and_labels():
    choices = [('a"b', "<x>"), ("c", "d & e")]

    rendered = LongSelect(choices=choices).render("field", 'a"b')

    assert parse_html(rendered) == parse_html(forms.Select(choices=choices).render("field", 'a"b'))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("micro", [0, 1, 999_999, 1_234_560_000, 250_000_000_000_000, -1_500_000, "42000000"])
def test_money_reads_as_humanize_formats_it(language, micro):
    with translation.override(language):
        value = (Decimal(int(micro)) / Decimal(1_000_000)).quantize(Decimal("0.01"))
        assert money(micro) == intcomma(number_format(value, decimal_pos=2))


def test_money_of_nothing_is_a_dash():
    assert money(None) == money("") == "–"


@pytest.mark.parametrize(("status", "label"), [("repaid", "Repaid"), ("mystery", ""), ("disputed", "<b>&</b>")])
def test_a_badge_renders_as_its_template_did(status, label):
    template = Template("{% load portal %}{% badge status label %}")
    tone = {"repaid": "good", "disputed": "bad"}.get(status, "info")
    escaped = label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") or status

    rendered = template.render(Context({"status": status, "label": label}))

    assert rendered == f'<span class="badge {tone}" data-status="{status}">{escaped}</span>'


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/St_Johns", "UTC"])
@pytest.mark.parametrize("value", [
    datetime(2026, 12, 3, 12, 5, 9, tzinfo=dt_timezone.utc), datetime(999, 1, 2, 3, 4, 5, tzinfo=dt_timezone.utc),
])
def test_a_moment_reads_as_djangos_date_format_wrote_it(zone, value):
    with timezone.override(ZoneInfo(zone)):
        local = timezone.localtime(value)
        for precision, format_string in FORMATS.items():
            assert moment_text(value, precision).rsplit(" ", 1)[0] == dateformat.format(local, format_string)


@pytest.mark.parametrize("value", [
    date(2026, 12, 3), date(999, 1, 2), datetime(2026, 12, 3, 23, 30, tzinfo=dt_timezone.utc), None, "",
])
def test_a_day_renders_as_the_date_filter_did(value):
    with timezone.override(ZoneInfo("Asia/Shanghai")):
        context = Context({"value": value})
        assert (Template('{% load portal %}{{ value|day }}').render(context)
                == Template('{{ value|date:"Y-m-d" }}').render(context))
