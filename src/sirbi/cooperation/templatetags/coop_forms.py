"""A needs questionnaire's questions as form fields (their kind decides the widget), with the typed value
kept and the error shown after a refused save."""

from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag
def question_field(question, value, typed, errors):
    current = typed.get(question.code, value) if typed else value
    if question.kind == "multiple":
        chosen = set(current or [])
    else:
        chosen = {str(current)} if current not in (None, "") else set()
    return render_to_string("cooperation/_question.html", {
        "question": question, "current": "" if current is None else current, "chosen": chosen,
        "error": errors.get(question.code), "scale": range(question.scale_min, question.scale_max + 1)})
