"""The footer's editorial pages: contact, accessibility statement and privacy; « À propos »
moves from the home page's list to the footer.

Created once; staff edit them in the admin afterwards, so unapplying leaves them in place.
"""

from django.db import migrations

CONTACT_FR = """\
Le répertoire est tenu par le réseau d'approvisionnement social. Nous répondons en français et en anglais, en général dans les deux jours ouvrables.

## Corriger une fiche d'entreprise

Chaque fiche indique, sous « À propos de cette fiche », le réseau qui l'a inscrite. Une entreprise peut confirmer ou corriger sa fiche à partir de son compte, ou écrire au réseau qui l'a inscrite. Vous pouvez aussi nous signaler une erreur par courriel en précisant le nom de l'entreprise et l'adresse de sa fiche.

## Nous joindre

- Courriel : repertoire@example.org
- Membres du réseau : le portail des membres, une fois connecté, pour toute question sur vos achats déclarés.

## Faire inscrire une entreprise

Une coopérative, une mutuelle ou un organisme à but non lucratif qui vend des biens ou des services au Québec peut demander son inscription par courriel ou par l'entremise d'un réseau membre.
"""

CONTACT_EN = """\
The directory is kept by the social procurement network. We answer in French and in English, usually within two business days.

## Correcting an enterprise's profile

Each profile names, under "About this entry", the network that listed it. An enterprise can confirm or correct its profile from its account, or write to the network that listed it. You can also report a mistake to us by email, with the enterprise's name and the address of its profile.

## Reaching us

- Email: repertoire@example.org
- Network members: the member portal, once signed in, for any question about the purchases you declared.

## Getting an enterprise listed

A cooperative, mutual or non-profit organization that sells goods or services in Quebec can ask to be listed by email or through one of the member networks.
"""

ACCESSIBILITY_FR = """\
Nous voulons que chacun puisse consulter le répertoire, quels que soient son appareil, sa façon de naviguer et ses capacités.

## Norme visée

Le site vise la conformité au standard sur l'accessibilité des sites Web du gouvernement du Québec (SGQRI 008 2.0) et aux Règles pour l'accessibilité des contenus Web (WCAG) 2.1, niveau AA.

## Ce que nous faisons

- Toutes les pages fonctionnent au clavier et sans JavaScript ; un lien permet d'aller directement aux résultats.
- Les pages s'adaptent aux écrans de téléphone et au zoom jusqu'à 400 %.
- Les contrastes des textes et du contour de focus respectent les seuils des WCAG.
- Chaque version du site est vérifiée automatiquement avec l'outil axe-core, en français et en anglais, sur ordinateur et sur téléphone.

## Limites connues

- Les graphiques du répertoire des achats sociaux sont accompagnés de tableaux qui présentent les mêmes données.
- Les capsules vidéo sont hébergées par des plateformes externes ; leurs sous-titres dépendent de ces plateformes.

## Signaler un problème

Si une page vous pose problème, écrivez-nous à repertoire@example.org en indiquant l'adresse de la page et l'outil utilisé. Nous vous répondrons et fournirons l'information sous une autre forme au besoin.
"""

ACCESSIBILITY_EN = """\
We want everyone to be able to use the directory, whatever their device, their way of browsing and their abilities.

## Standard

The site aims to meet the Quebec government's web accessibility standard (SGQRI 008 2.0) and the Web Content Accessibility Guidelines (WCAG) 2.1, level AA.

## What we do

- Every page works with a keyboard and without JavaScript; a link leads straight to the results.
- Pages adapt to phone screens and to zoom up to 400%.
- Text and focus ring contrasts meet the WCAG thresholds.
- Each version of the site is checked automatically with axe-core, in French and in English, on a computer and on a phone.

## Known limits

- The charts of the social purchases repertory come with tables holding the same data.
- The video capsules are hosted by outside platforms; their captions depend on those platforms.

## Reporting a problem

If a page gives you trouble, write to repertoire@example.org with the page's address and the tool you use. We will answer and provide the information in another form if needed.
"""

PRIVACY_FR = """\
Le répertoire se consulte sans compte et sans témoin de suivi. La présente politique explique quels renseignements personnels nous recueillons et pourquoi, conformément à la Loi sur la protection des renseignements personnels dans le secteur privé.

## Ce que nous recueillons

- Consultation du répertoire : aucun témoin (cookie) de mesure d'audience ou de publicité. Les journaux du serveur conservent l'adresse IP et la page demandée pendant une courte période, pour la sécurité du site.
- Portail des membres : le nom et le courriel des personnes qui s'y connectent, et les achats que leur organisation déclare. Un témoin de session est déposé seulement après la connexion.
- Fiches d'entreprise : les coordonnées d'affaires publiées par les entreprises ou par les réseaux qui les ont inscrites.

## Capsules vidéo

Les lecteurs vidéo externes ne se chargent qu'après votre clic ; la plateforme reçoit alors votre adresse IP.

## Vos droits

Vous pouvez demander l'accès à vos renseignements personnels, leur rectification ou leur suppression en écrivant à la personne responsable de la protection des renseignements personnels : repertoire@example.org.
"""

PRIVACY_EN = """\
The directory can be read without an account and without tracking cookies. This policy explains which personal information we collect and why, in keeping with Quebec's Act respecting the protection of personal information in the private sector.

## What we collect

- Browsing the directory: no audience measurement or advertising cookie. The server's logs keep the IP address and the page requested for a short time, for the site's security.
- Member portal: the name and email address of the people who sign in, and the purchases their organization declares. A session cookie is set only after signing in.
- Enterprise profiles: the business contact details published by the enterprises or by the networks that listed them.

## Video capsules

Outside video players load only after your click; the platform then receives your IP address.

## Your rights

You can ask to access, correct or delete your personal information by writing to the person in charge of the protection of personal information: repertoire@example.org.
"""

PAGES = [
    {
        "slug": "contact",
        "title": "Nous joindre",
        "title_en": "Contact us",
        "summary": "Corriger une fiche, faire inscrire une entreprise ou poser une question.",
        "summary_en": "Correct a profile, get an enterprise listed or ask a question.",
        "body": CONTACT_FR,
        "body_en": CONTACT_EN,
    },
    {
        "slug": "accessibilite",
        "title": "Déclaration d'accessibilité",
        "title_en": "Accessibility statement",
        "summary": "La norme que vise le site, ce que nous faisons et comment signaler un problème.",
        "summary_en": "The standard the site aims for, what we do and how to report a problem.",
        "body": ACCESSIBILITY_FR,
        "body_en": ACCESSIBILITY_EN,
    },
    {
        "slug": "confidentialite",
        "title": "Politique de confidentialité",
        "title_en": "Privacy policy",
        "summary": "Les renseignements personnels que nous recueillons, pourquoi, et vos droits.",
        "summary_en": "The personal information we collect, why, and your rights.",
        "body": PRIVACY_FR,
        "body_en": PRIVACY_EN,
    },
]


def create_pages(apps, schema_editor):
    Page = apps.get_model("programs", "Page")
    for fields in PAGES:
        fields = dict(fields)
        Page.objects.get_or_create(
            slug=fields.pop("slug"), defaults={**fields, "is_published": True}
        )
    # « À propos » is linked from every page's footer: no longer a pill on the home page.
    Page.objects.filter(slug="a-propos").update(menu_order=None)


class Migration(migrations.Migration):
    dependencies = [("programs", "0002_editorial_pages")]

    operations = [migrations.RunPython(create_pages, migrations.RunPython.noop)]
