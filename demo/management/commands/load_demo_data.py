"""Load a small university into Help: themes, places, teams, rules, people and tickets.

Safe to run again: configuration is matched by name, and tickets are made only when
there are none yet.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from demo.articles import load_articles
from demo.servicelevels import load_service_levels
from notifications.models import Notification
from tickets import services
from tickets.models import (
    Category,
    HelpdeskSettings,
    Location,
    RoutingRule,
    Task,
    Team,
    TeamMembership,
    Theme,
    Ticket,
)

DEMO_PASSWORD = "help-demo"  # noqa: S105 - demo accounts only

THEMES = [
    # (slug, name, description, icon, category path)
    (
        "applications-metiers",
        "Applications métiers",
        "Finances, ressources humaines, scolarité : les logiciels de gestion.",
        "apps",
        ("Logiciels", "Applications métiers"),
    ),
    (
        "demenagement",
        "Déménagement",
        "Déplacer un poste, un bureau ou un service.",
        "truck",
        ("Logistique", "Déménagement"),
    ),
    (
        "impression",
        "Impression",
        "Imprimantes, copieurs, numérisation.",
        "printer",
        ("Matériel", "Impression"),
    ),
    (
        "messagerie",
        "Messagerie",
        "Courriel, agenda, listes de diffusion.",
        "mail",
        ("Logiciels", "Messagerie"),
    ),
    (
        "mon-ordinateur",
        "Mon ordinateur",
        "Poste de travail, portable, logiciels installés.",
        "laptop",
        ("Matériel", "Poste de travail"),
    ),
    (
        "telephonie",
        "Téléphonie fixe ou mobile",
        "Téléphone de bureau, mobile professionnel, messagerie vocale.",
        "phone",
        ("Matériel", "Téléphonie"),
    ),
    (
        "wifi-vpn-internet",
        "Wifi - VPN - internet - connexion - câblage",
        "Accès au réseau sur site ou à distance.",
        "wifi",
        ("Réseau", "Connexion"),
    ),
]

SUB_THEMES = [
    # (slug, parent slug, name, description, category path)
    (
        "finances-sifac",
        "applications-metiers",
        "Finances (SIFAC)",
        "Budget, commandes, missions.",
        ("Logiciels", "Applications métiers", "Finances"),
    ),
    (
        "rh-siham",
        "applications-metiers",
        "Ressources humaines (SIHAM)",
        "Dossiers des personnels, paie, congés.",
        ("Logiciels", "Applications métiers", "Ressources humaines"),
    ),
]

LOCATIONS = [
    # (path, kind of the last element)
    (("Campus Saint-Germain",), Location.Kind.CAMPUS),
    (("Campus Saint-Germain", "Bâtiment Jacob"), Location.Kind.BUILDING),
    (("Campus Saint-Germain", "Bâtiment Jacob", "Bureau 204"), Location.Kind.ROOM),
    (("Campus Saint-Germain", "Bâtiment Jacob", "Salle de réunion 110"), Location.Kind.ROOM),
    (("Campus Saint-Germain", "Bâtiment des Cordeliers"), Location.Kind.BUILDING),
    (("Campus Saint-Germain", "Bâtiment des Cordeliers", "Bureau 12"), Location.Kind.ROOM),
    (("Campus Grands Moulins",), Location.Kind.CAMPUS),
    (("Campus Grands Moulins", "Bâtiment Sophie Germain"), Location.Kind.BUILDING),
    (("Campus Grands Moulins", "Bâtiment Sophie Germain", "Salle 0012"), Location.Kind.ROOM),
    (("Campus Grands Moulins", "Bâtiment Sophie Germain", "Bureau 3045"), Location.Kind.ROOM),
]

TEAMS = [
    ("DSIN - Support de proximité", Team.Kind.IT_DEPARTMENT),
    ("DSIN - Réseau", Team.Kind.IT_DEPARTMENT),
    ("DSIN - Messagerie", Team.Kind.IT_DEPARTMENT),
    ("DFA - Direction des finances et des achats", Team.Kind.DIRECTORATE),
    ("DRHO - Direction des ressources humaines", Team.Kind.DIRECTORATE),
    ("UFR Sciences - Correspondants informatiques", Team.Kind.FACULTY),
]

USERS = [
    # (username, first name, last name, team or None, supervisor)
    ("demandeur", "Claire", "Martin", None, False),
    ("collegue", "Paul", "Durand", None, False),
    ("tech.proximite", "Julien", "Bernard", "DSIN - Support de proximité", False),
    ("tech.reseau", "Sophie", "Petit", "DSIN - Réseau", False),
    ("tech.messagerie", "Karim", "Moreau", "DSIN - Messagerie", False),
    ("tech.dfa", "Nadia", "Laurent", "DFA - Direction des finances et des achats", False),
    ("tech.drho", "Marc", "Lefebvre", "DRHO - Direction des ressources humaines", False),
    ("tech.ufr", "Léa", "Roux", "UFR Sciences - Correspondants informatiques", False),
    ("superviseur", "Anne", "Fournier", None, True),
]


class Command(BaseCommand):
    help = "Load the demo university: themes, places, teams, routing rules, users and tickets."

    def handle(self, *args, **options):
        self._load()
        self._print_logins()  # last, once committed: nothing else scrolls them away

    @transaction.atomic
    def _load(self):
        categories = self._categories()
        locations = self._locations()
        themes = self._themes(categories)
        teams = self._teams()
        users = self._users(teams, locations)
        self._rules(themes, locations, teams)
        load_service_levels(teams)
        settings = HelpdeskSettings.load()
        if settings.default_team is None:
            settings.default_team = teams["DSIN - Support de proximité"]
            settings.save()
        if not Ticket.objects.exists():
            self._tickets(themes, locations, teams, users)
            self._hold_mail()
        load_articles(users["tech.proximite"])

    def _hold_mail(self):
        """Send none of the e-mails the demo tickets caused; they stay in the outbox."""
        # There were no tickets before, so every message waiting is the demo's.
        Notification.objects.filter(state=Notification.State.PENDING).update(
            state=Notification.State.FAILED, last_error="Demo data: not sent."
        )

    def _path(self, model, path, **extra):
        parent = None
        for name in path:
            node, _created = model.objects.get_or_create(name=name, parent=parent, defaults=extra)
            parent = node
        return parent

    def _categories(self):
        paths = [t[4] for t in THEMES] + [t[4] for t in SUB_THEMES]
        return {path: self._path(Category, path) for path in paths}

    def _locations(self):
        found = {}
        for path, kind in LOCATIONS:
            found[path[-1]] = self._path(Location, path, kind=kind)
        return found

    def _themes(self, categories):
        themes = {}
        for position, (slug, name, description, icon, category) in enumerate(THEMES):
            themes[slug], _created = Theme.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "description": description,
                    "icon": icon,
                    "position": position * 10,
                    "category": categories[category],
                },
            )
        for position, (slug, parent, name, description, category) in enumerate(SUB_THEMES):
            themes[slug], _created = Theme.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "description": description,
                    "parent": themes[parent],
                    "position": position * 10,
                    "category": categories[category],
                },
            )
        return themes

    def _teams(self):
        return {
            name: Team.objects.get_or_create(name=name, defaults={"kind": kind})[0]
            for name, kind in TEAMS
        }

    def _users(self, teams, locations):
        User = get_user_model()
        users = {}
        for username, first, last, team, supervisor in USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@univ.example",
                    "default_location": locations["Bureau 204"],
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            if team:
                TeamMembership.objects.get_or_create(team=teams[team], user=user)
            if supervisor:
                for name in TEAMS[:3]:
                    TeamMembership.objects.update_or_create(
                        team=teams[name[0]], user=user, defaults={"is_manager": True}
                    )
            users[username] = user
        admin, created = User.objects.get_or_create(
            username="admin",
            defaults={
                "first_name": "Admin",
                "last_name": "Help",
                "email": "admin@univ.example",
                "is_staff": True,
                "is_superuser": True,
            },
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
        users["admin"] = admin
        return users

    def _rules(self, themes, locations, teams):
        rules = [
            ("Wifi, VPN et réseau", {"theme": themes["wifi-vpn-internet"]}, "DSIN - Réseau"),
            ("Messagerie", {"theme": themes["messagerie"]}, "DSIN - Messagerie"),
            (
                "Finances",
                {"theme": themes["finances-sifac"]},
                "DFA - Direction des finances et des achats",
            ),
            (
                "Ressources humaines",
                {"theme": themes["rh-siham"]},
                "DRHO - Direction des ressources humaines",
            ),
            (
                "Proximité Grands Moulins",
                {"location": locations["Campus Grands Moulins"]},
                "UFR Sciences - Correspondants informatiques",
            ),
        ]
        for position, (name, criteria, team) in enumerate(rules):
            RoutingRule.objects.get_or_create(
                name=name,
                defaults={"position": (position + 1) * 10, "team": teams[team], **criteria},
            )

    def _tickets(self, themes, locations, teams, users):
        requester, colleague = users["demandeur"], users["collegue"]
        office = locations["Bureau 204"]

        def new(title, theme, **kwargs):
            return services.ticket_create(
                requester=kwargs.pop("requester", requester),
                title=title,
                theme=themes[theme],
                location=kwargs.pop("location", office),
                **kwargs,
            )

        new(
            "L'imprimante du 2e étage n'imprime plus",
            "impression",
            description="<p>Message « bourrage papier », sans papier coincé.</p>",
        )
        new(
            "Accès SIFAC pour une nouvelle gestionnaire",
            "finances-sifac",
            type=Ticket.Type.REQUEST,
            beneficiary=colleague,
            description="<p>Paul Durand arrive lundi au service financier.</p>",
        )

        tech = users["tech.messagerie"]
        assigned = new("Je ne reçois plus de courriels depuis ce matin", "messagerie", urgency=4)
        services.ticket_take(ticket=assigned, actor=tech)
        services.followup_add(
            ticket=assigned, author=tech, content="Pouvez-vous vérifier l'espace de votre boîte ?"
        )

        tech = users["tech.proximite"]
        planned = new("Installer un second écran", "mon-ordinateur", type=Ticket.Type.REQUEST)
        services.ticket_take(ticket=planned, actor=tech)
        start = timezone.now() + timedelta(days=2)
        services.task_add(
            ticket=planned,
            author=tech,
            content="Passage au bureau pour brancher l'écran.",
            planned_start=start,
            planned_end=start + timedelta(hours=1),
            duration_minutes=30,
        )

        pending = new("Commande d'un casque pour la visio", "mon-ordinateur")
        services.ticket_take(ticket=pending, actor=tech)
        services.task_add(
            ticket=pending,
            author=tech,
            content="Commande passée auprès du fournisseur, livraison attendue.",
            is_private=True,
        )
        services.ticket_set_status(ticket=pending, actor=tech, status=Ticket.Status.PENDING)

        tech = users["tech.reseau"]
        solved = new("Le VPN se coupe toutes les 10 minutes", "wifi-vpn-internet")
        services.ticket_take(ticket=solved, actor=tech)
        services.followup_add(
            ticket=solved,
            author=tech,
            content="Le pare-feu coupe les sessions inactives.",
            is_private=True,
        )
        services.solution_propose(
            ticket=solved,
            author=tech,
            content="<p>Mettez à jour le client VPN en version 5.2, puis reconnectez-vous.</p>",
        )

        closed = new("Le wifi eduroam refuse mon mot de passe", "wifi-vpn-internet")
        services.ticket_take(ticket=closed, actor=tech)
        services.solution_propose(
            ticket=closed, author=tech, content="Votre mot de passe a été réinitialisé."
        )
        services.solution_accept(ticket=closed, actor=requester)

        refused = new("Mon téléphone de bureau n'a plus de tonalité", "telephonie")
        services.ticket_take(ticket=refused, actor=users["tech.proximite"])
        services.solution_propose(
            ticket=refused, author=users["tech.proximite"], content="Câble remplacé."
        )
        services.solution_refuse(
            ticket=refused, actor=requester, reason="Toujours pas de tonalité ce matin."
        )

        expert = new(
            "Écran bleu au démarrage",
            "mon-ordinateur",
            location=locations["Bureau 3045"],
            urgency=5,
            impact=2,
        )
        services.task_add(
            ticket=expert,
            author=users["tech.ufr"],
            content="Analyse du disque demandée à la DSIN.",
            assigned_team=teams["DSIN - Support de proximité"],
            state=Task.State.TODO,
        )

    def _print_logins(self):
        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins (password: help-demo):"))
        for username, first, last, team, supervisor in USERS:
            role = "supervisor" if supervisor else (team or "requester")
            self.stdout.write(f"  {username:<16} {first} {last} — {role}")
        self.stdout.write("  admin            administrator (Django admin at /admin/)")
