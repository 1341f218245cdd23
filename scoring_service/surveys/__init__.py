"""Survey files: loaded and validated once at start-up (``loading``, ``file_schema``), shown to
clients as a public document (``document``) and as a SurveyJS model (``surveyjs``)."""

from .document import document, languages
from .file_schema import flatten_errors
from .loading import (
    Band,
    Dimension,
    Item,
    LikertLayout,
    Named,
    Relation,
    Scale,
    ScoringOptions,
    Survey,
    SurveyRegistry,
    Text,
    load_registry,
    load_survey,
)
from .surveyjs import answers_from_surveyjs, to_surveyjs

__all__ = [
    "Band",
    "Dimension",
    "Item",
    "LikertLayout",
    "Named",
    "Relation",
    "Scale",
    "ScoringOptions",
    "Survey",
    "SurveyRegistry",
    "Text",
    "answers_from_surveyjs",
    "document",
    "flatten_errors",
    "languages",
    "load_registry",
    "load_survey",
    "to_surveyjs",
]
