import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from enterprises import search

# Synonym sets for every category of the reference tree: (category slug, terms), French and
# English; staff edit them in the admin.
SEEDED_SETS = [
    ("alimentation", ["alimentation", "restauration", "nourriture", "repas", "food", "catering services", "meals"]),
    ("traiteur", ["traiteur", "buffet", "service de traiteur", "caterer", "catering", "buffets"]),
    ("boites-a-lunch", ["boîte à lunch", "boîte à dîner", "lunch", "dîner", "boxed lunch", "lunch box", "packed lunch"]),
    ("cafeteria", ["cafétéria", "cantine", "restaurant d'entreprise", "cafeteria", "canteen"]),
    ("paniers-fruits-legumes", ["panier de fruits", "panier de légumes", "fruits et légumes", "fruit basket", "vegetable basket", "produce"]),
    ("boulangerie-patisserie", ["boulangerie", "pâtisserie", "boulanger", "pain", "bakery", "baker", "pastry", "bread"]),
    ("cafe-torrefaction", ["café", "torréfacteur", "torréfaction", "coffee", "coffee roaster"]),
    ("environnement", ["environnement", "matières résiduelles", "déchets", "environment", "waste"]),
    ("recuperation-informatique", ["récupération informatique", "recyclage informatique", "déchets électroniques", "e-waste", "electronics recycling", "computer recycling"]),
    ("recyclage", ["recyclage", "valorisation", "récupération", "recycling", "recycler"]),
    ("compostage", ["compostage", "compost", "matières organiques", "composting", "organics", "organic waste"]),
    ("destruction-documents", ["déchiquetage", "destruction de documents", "déchiqueteuse", "shredding", "document destruction", "paper shredding"]),
    ("collecte-textiles", ["collecte de textiles", "vêtements usagés", "friperie", "textile collection", "used clothing"]),
    ("impression", ["impression", "imprimerie", "imprimeur", "printing", "printer", "print shop"]),
    ("imprimerie", ["impression de documents", "impression de formulaires", "photocopie", "reprographie", "document printing", "copy centre"]),
    ("insertion-mecanique", ["insertion mécanique", "mise sous pli", "envoi postal", "publipostage", "mailing", "direct mail", "envelope stuffing"]),
    ("graphisme", ["graphisme", "graphiste", "design graphique", "infographie", "graphic design", "graphic designer"]),
    ("traduction-redaction", ["traduction", "traducteur", "rédaction", "rédacteur", "révision linguistique", "translation", "translator", "writing", "copywriting"]),
    ("production-video", ["vidéo", "photographie", "photographe", "vidéaste", "video production", "photography", "photographer"]),
    ("services-entreprises", ["services aux entreprises", "business services"]),
    ("entretien-menager", ["entretien ménager", "ménage", "conciergerie", "concierge", "nettoyage", "nettoyage de bureaux", "préposé à l'entretien", "cleaning", "cleaner", "janitorial", "janitor", "office cleaning", "custodial services"]),
    ("entretien-paysager", ["entretien paysager", "aménagement paysager", "paysagiste", "déneigement", "tonte de gazon", "landscaping", "landscaper", "snow removal", "lawn care", "gardening"]),
    ("buanderie", ["buanderie", "blanchisserie", "lavage de textiles", "nettoyage de textiles", "laundry", "linen service", "dry cleaning"]),
    ("sous-traitance-manufacturiere", ["sous-traitance", "assemblage", "fabrication", "usinage", "subcontracting", "assembly", "manufacturing"]),
    ("emballage-conditionnement", ["emballage", "conditionnement", "ensachage", "packaging", "packing", "kitting"]),
    ("numerisation", ["numérisation", "gestion documentaire", "archivage", "scanning", "digitization", "records management", "archiving"]),
    ("centre-appels", ["centre d'appels", "service à la clientèle", "réception d'appels", "call centre", "call center", "customer service", "answering service"]),
    ("demenagement", ["déménagement", "déménageur", "entreposage", "moving", "mover", "moving company", "removals", "storage"]),
    ("livraison", ["livraison", "messagerie", "coursier", "delivery", "courier", "messenger"]),
    ("technologies", ["technologies de l'information", "informatique", "TI", "information technology", "IT", "computer services"]),
    ("developpement-web", ["développement web", "site web", "site internet", "logiciel", "programmation", "web development", "website", "software development", "web developer"]),
    ("reconditionnement-ordinateurs", ["ordinateur reconditionné", "ordinateur usagé", "reconditionnement", "refurbished computer", "used computer", "refurbished laptop"]),
    ("soutien-informatique", ["soutien informatique", "support informatique", "dépannage informatique", "IT support", "tech support", "help desk"]),
    ("evenements-culture", ["événements", "culture", "loisirs", "events", "recreation"]),
    ("organisation-evenements", ["organisation d'événements", "événementiel", "planification d'événements", "event planning", "event planner", "event organizer"]),
    ("spectacles-animation", ["spectacle", "animation", "animateur", "divertissement", "performance", "entertainment", "entertainer"]),
    ("mediation-culturelle", ["médiation culturelle", "activité culturelle", "cultural mediation", "arts programming"]),
    ("hebergement-salles", ["hébergement", "location de salle", "salle de réunion", "lodging", "venue rental", "meeting room", "room rental"]),
    ("biens", ["biens", "fournitures", "goods", "supplies"]),
    ("mobilier", ["mobilier", "meuble", "ébénisterie", "ébéniste", "menuisier", "furniture", "cabinetmaking", "cabinetmaker"]),
    ("vetements-uniformes", ["vêtements", "uniformes", "couture", "broderie", "clothing", "uniforms", "sewing", "embroidery"]),
    ("articles-promotionnels", ["articles promotionnels", "objets promotionnels", "cadeaux corporatifs", "promotional items", "promotional products", "swag", "corporate gifts"]),
    ("produits-entretien", ["produits d'entretien", "produits nettoyants", "savon", "cleaning products", "cleaning supplies", "soap"]),
    ("fournitures-bureau", ["fournitures de bureau", "papeterie", "articles de bureau", "office supplies", "stationery"]),
    ("services-personnes", ["services aux personnes", "personal services"]),
    ("aide-domicile", ["aide à domicile", "soins à domicile", "maintien à domicile", "aide domestique", "home care", "home support", "home help"]),
    ("formation", ["formation", "accompagnement", "coaching", "training", "workshop"]),
    ("transport-adapte", ["transport adapté", "transport collectif", "transport de personnes", "navette", "paratransit", "adapted transport", "shuttle", "shared transport"]),
    ("construction", ["construction", "bâtiment", "building"]),
    ("renovation", ["rénovation", "menuiserie", "menuisier", "charpentier", "travaux", "renovation", "carpentry", "carpenter", "handyman"]),
    ("materiaux-reemploi", ["matériaux de réemploi", "matériaux usagés", "écocentre", "reclaimed materials", "salvaged materials", "used building materials"]),
]


