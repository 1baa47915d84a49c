"""The first editorial pages: the benefits of buying from the social economy, and « À propos ».

Created once; staff edit them in the admin afterwards, so unapplying leaves them in place.
"""

from django.db import migrations

BENEFITS_FR = """\
Une entreprise d'économie sociale est une coopérative, une mutuelle ou un organisme à but non lucratif qui vend des biens ou des services. Elle répond aux besoins de ses membres ou de la collectivité, se gouverne démocratiquement et réinvestit ses surplus dans sa mission plutôt que de les distribuer. Pour un acheteur institutionnel, elle est un fournisseur comme un autre : elle soumissionne, livre, facture et répond de la qualité de son travail. Ce qui change, c'est ce que chaque dollar dépensé produit en plus.

## Des retombées économiques locales

Les entreprises d'économie sociale appartiennent à leurs membres ou à leur communauté et ne peuvent pas être délocalisées ni vendues à l'étranger. Leurs surplus restent dans la région, où ils financent des emplois, des services et de nouveaux projets. Un contrat confié à une entreprise de sa région fait travailler des gens d'ici et entretient un réseau de fournisseurs de proximité.

## Des emplois pour les personnes éloignées du marché du travail

Les entreprises d'insertion et les entreprises adaptées forment et emploient des personnes qui trouvent difficilement leur place ailleurs : jeunes sans diplôme, personnes immigrantes, personnes vivant avec un handicap, personnes de retour au travail après une longue absence. Acheter leurs services, c'est financer ces parcours par un contrat réel plutôt que par une subvention, et donner à ces travailleuses et travailleurs une expérience qui compte.

## Le développement durable

Beaucoup d'entreprises d'économie sociale sont nées d'un besoin environnemental : récupération et reconditionnement de matériel informatique, réemploi de matériaux, compostage, collecte de textiles. Leur mission les engage sur la durée, et leur gouvernance les oblige à rendre des comptes à leurs membres. Ces achats contribuent directement aux cibles de réduction des déchets et de réemploi que se donnent les organisations.

## La qualité et la proximité

Les entreprises d'économie sociale sont souvent établies depuis longtemps dans leur milieu et tiennent à leur réputation. Elles connaissent leurs clients, se déplacent, s'adaptent aux volumes et aux horaires d'un service public. Plusieurs détiennent des certifications reconnues. Comme pour tout fournisseur, l'acheteur fixe ses exigences de qualité dans l'appel d'offres ; les fiches techniques d'achat responsable de ce site proposent des exigences et des clauses types par produit ou service.

## Un achat conforme aux politiques publiques

Acheter auprès de l'économie sociale s'inscrit dans le cadre que se sont donné l'État québécois et de nombreuses organisations :

- la Loi sur l'économie sociale (2013) reconnaît la contribution de l'économie sociale au développement socioéconomique du Québec et engage l'administration publique à en tenir compte ;
- la Loi sur le développement durable guide l'action de l'administration publique, y compris ses acquisitions ;
- la Stratégie gouvernementale des marchés publics (2022) et la loi de 2022 visant à promouvoir l'achat québécois et responsable par les organismes publics invitent les organismes à intégrer des considérations sociales et environnementales à leurs acquisitions ;
- sous le seuil d'appel d'offres public, les règles de gestion contractuelle de chaque organisme permettent l'invitation ou le gré à gré, ce qui laisse une place aux entreprises de la région ;
- de nombreuses municipalités et sociétés d'État se sont dotées d'une politique d'approvisionnement responsable, et plusieurs ont signé la déclaration « L'économie sociale, j'achète! ».

Chaque organisme reste tenu de respecter ses propres règles, ses seuils et les accords de libéralisation des marchés qui s'appliquent à lui. Les fiches techniques indiquent comment formuler des exigences sociales et environnementales mesurables et vérifiables.

## Par où commencer

- Cherchez dans le répertoire les entreprises qui offrent ce dont vous avez besoin, dans votre région.
- Consultez la fiche technique de la catégorie pour préparer votre appel d'offres ou votre invitation.
- Inscrivez vos achats dans le portail des membres : le répertoire des achats sociaux en fait la somme et montre ce que le réseau accomplit.
"""

