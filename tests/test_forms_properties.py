"""Properties of the form's reading of posted fields and of the SurveyJS mapping (Hypothesis):
whatever arrives, an answer or a field error, never an exception; and what passes the form's
own checks passes the API's."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring_service.answers import check_answers
from scoring_service.errors import InvalidInput
from scoring_service.forms.fields import read_form
from scoring_service.forms.i18n import STRINGS, Words
from scoring_service.surveys import Survey, answers_from_surveyjs, load_registry, to_surveyjs

from .helpers import FIXTURES

MINI: Survey = load_registry(FIXTURES / "surveys").get("mini")
FIELDS = ["t1", "t2", "t3", "g1", "g2", "g3", "comments", "submitted"]
FIELDS += [f"priorities.{o}" for o in MINI.objective_ids]
TYPED = st.one_of(
    st.sampled_from(["", " ", "0", "1", "3", "5", "6", "25", "100", "101", "-1", "1e3", "٤"]),
    st.text(max_size=30),
    st.integers(-10, 200).map(str),
)
FORMS = st.dictionaries(st.sampled_from(FIELDS + ["junk", "t1.x"]), TYPED, max_size=14)


@settings(max_examples=300, deadline=None)
@given(form=FORMS, complete=st.booleans(), lang=st.sampled_from(sorted(STRINGS)))
def test_read_form_answers_or_names_fields_and_agrees_with_the_api(
    form: dict[str, str], complete: bool, lang: str
) -> None:
    answers, errors = read_form(MINI, form, complete=complete, words=Words(lang))
    known = {*MINI.item_scales, *(f"priorities.{o}" for o in MINI.objective_ids)}
    assert set(errors) <= known and all(isinstance(m, str) and m for m in errors.values())
    if not errors:
        check_answers(answers, MINI, complete=complete)  # raises if the two disagree


SURVEYJS_VALUES: Any = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 150), st.floats(), st.text(max_size=8)),
    lambda inner: st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    data=st.dictionaries(
        st.sampled_from([*MINI.item_scales, "t1-Comment", "x", "priorities"]),
        SURVEYJS_VALUES,
        max_size=10,
    )
)
def test_surveyjs_results_map_to_answers_or_named_errors(data: dict[str, Any]) -> None:
    answers = answers_from_surveyjs(data, MINI)
    assert not any(k.endswith("-Comment") for k in answers)
    try:
        check_answers(answers, MINI, complete=False)
    except InvalidInput as exc:
        assert all(e.path.startswith("answers") for e in exc.errors)


def test_our_answers_are_surveyjs_data_and_come_back_unchanged() -> None:
    """The guide says ``survey.data = me.answers`` resumes a SurveyJS form: the round trip
    through the mapping must change nothing."""
    answers = {
        "t1": 4,
        "t2": 2,
        "priorities": {"speed": 40, "risk": 60},
        "comments": "42",  # a text that looks like a number stays text
    }
    assert answers_from_surveyjs(answers, MINI) == answers
    names = {e["name"] for page in to_surveyjs(MINI)["pages"] for e in page["elements"]}
    assert names == set(MINI.item_scales)