def seed_synonyms(apps, schema_editor):
    """Seed the sets whose category exists (a test database may hold only part of the tree)."""
    category_model = apps.get_model("enterprises", "Category")
    synonym_set = apps.get_model("enterprises", "SynonymSet")
    db = schema_editor.connection.alias
    categories = dict(category_model.objects.using(db).values_list("slug", "pk"))
    synonym_set.objects.using(db).bulk_create(
        synonym_set(category_id=categories.get(slug), terms="\n".join(terms))
        for slug, terms in SEEDED_SETS
    )


def unseed_synonyms(apps, schema_editor):
    apps.get_model("enterprises", "SynonymSet").objects.using(
        schema_editor.connection.alias
    ).delete()


def index_english_stems(apps, schema_editor):
    """PostgreSQL's refresh now also stems English texts in English: replace it and rebuild
    (SQLite sees its triggers changed after migrate and rebuilds then)."""
    search.update_triggers(schema_editor)
    search.search_backend(schema_editor.connection.alias).rebuild()


class Migration(migrations.Migration):
    """Synonym sets staff edit, seeded for every category; English stems in the search index."""

    dependencies = [
        ('enterprises', '0015_enterprise_self_stated_facts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SynonymSet',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('terms', models.TextField(help_text='One word or phrase per line (or separated by commas), in French or English, singular is enough: plurals and accents are ignored.', verbose_name='terms')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('category', models.ForeignKey(blank=True, help_text='The category these words name, if any: a search for them then offers that category as a filter.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='synonym_sets', to='enterprises.category', verbose_name='category')),
            ],
            options={
                'verbose_name': 'synonym set',
                'verbose_name_plural': 'synonym sets',
                'ordering': ['pk'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalSynonymSet',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('terms', models.TextField(help_text='One word or phrase per line (or separated by commas), in French or English, singular is enough: plurals and accents are ignored.', verbose_name='terms')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('category', models.ForeignKey(blank=True, db_constraint=False, help_text='The category these words name, if any: a search for them then offers that category as a filter.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='enterprises.category', verbose_name='category')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical synonym set',
                'verbose_name_plural': 'historical synonym sets',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(seed_synonyms, unseed_synonyms),
        migrations.RunPython(index_english_stems, migrations.RunPython.noop),
    ]