BENEFITS_EN = """\
A social economy enterprise is a cooperative, a mutual or a non-profit organization that sells goods or services. It meets the needs of its members or of the community, is governed democratically and reinvests its surplus in its mission instead of distributing it. For an institutional buyer it is a supplier like any other: it bids, delivers, invoices and answers for the quality of its work. What changes is what each dollar spent achieves on top of that.

## Local economic spin-offs

Social economy enterprises belong to their members or their community and cannot be moved away or sold abroad. Their surplus stays in the region, where it funds jobs, services and new projects. A contract awarded to an enterprise of your own region employs local people and sustains a network of nearby suppliers.

## Jobs for people far from the labour market

Work integration enterprises and adapted enterprises train and employ people who struggle to find their place elsewhere: young people without a diploma, immigrants, people living with a disability, people returning to work after a long absence. Buying their services funds these paths through a real contract rather than a grant, and gives these workers experience that counts.

## Sustainable development

Many social economy enterprises were born of an environmental need: recovering and refurbishing computer equipment, reusing materials, composting, collecting textiles. Their mission commits them for the long term, and their governance makes them accountable to their members. These purchases contribute directly to the waste reduction and reuse targets that organizations set themselves.

## Quality and proximity

Social economy enterprises are often long established in their community and care about their reputation. They know their clients, travel to them, and adapt to the volumes and schedules of a public service. Several hold recognized certifications. As with any supplier, the buyer sets its quality requirements in the call for tenders; this site's responsible procurement sheets suggest requirements and sample clauses for each product or service.

## Purchases in line with public policy

Buying from the social economy fits the framework that the Quebec government and many organizations have adopted:

- the Social Economy Act (2013) recognizes the social economy's contribution to Quebec's socio-economic development and commits the public administration to take it into account;
- the Sustainable Development Act guides the public administration's action, including its procurement;
- the government's public procurement strategy (2022) and the 2022 act to promote Québec and responsible procurement by public bodies invite public bodies to include social and environmental considerations in their purchases;
- below the public tender threshold, each body's contract management rules allow invitations to tender or direct awards, which leaves room for enterprises of the region;
- many municipalities and Crown corporations have adopted a responsible procurement policy, and several have signed the « L'économie sociale, j'achète! » declaration.

Each body remains bound by its own rules, its thresholds and the trade agreements that apply to it. The procurement sheets show how to write social and environmental requirements that can be measured and checked.

## Where to start

- Search the directory for the enterprises that offer what you need, in your region.
- Read the category's procurement sheet to prepare your call for tenders or invitation.
- Record your purchases in the member portal: the repertory of social purchases adds them up and shows what the network achieves.
"""

ABOUT_FR = """\
Ce site est tenu par un réseau qui fait la promotion de l'achat social et responsable auprès des organisations du Québec : organismes publics, municipalités, sociétés d'État, entreprises privées, universités et centres de recherche.

## Ce que vous y trouvez

- Le répertoire des entreprises d'économie sociale du Québec, alimenté par les réseaux régionaux et sectoriels qui les regroupent.
- Le répertoire des achats sociaux réalisés par les organisations membres, publiés avec leur accord.
- Les signataires de la déclaration « L'économie sociale, j'achète! » et leurs engagements.
- Des fiches techniques d'achat responsable, par produit ou service, et des capsules vidéo de partenariats entre acheteurs et entreprises.

## Les données

Les fiches des entreprises proviennent des réseaux membres et sont vérifiées par l'équipe du répertoire. Une entreprise qui souhaite corriger sa fiche ou y figurer peut s'adresser à son réseau ou à l'équipe du répertoire. Les achats sont déclarés par les organisations membres, validés par l'équipe, puis publiés seulement si l'organisation y consent.
"""

ABOUT_EN = """\
This site is kept by a network that promotes social and responsible procurement among Quebec organizations: public bodies, municipalities, Crown corporations, private companies, universities and research centres.

## What you will find here

- The directory of Quebec's social economy enterprises, fed by the regional and sector networks that bring them together.
- The repertory of social purchases made by member organizations, published with their consent.
- The signatories of the « L'économie sociale, j'achète! » declaration and their commitments.
- Responsible procurement sheets for each product or service, and video capsules of partnerships between buyers and enterprises.

## The data

Enterprise entries come from the member networks and are checked by the directory's team. An enterprise that wishes to correct its entry, or to be listed, may contact its network or the directory's team. Purchases are declared by member organizations, validated by the team, then published only with the organization's consent.
"""

PAGES = [
    {
        "slug": "pourquoi-acheter-economie-sociale",
        "title": "Pourquoi acheter auprès d'entreprises d'économie sociale",
        "title_en": "Why buy from social economy enterprises",
        "summary": "Retombées locales, emplois pour les personnes éloignées du marché du travail, "
        "développement durable, qualité et proximité : ce que vos achats produisent en plus.",
        "summary_en": "Local spin-offs, jobs for people far from the labour market, sustainable "
        "development, quality and proximity: what your purchases achieve on top.",
        "body": BENEFITS_FR,
        "body_en": BENEFITS_EN,
        "is_published": True,
        "menu_order": 1,
    },
    {
        "slug": "a-propos",
        "title": "À propos",
        "title_en": "About",
        "summary": "Qui tient ce répertoire, ce qu'on y trouve et d'où viennent les données.",
        "summary_en": "Who keeps this directory, what it holds and where its data come from.",
        "body": ABOUT_FR,
        "body_en": ABOUT_EN,
        "is_published": True,
        "menu_order": 2,
    },
]


def create_pages(apps, schema_editor):
    Page = apps.get_model("programs", "Page")
    for fields in PAGES:
        fields = dict(fields)
        Page.objects.get_or_create(slug=fields.pop("slug"), defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]

    operations = [migrations.RunPython(create_pages, migrations.RunPython.noop)]
