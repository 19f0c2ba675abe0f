"""Ticks in a Word course form: every way people tick a box, and every way a form asks for the sharing consent."""

from __future__ import annotations

import pytest

from ingest.samples.forms import build_course_form
from parsers.word import read_word


TICK_STYLES = ["☑", "■", "√", "✔", "☒", "wingdings", "wingdings_fe", "wingdings_text", "wingdings_pua", "symbol",
               "content_control"]


@pytest.mark.parametrize("style", TICK_STYLES)
def test_every_tick_style_is_read(style):
    data = build_course_form(tick_style=style, resource_types=("教材（读本）", "其他"), share_consent=False)
    form = read_word(data, "课程.docx").form
    assert form.resource_types == ["教材（读本）", "其他"]
    assert form.share_consent is False


@pytest.mark.parametrize("style", ["☑", "content_control", "wingdings"])
@pytest.mark.parametrize("consent", [True, False, None])
def test_share_consent_yes_no_unanswered(style, consent):
    form = read_word(build_course_form(tick_style=style, share_consent=consent), "课程.docx").form
    assert form.share_consent is consent


@pytest.mark.parametrize("question", ["是否同意公开推广", "是否同意在全国老年教育公共服务平台公开", "是否同意推广使用"])
@pytest.mark.parametrize("consent", [True, False])
def test_share_consent_is_read_whatever_words_the_question_uses(question, consent):
    """Provinces ask 公开/推广 instead of 纳入平台共享; the answer is the same fact (issue 21)."""
    form = read_word(build_course_form(share_label=question, share_consent=consent), "课程.docx").form
    assert form.share_consent is consent


@pytest.mark.parametrize("hint", ["（请勾选）", "（请在□内打√）", "（单选）"])
@pytest.mark.parametrize("consent", [True, False, None])
def test_an_instruction_under_the_question_is_no_answer(hint, consent):
    """`（请在□内打√）` on the label cell's second line: the answer is still the next cell (issue 21)."""
    question = f"是否同意纳入全国老年教育公共服务平台共享\n{hint}"
    form = read_word(build_course_form(share_label=question, share_consent=consent), "课程.docx").form
    assert form.share_consent is consent


@pytest.mark.parametrize("style", ["agree", "bracket"])
@pytest.mark.parametrize("consent", [True, False, None])
def test_share_consent_ticked_beside_同意_or_in_brackets(style, consent):
    form = read_word(build_course_form(consent_style=style, share_consent=consent), "课程.docx").form
    assert form.share_consent is consent


@pytest.mark.parametrize("consent", [True, False, None])
def test_share_consent_written_as_words(consent):
    form = read_word(build_course_form(consent_style="word", share_consent=consent), "课程.docx").form
    assert form.share_consent is consent
