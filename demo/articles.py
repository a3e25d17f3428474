"""A dozen articles for the demo site, in French, as a university's IT team would write."""

from knowledge.models import Article

PUBLIC, INTERNAL = Article.Visibility.PUBLIC, Article.Visibility.INTERNAL

ARTICLES = [
    (
        "Réinitialiser le mot de passe de mon compte Université",
        "mot de passe, compte, oubli",
        PUBLIC,
        "<p>Rendez-vous sur la page « Mot de passe oublié » de l'ENT, saisissez votre "
        "identifiant puis suivez le lien reçu sur votre adresse de secours.</p><p>Le nouveau "
        "mot de passe est actif sur la messagerie et le wifi au bout de quelques minutes.</p>",
    ),
    (
        "Configurer le VPN pour travailler à distance",
        "vpn, télétravail, accès distant, connexion",
        PUBLIC,
        "<ol><li>Installez le client VPN depuis le portail des logiciels.</li><li>Serveur : "
        "vpn.univ.example, identifiant et mot de passe de votre compte Université.</li><li>Une "
        "fois connecté, les applications métiers sont accessibles comme au bureau.</li></ol>",
    ),
    (
        "Le VPN se coupe régulièrement",
        "vpn, déconnexion, coupure",
        PUBLIC,
        "<p>Mettez à jour le client VPN (version 5.2 ou plus récente) et désactivez la mise "
        "en veille du wifi de votre ordinateur portable.</p>",
    ),
    (
        "Ajouter une imprimante du bâtiment",
        "imprimante, impression, copieur, pilote",
        PUBLIC,
        "<p>Ouvrez « Paramètres &gt; Imprimantes », choisissez « Ajouter » puis "
        "l'imprimante dont le nom commence par le code de votre bâtiment. Le pilote s'installe "
        "seul.</p>",
    ),
    (
        "Programmer un message d'absence",
        "messagerie, absence, congés, répondeur",
        PUBLIC,
        "<p>Dans le webmail : « Paramètres &gt; Réponse automatique », cochez "
        "« Activer », indiquez vos dates et votre message, puis enregistrez.</p>",
    ),
    (
        "Se connecter au wifi eduroam",
        "wifi, eduroam, connexion, réseau",
        PUBLIC,
        "<p>Choisissez le réseau eduroam, identifiant : votre adresse "
        "prenom.nom@univ.example, mot de passe de votre compte Université.</p>",
    ),
    (
        "Partager un agenda avec son équipe",
        "agenda, calendrier, partage, messagerie",
        PUBLIC,
        "<p>Dans l'agenda du webmail, clic droit sur votre agenda, « Partager », puis "
        "ajoutez les personnes et leurs droits (lecture ou modification).</p>",
    ),
    (
        "Transférer une ligne de téléphone fixe vers un mobile",
        "téléphone, renvoi, transfert",
        PUBLIC,
        "<p>Composez *21* suivi du numéro du mobile puis # ; pour annuler, composez #21#.</p>",
    ),
    (
        "Préparer un déménagement de poste",
        "déménagement, poste, bureau",
        PUBLIC,
        "<p>Faites votre demande au moins deux semaines avant dans le thème "
        "« Déménagement » en indiquant l'ancien et le nouveau bureau.</p>",
    ),
    (
        "Accès SIFAC : profils et délais",
        "sifac, finances, accès, droits",
        INTERNAL,
        "<p>Les profils SIFAC sont attribués par la DFA après validation du "
        "responsable administratif ; compter 48 heures.</p>",
    ),
    (
        "Écran bleu au démarrage : premiers diagnostics",
        "écran bleu, démarrage, disque",
        INTERNAL,
        "<p>Démarrer sur la clé de diagnostic, lancer le test SMART du disque, puis "
        "vérifier la mémoire. Escalader à la DSIN si le disque est en erreur.</p>",
    ),
    (
        "Quota de messagerie dépassé",
        "messagerie, quota, boîte pleine",
        INTERNAL,
        "<p>Relever le quota dans la console de messagerie (5 Go par défaut, 10 Go sur "
        "demande du responsable) et conseiller l'archivage.</p>",
    ),
]


def load_articles(author) -> int:
    """Create the demo articles that are missing; return how many were added."""
    added = 0
    for title, keywords, visibility, body in ARTICLES:
        _article, created = Article.objects.get_or_create(
            title=title,
            defaults={
                "keywords": keywords,
                "visibility": visibility,
                "body": body,
                "author": author,
            },
        )
        added += created
    return added
