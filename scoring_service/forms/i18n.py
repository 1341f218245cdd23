"""The form's own words (buttons, messages, errors) in the languages it speaks.

The questions come from the survey file in whatever languages it has; these strings frame them.
A language the survey has but this table lacks falls back to English for the frame only.
Kept as a plain table rather than gettext catalogues: about forty strings, no build step.
"""

from __future__ import annotations

from collections.abc import Iterable

FALLBACK = "en"

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "required_note": "Every question must be answered unless it is marked optional.",
        "incomplete_again": "Saved. Some answers are missing now, so your response counts as not submitted until they are given.",
        "failed": "Not saved: the service could not save your answers just now. They are still here; try again.",
        "for": "For {partner}, answering as {role}",
        "round": "Round {n}: {label}",
        "progress": "{done} of {total} required questions answered",
        "priorities": "Your priorities",
        "in_your_words": "In your words",
        "optional": "optional",
        "points": "points",
        "total": "Total: {sum} of {total} points.",
        "total_left": "{left} points left to give.",
        "total_over": "{over} points too many: take some away.",
        "total_ok": "All {total} points are given.",
        "save": "Save and finish later",
        "submit": "Submit my answers",
        "saved": "Saved. Come back with the same link to go on where you stopped.",
        "autosaved": "Saved",
        "not_saved": "Not saved yet: see the marked answers.",
        "offline": "Not saved: the connection failed. Your answers are still here; try again.",
        "submitted": "Thank you: your answers are submitted. You can change them until the round closes.",
        "errors_count": "{n} answers need your attention",
        "errors_count_one": "{n} answer needs your attention",
        "errors_more": "And {n} more, marked beside their questions below.",
        "errors_more_one": "And {n} more, marked beside its question below.",
        "error_prefix": "Error:",
        "required_choice": "Choose one answer.",
        "required_text": "Answer this question.",
        "required_points": "Give your points.",
        "whole_number": "Enter a whole number from 0 to {total}.",
        "sum": "The points add up to {got}; they must add up to {total}.",
        "sum_over": "The points add up to {got}; at most {total} can be given.",
        "too_long": "At most {max} characters ({length} now).",
        "invalid": "This answer is not valid.",
        "closed_title": "This round is closed",
        "closed_text": "Round {n} of {alliance} closed on {date}. Answers can no longer be given or changed. Thank you for your interest.",
        "not_found_title": "This link does not work",
        "not_found_text": "The questionnaire link is unknown or no longer valid. Ask the person who sent it to you for a new one.",
        "unavailable_title": "Temporarily unavailable",
        "unavailable_text": "The questionnaire is temporarily unavailable. Try again in a moment; the answers you saved before are kept.",
        "too_many_title": "Too many attempts",
        "too_many_text": "Too many links that do not work were opened from your network. Wait a minute, then open the link you were sent again.",
    },
    "de": {
        "required_note": "Alle Fragen sind zu beantworten, außer den als freiwillig markierten.",
        "incomplete_again": "Gespeichert. Jetzt fehlen Antworten; bis sie gegeben sind, gilt Ihre Antwort als nicht abgesendet.",
        "failed": "Nicht gespeichert: Der Dienst konnte Ihre Antworten gerade nicht speichern. Sie sind noch da; bitte erneut versuchen.",
        "for": "Für {partner}, in der Rolle {role}",
        "round": "Runde {n}: {label}",
        "progress": "{done} von {total} Pflichtfragen beantwortet",
        "priorities": "Ihre Prioritäten",
        "in_your_words": "In Ihren Worten",
        "optional": "freiwillig",
        "points": "Punkte",
        "total": "Summe: {sum} von {total} Punkten.",
        "total_left": "Noch {left} Punkte zu vergeben.",
        "total_over": "{over} Punkte zu viel: bitte einige wegnehmen.",
        "total_ok": "Alle {total} Punkte sind vergeben.",
        "save": "Speichern und später fortfahren",
        "submit": "Antworten absenden",
        "saved": "Gespeichert. Mit demselben Link können Sie später weitermachen.",
        "autosaved": "Gespeichert",
        "not_saved": "Noch nicht gespeichert: siehe die markierten Antworten.",
        "offline": "Nicht gespeichert: Die Verbindung ist fehlgeschlagen. Ihre Antworten sind noch da; bitte erneut versuchen.",
        "submitted": "Vielen Dank: Ihre Antworten sind abgesendet. Sie können sie ändern, bis die Runde endet.",
        "errors_count": "{n} Antworten brauchen noch Ihre Aufmerksamkeit",
        "errors_count_one": "{n} Antwort braucht noch Ihre Aufmerksamkeit",
        "errors_more": "Dazu {n} weitere, unten bei ihren Fragen markiert.",
        "errors_more_one": "Dazu {n} weitere, unten bei ihrer Frage markiert.",
        "error_prefix": "Fehler:",
        "required_choice": "Bitte eine Antwort wählen.",
        "required_text": "Bitte beantworten Sie diese Frage.",
        "required_points": "Bitte vergeben Sie Ihre Punkte.",
        "whole_number": "Bitte eine ganze Zahl von 0 bis {total} eingeben.",
        "sum": "Die Punkte ergeben {got}; sie müssen {total} ergeben.",
        "sum_over": "Die Punkte ergeben {got}; höchstens {total} können vergeben werden.",
        "too_long": "Höchstens {max} Zeichen (jetzt {length}).",
        "invalid": "Diese Antwort ist ungültig.",
        "closed_title": "Diese Runde ist beendet",
        "closed_text": "Runde {n} von {alliance} wurde am {date} beendet. Antworten können nicht mehr gegeben oder geändert werden. Vielen Dank für Ihr Interesse.",
        "not_found_title": "Dieser Link funktioniert nicht",
        "not_found_text": "Der Link zum Fragebogen ist unbekannt oder nicht mehr gültig. Bitten Sie die Person, die ihn geschickt hat, um einen neuen.",
        "unavailable_title": "Vorübergehend nicht verfügbar",
        "unavailable_text": "Der Fragebogen ist vorübergehend nicht verfügbar. Bitte versuchen Sie es gleich noch einmal; bereits gespeicherte Antworten bleiben erhalten.",
        "too_many_title": "Zu viele Versuche",
        "too_many_text": "Aus Ihrem Netzwerk wurden zu viele ungültige Links geöffnet. Warten Sie eine Minute und öffnen Sie dann den Link, den Sie erhalten haben, erneut.",
    },
    "fr": {
        "required_note": "Toutes les questions appellent une réponse, sauf celles marquées facultatives.",
        "incomplete_again": "Enregistré. Des réponses manquent désormais : votre questionnaire compte comme non envoyé tant qu'elles ne sont pas données.",
        "failed": "Non enregistré : le service n'a pas pu enregistrer vos réponses pour l'instant. Elles sont toujours là ; réessayez.",
        "for": "Pour {partner}, en tant que {role}",
        "round": "Tour {n} : {label}",
        "progress": "{done} questions obligatoires sur {total} ont une réponse",
        "priorities": "Vos priorités",
        "in_your_words": "Avec vos mots",
        "optional": "facultatif",
        "points": "points",
        "total": "Total : {sum} points sur {total}.",
        "total_left": "Encore {left} points à répartir.",
        "total_over": "{over} points de trop : retirez-en.",
        "total_ok": "Les {total} points sont répartis.",
        "save": "Enregistrer et finir plus tard",
        "submit": "Envoyer mes réponses",
        "saved": "Enregistré. Revenez avec le même lien pour reprendre où vous en étiez.",
        "autosaved": "Enregistré",
        "not_saved": "Pas encore enregistré : voyez les réponses signalées.",
        "offline": "Non enregistré : la connexion a échoué. Vos réponses sont toujours là ; réessayez.",
        "submitted": "Merci : vos réponses sont envoyées. Vous pouvez les modifier jusqu'à la clôture du tour.",
        "errors_count": "{n} réponses demandent votre attention",
        "errors_count_one": "{n} réponse demande votre attention",
        "errors_more": "Et {n} autres, signalées plus bas à côté de leur question.",
        "errors_more_one": "Et {n} autre, signalée plus bas à côté de sa question.",
        "error_prefix": "Erreur :",
        "required_choice": "Choisissez une réponse.",
        "required_text": "Répondez à cette question.",
        "required_points": "Répartissez vos points.",
        "whole_number": "Saisissez un nombre entier de 0 à {total}.",
        "sum": "Les points font {got} ; ils doivent faire {total}.",
        "sum_over": "Les points font {got} ; {total} au plus peuvent être donnés.",
        "too_long": "{max} caractères au plus ({length} actuellement).",
        "invalid": "Cette réponse n'est pas valide.",
        "closed_title": "Ce tour est clos",
        "closed_text": "Le tour {n} de {alliance} a été clos le {date}. Les réponses ne peuvent plus être données ni modifiées. Merci de votre intérêt.",
        "not_found_title": "Ce lien ne fonctionne pas",
        "not_found_text": "Le lien du questionnaire est inconnu ou n'est plus valable. Demandez-en un nouveau à la personne qui vous l'a envoyé.",
        "unavailable_title": "Momentanément indisponible",
        "unavailable_text": "Le questionnaire est momentanément indisponible. Réessayez dans un instant ; les réponses déjà enregistrées sont conservées.",
        "too_many_title": "Trop de tentatives",
        "too_many_text": "Trop de liens non valables ont été ouverts depuis votre réseau. Attendez une minute, puis ouvrez à nouveau le lien que vous avez reçu.",
    },
}


class Words:
    """The form's strings in one language: ``words("total", sum=40, total=100)``."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in STRINGS else FALLBACK
        self._table = STRINGS[self.lang]

    def __call__(self, key: str, **values: object) -> str:
        """The string ``key``, with ``values`` filled in."""
        return self._table.get(key, STRINGS[FALLBACK][key]).format(**values)

    def count(self, key: str, n: int, **values: object) -> str:
        """The string ``key`` for ``n`` things: ``key + "_one"`` for one, else ``key`` (the
        languages here have these two forms); ``{n}`` filled in. The script does the same."""
        return self(f"{key}_one" if n == 1 else key, n=n, **values)

    def table(self, keys: Iterable[str]) -> dict[str, str]:
        """Raw strings (placeholders kept), for the page's script."""
        return {k: self._table.get(k, STRINGS[FALLBACK][k]) for k in keys}
