from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.files import StoredFile
from tickets.models import Theme

from .questions import BY_NAME, Kind, QuestionKind


class ThemeQuestion(models.Model):
    """A question of its own that a theme's form asks, defined in admin."""

    Kind = Kind  # declared with the kinds of answer (portal.questions)

    theme = models.ForeignKey(
        Theme, verbose_name=_("theme"), on_delete=models.CASCADE, related_name="questions"
    )
    label = models.CharField(_("question"), max_length=255)
    kind = models.CharField(_("kind of answer"), max_length=20, choices=Kind, default=Kind.TEXT)
    required = models.BooleanField(_("required"), default=False)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("For single and multiple choice: one per line.")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    show_if_question = models.ForeignKey(
        "self",
        verbose_name=_("show only when the question"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dependents",
    )
    show_if_value = models.CharField(
        _("has the answer"),
        max_length=255,
        blank=True,
        help_text=_("For a yes/no question, write “yes” or “no”."),
    )

    class Meta:
        verbose_name = _("theme question")
        verbose_name_plural = _("theme questions")
        ordering = ["theme", "position", "id"]

    def __str__(self):
        return self.label

    def clean(self):
        if self.kind_of_answer.needs_choices and not self.choice_list():
            raise ValidationError({"choices": _("Give at least one choice, one per line.")})
        condition = self.show_if_question
        if condition is not None:
            if condition.theme_id != self.theme_id or self.pk in condition.condition_chain():
                raise ValidationError(
                    {"show_if_question": _("Choose another question of the same theme.")}
                )
            if not self.show_if_value.strip():
                raise ValidationError({"show_if_value": _("Give the answer that shows it.")})

    def condition_chain(self) -> list[int]:
        """This question's id and those it depends on, stopping at a loop."""
        chain, question = [], self
        while question is not None and question.pk not in chain:
            chain.append(question.pk)
            question = question.show_if_question
        return chain

    @property
    def kind_of_answer(self) -> QuestionKind:
        return BY_NAME.get(self.kind, BY_NAME[Kind.TEXT])

    @property
    def field_name(self) -> str:
        return f"q_{self.pk}"

    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class PendingUpload(StoredFile):
    """A file sent with a form that had errors, kept so the requester need not send it again."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_uploads"
    )

    class Meta:
        indexes = [
            # Clean-up of forgotten uploads: the oldest first.
            models.Index(fields=["created_at"], name="pending_upload_age"),
        ]

    def storage_folder(self) -> str:
        return "pending"


CONFORMITY_CACHE_KEY = "accessibility-conformity"


class AccessibilityStatement(models.Model):
    """The accessibility statement (RGAA 4.1 model) an admin edits; there is a single row."""

    class Conformity(models.TextChoices):
        FULL = "full", _("fully compliant")
        PARTIAL = "partial", _("partially compliant")
        NONE = "none", _("not compliant")

    # The defaults are the statement's French text: content, edited in admin, not UI.
    conformity = models.CharField(
        _("conformity state"), max_length=10, choices=Conformity, default=Conformity.PARTIAL
    )
    commitment = models.TextField(
        _("commitment"),
        default=(
            "L'université s'engage à rendre ses sites internet, intranet, extranet et ses "
            "progiciels accessibles, conformément à l'article 47 de la loi n° 2005-102 du "
            "11 février 2005.\n\nCette déclaration d'accessibilité s'applique à Help, la "
            "plateforme d'assistance informatique de l'université."
        ),
    )
    method = models.TextField(
        _("how it was checked"),
        default=(
            "La conformité a été évaluée par l'équipe qui développe Help, au regard du "
            "référentiel général d'amélioration de l'accessibilité (RGAA) version 4.1.\n\n"
            "À chaque évolution, les tests automatisés ouvrent chaque page du portail, de "
            "l'espace des intervenants, de la connexion et de l'administration dans le "
            "navigateur Chromium et la vérifient avec l'outil axe-core (critères WCAG 2.1 "
            "niveaux A et AA) ; un parcours complet au clavier seul (dépôt d'une demande, "
            "suivi, acceptation de la solution) est également vérifié.\n\n"
            "Aucun audit complet par un organisme indépendant n'a encore été réalisé."
        ),
    )
    non_conformities = models.TextField(
        _("known non-conformities"),
        blank=True,
        help_text=_("One per line."),
        default=(
            "La barre d'outils de l'éditeur de texte enrichi ne se parcourt pas avec les "
            "flèches du clavier et ses boutons n'indiquent pas leur état enfoncé "
            "(aria-pressed).\n"
            "Dans les formulaires des thèmes, le choix « pour une autre personne » et les "
            "questions conditionnelles ne s'affichent qu'avec JavaScript.\n"
            "Administration : les champs à autocomplétion de Django (select2) n'ont pas de "
            "nom accessible tant qu'ils sont vides, et la zone de recherche d'un choix "
            "multiple n'a pas d'étiquette (critères RGAA 11.1 et 11.2)."
        ),
    )
    statement_date = models.DateField(_("date of the statement"), default=timezone.localdate)
    contact = models.TextField(
        _("feedback and contact"),
        default=(
            "Si vous n'arrivez pas à accéder à un contenu ou à un service, vous pouvez "
            "contacter le référent accessibilité numérique de l'université pour être "
            "orienté vers une alternative accessible ou obtenir le contenu sous une autre "
            "forme : accessibilite@univ.example"
        ),
    )
    recourse = models.TextField(
        _("recourse"),
        default=(
            "Cette procédure est à utiliser dans le cas suivant : vous avez signalé au "
            "responsable du site un défaut d'accessibilité qui vous empêche d'accéder à un "
            "contenu ou à un des services et vous n'avez pas obtenu de réponse "
            "satisfaisante.\n\n"
            "Vous pouvez :\n"
            "écrire un message au Défenseur des droits "
            "(formulaire en ligne : https://formulaire.defenseurdesdroits.fr/) ;\n"
            "contacter le délégué du Défenseur des droits dans votre région "
            "(https://www.defenseurdesdroits.fr/saisir/delegues) ;\n"
            "appeler le 09 69 39 00 00 ;\n"
            "envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) : "
            "Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07."
        ),
    )

    class Meta:
        verbose_name = _("accessibility statement")
        verbose_name_plural = _("accessibility statement")

    def __str__(self):
        return str(_("Accessibility statement"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)
        cache.delete(CONFORMITY_CACHE_KEY)
        transaction.on_commit(lambda: cache.delete(CONFORMITY_CACHE_KEY))

    @classmethod
    def load(cls) -> "AccessibilityStatement":
        """The statement, with its default text until an admin changes it."""
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    @classmethod
    def current_conformity(cls) -> str:
        """The conformity state every page's footer shows, read once then cached."""

        def read():
            # No row yet: the default, without writing one on a mere page view.
            stored = cls.objects.values_list("conformity", flat=True).first()
            return stored or cls._meta.get_field("conformity").default

        # A local-memory cache is per process: an admin's change shows everywhere in a minute.
        return cache.get_or_set(CONFORMITY_CACHE_KEY, read, 60)

    def non_conformity_list(self) -> list[str]:
        return [line.strip() for line in self.non_conformities.splitlines() if line.strip()]
