"""French words the synthetic generator builds names, places and descriptions from."""

from dataclasses import dataclass

# Population of each administrative region (2021 census, thousands): enterprises and members
# are spread like Quebec's population.
REGION_WEIGHTS = {
    "01": 197, "02": 278, "03": 757, "04": 272, "05": 502, "06": 2004, "07": 402, "08": 148,
    "09": 91, "10": 46, "11": 91, "12": 432, "13": 439, "14": 531, "15": 637, "16": 1614,
    "17": 251,
}

# Neighbouring regions, for realistic service areas.
NEIGHBOURS = {
    "01": ["11", "12", "09"], "02": ["03", "04", "09", "10"], "03": ["02", "04", "12"],
    "04": ["03", "17", "14", "10"], "05": ["16", "17", "12"], "06": ["13", "16", "14"],
    "07": ["15", "08"], "08": ["07", "10", "15"], "09": ["02", "01", "10"],
    "10": ["08", "02", "09"], "11": ["01"], "12": ["03", "01", "05", "17"],
    "13": ["06", "15", "14"], "14": ["06", "13", "15", "04"], "15": ["13", "14", "07", "06"],
    "16": ["06", "05", "17", "13"], "17": ["04", "05", "12", "16"],
}


@dataclass(frozen=True)
class City:
    name: str
    postal_prefixes: tuple[str, ...]  # forward sortation areas (first three characters)
    area_codes: tuple[str, ...]


def _cities(*rows):
    return [City(name, tuple(fsa.split()), tuple(codes.split())) for name, fsa, codes in rows]


CITIES = {
    "01": _cities(("Rimouski", "G5L G5M", "418 581"), ("Rivière-du-Loup", "G5R", "418"),
                  ("Matane", "G4W", "418")),
    "02": _cities(("Saguenay", "G7H G7J G7B", "418 581"), ("Alma", "G8B", "418"),
                  ("Roberval", "G8H", "418"), ("Dolbeau-Mistassini", "G8L", "418")),
    "03": _cities(("Québec", "G1R G1K G1N G2J G1L", "418 581"), ("Saint-Raymond", "G3L", "418"),
                  ("Baie-Saint-Paul", "G3Z", "418")),
    "04": _cities(("Trois-Rivières", "G8T G9A G8Y", "819 873"), ("Shawinigan", "G9N", "819"),
                  ("La Tuque", "G9X", "819")),
    "05": _cities(("Sherbrooke", "J1H J1E J1J", "819 873"), ("Magog", "J1X", "819"),
                  ("Coaticook", "J1A", "819")),
    "06": _cities(("Montréal", "H2X H2J H1W H3K H4C H2S H1N H2L H3C", "514 438")),
    "07": _cities(("Gatineau", "J8X J8Y J9H J8T", "819 873"), ("Maniwaki", "J9E", "819")),
    "08": _cities(("Rouyn-Noranda", "J9X", "819"), ("Val-d'Or", "J9P", "819"),
                  ("Amos", "J9T", "819")),
    "09": _cities(("Baie-Comeau", "G4Z", "418"), ("Sept-Îles", "G4R", "418")),
    "10": _cities(("Chibougamau", "G8P", "418"), ("Matagami", "J0Y", "819")),
    "11": _cities(("Gaspé", "G4X", "418"), ("Les Îles-de-la-Madeleine", "G4T", "418"),
                  ("Carleton-sur-Mer", "G0C", "418")),
    "12": _cities(("Lévis", "G6V G6W G6Z", "418 581"), ("Saint-Georges", "G5Y", "418"),
                  ("Thetford Mines", "G6G", "418"), ("Montmagny", "G5V", "418")),
    "13": _cities(("Laval", "H7N H7T H7G H7E", "450 579")),
    "14": _cities(("Joliette", "J6E", "450"), ("Terrebonne", "J6W", "450 579"),
                  ("Repentigny", "J6A", "450")),
    "15": _cities(("Saint-Jérôme", "J7Z", "450 579"), ("Sainte-Agathe-des-Monts", "J8C", "819"),
                  ("Mont-Laurier", "J9L", "819")),
    "16": _cities(("Longueuil", "J4K J4H J4J", "450 579"), ("Saint-Hyacinthe", "J2S", "450"),
                  ("Granby", "J2G", "450"), ("Saint-Jean-sur-Richelieu", "J3B", "450"),
                  ("Châteauguay", "J6J", "450"), ("Salaberry-de-Valleyfield", "J6S", "450")),
    "17": _cities(("Drummondville", "J2B", "819 873"), ("Victoriaville", "G6P", "819"),
                  ("Bécancour", "G9H", "819")),
}

STREETS = [
    "rue Principale", "rue Notre-Dame", "boulevard Saint-Joseph", "avenue du Parc",
    "rue de l'Église", "chemin du Lac", "rue des Érables", "boulevard René-Lévesque",
    "rue Sainte-Catherine", "rue du Collège", "avenue Laurier", "rue des Pins",
    "rue Racine", "boulevard Talbot", "rue Saint-Jean", "rue de la Gare", "rue du Pont",
    "avenue des Pionniers", "rue Wellington", "chemin de la Côte",
]

# Letters a Canadian postal code may use (D, F, I, O, Q and U never appear).
POSTAL_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"


@dataclass(frozen=True)
class Trade:
    """What an enterprise does: the words of its name, its categories, sectors and labels."""

    patterns: tuple[str, ...]  # "{q}" is replaced by a qualifier
    coop_noun: str  # "Coopérative de solidarité {coop_noun} {q}"
    categories: tuple[str, ...]  # leaf category slugs mostly
    sectors: tuple[str, ...]
    activity: str  # "L'entreprise {activity}."
    labels: tuple[str, ...] = ()
    weight: int = 10


TRADES = [
    Trade(("Traiteur {q}", "Les Cuisines {q}", "Resto {q}", "Cuisine collective {q}"),
          "en alimentation", ("traiteur", "boites-a-lunch", "cafeteria", "alimentation"),
          ("services-alimentaires", "formation-insertion"),
          "prépare des repas, des buffets et des boîtes à lunch pour les entreprises et les "
          "événements", ("entreprise-insertion",), 14),
    Trade(("Boulangerie {q}", "Le Fournil {q}", "Café {q}", "Brûlerie {q}"),
          "de boulangerie", ("boulangerie-patisserie", "cafe-torrefaction"),
          ("agroalimentaire",), "fabrique pains, pâtisseries et cafés torréfiés sur place",
          ("commerce-equitable", "ecocert"), 6),
    Trade(("Récupération {q}", "Ressourcerie {q}", "Écocentre {q}", "Récupér'Action {q}"),
          "en récupération", ("recyclage", "collecte-textiles", "compostage", "environnement"),
          ("environnement-recuperation", "commerce-detail"),
          "récupère, trie et valorise les matières résiduelles et les objets de réemploi",
          ("ici-on-recycle", "entreprise-insertion"), 12),
    Trade(("Informatique {q}", "Ordinateurs {q}", "Recyclo-Tech {q}"), "en informatique",
          ("recuperation-informatique", "reconditionnement-ordinateurs", "soutien-informatique"),
          ("technologies-information", "environnement-recuperation"),
          "récupère et reconditionne le matériel informatique et offre du soutien technique",
          ("entreprise-insertion",), 6),
    Trade(("Les Ateliers {q}", "Atelier {q}", "Les Industries {q}"), "de production",
          ("sous-traitance-manufacturiere", "emballage-conditionnement", "insertion-mecanique"),
          ("fabrication", "services-aux-entreprises"),
          "offre de la sous-traitance manufacturière, de l'assemblage et de l'emballage",
          ("entreprise-adaptee",), 10),
    Trade(("Imprimerie {q}", "Communications {q}", "Studio {q}"), "en communication",
          ("imprimerie", "graphisme", "insertion-mecanique", "production-video"),
          ("imprimerie-communications",),
          "imprime formulaires et documents et conçoit des outils de communication",
          ("entreprise-adaptee",), 7),
    Trade(("Entretien {q}", "Services ménagers {q}", "Propreté {q}"), "en entretien",
          ("entretien-menager", "buanderie", "produits-entretien"), ("entretien-batiments",),
          "assure l'entretien ménager de bureaux, d'immeubles et d'institutions",
          ("entreprise-adaptee", "entreprise-insertion"), 10),
    Trade(("Paysagement {q}", "Jardins {q}", "Les Serres {q}"), "en horticulture",
          ("entretien-paysager", "paniers-fruits-legumes"),
          ("entretien-batiments", "foresterie-agriculture"),
          "aménage et entretient les espaces verts et cultive des légumes biologiques",
          ("ecocert",), 5),
    Trade(("Archives {q}", "Numérisation {q}", "Déchiquetage {q}"), "en gestion documentaire",
          ("numerisation", "destruction-documents", "centre-appels"),
          ("services-aux-entreprises",),
          "numérise les archives, détruit les documents confidentiels et gère des appels",
          ("entreprise-adaptee",), 5),
    Trade(("Déménagement {q}", "Livraison {q}", "Transport {q}"), "en transport",
          ("demenagement", "livraison", "transport-adapte"), ("transport-logistique",),
          "déménage, livre et transporte biens et personnes", ("entreprise-insertion",), 5),
    Trade(("Théâtre {q}", "Productions {q}", "Espace culturel {q}", "Festival {q}"),
          "en culture", ("spectacles-animation", "mediation-culturelle",
                         "organisation-evenements", "hebergement-salles"),
          ("arts-culture", "loisirs-tourisme"),
          "crée des spectacles, anime des activités culturelles et loue ses salles", (), 8),
    Trade(("Aide à domicile {q}", "Services à domicile {q}"), "de services à domicile",
          ("aide-domicile", "transport-adapte"), ("services-aux-personnes",),
          "offre l'entretien ménager et l'accompagnement à domicile des aînés", (), 7),
    Trade(("Formation {q}", "Carrefour {q}", "Tremplin {q}"), "en formation",
          ("formation", "traduction-redaction", "developpement-web"),
          ("formation-insertion",),
          "forme et accompagne des personnes vers l'emploi", ("entreprise-insertion",), 5),
    Trade(("Ébénisterie {q}", "Rénovation {q}", "Matériaux {q}"), "en construction",
          ("renovation", "materiaux-reemploi", "mobilier"),
          ("construction-renovation", "fabrication"),
          "rénove des bâtiments, fabrique du mobilier et revend des matériaux de réemploi",
          ("entreprise-insertion",), 6),
    Trade(("Couture {q}", "Textiles {q}", "Les Tricots {q}"), "en couture",
          ("vetements-uniformes", "articles-promotionnels", "collecte-textiles"),
          ("fabrication", "commerce-detail"),
          "confectionne vêtements de travail, uniformes et articles promotionnels",
          ("entreprise-adaptee",), 5),
]

QUALIFIERS = [
    "du Fjord", "de la Rive-Sud", "des Bois-Francs", "du Vieux-Port", "de l'Estuaire",
    "des Quatre Saisons", "Boréal", "L'Envol", "La Ruche", "Le Tremplin", "L'Escale", "Horizon",
    "Solidaire", "du Quartier", "des Cantons", "de la Vallée", "du Littoral", "des Moulins",
    "L'Étincelle", "La Passerelle", "Le Relais", "L'Îlot", "Au Cœur du Village", "des Érables",
    "du Plateau", "de la Montagne", "des Îles", "du Rivage", "Évolution", "Équilibre",
    "Coup de Pouce", "Le Phare", "La Fourmilière", "L'Arc-en-ciel", "Entre-Deux",
    "Aux Quatre Vents",
    "de la Côte", "des Battures", "du Bassin", "Saint-Laurent", "Nord-Sud", "Pleine Terre",
    "La Boussole", "Le Sentier", "L'Accueil", "Créations", "Héritage", "Renouveau", "Bonne Mine",
    "La Source", "L'Abri", "Le Grenier", "La Friperie", "Les Petits Pas", "L'Atelier Vert",
]

COOP_PREFIXES = {
    "cooperative": "Coopérative",
    "solidarity_cooperative": "Coopérative de solidarité",
    "worker_cooperative": "Coopérative de travail",
}

# Legal forms of Quebec's social economy enterprises, roughly as the networks report them.
LEGAL_FORM_WEIGHTS = {
    "non_profit": 58, "cooperative": 12, "solidarity_cooperative": 12,
    "worker_cooperative": 12, "mutual": 1, "other": 5,
}

EMPLOYEE_BAND_WEIGHTS = {"1-4": 22, "5-9": 22, "10-49": 35, "50-99": 12, "100-249": 7, "250+": 2}

LABEL_ISSUERS = {
    "entreprise-insertion": "Collectif des entreprises d'insertion du Québec",
    "entreprise-adaptee": "Conseil québécois des entreprises adaptées",
    "ecocert": "Ecocert Canada",
    "ici-on-recycle": "RECYC-QUÉBEC",
    "commerce-equitable": "Fairtrade Canada",
    "b-corp": "B Lab",
    "entreprise-economie-sociale-accreditee": "Pôle régional d'économie sociale",
}

LEGAL_FORM_PHRASES = {
    "non_profit": "un organisme à but non lucratif",
    "cooperative": "une coopérative",
    "solidarity_cooperative": "une coopérative de solidarité",
    "worker_cooperative": "une coopérative de travail",
    "mutual": "une mutuelle",
    "other": "une entreprise d'économie sociale",
}

MISSION_PHRASES = [
    "Ses profits sont réinvestis dans sa mission sociale.",
    "Elle crée des emplois durables pour des personnes éloignées du marché du travail.",
    "Elle privilégie les fournisseurs locaux et l'achat responsable.",
    "Ses membres participent aux décisions en assemblée générale.",
    "Elle collabore avec les organismes communautaires de son milieu.",
    "Elle réduit l'empreinte écologique de ses clients grâce au réemploi.",
]

SURNAMES = [
    "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin",
    "Gagné", "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron", "Leblanc", "Paquette",
    "Girard", "Simard", "Boucher", "Caron", "Beaulieu", "Cloutier", "Dubé", "Poirier",
    "Fournier", "Lapointe", "Leclerc", "Lefebvre", "Poulin", "Thibault", "Nadeau", "Landry",
    "Martel", "Bédard", "Grenier", "Lessard", "Bernier", "Michaud", "Hébert", "Couture",
]

# Member organizations: (kind, weight, name patterns). "{city}" is a city of the member's region.
MEMBER_KINDS = [
    ("municipality", 30, ("Ville de {city}", "Régie intermunicipale {q}",
                          "Office municipal d'habitation de {city}")),
    ("public_body", 25, ("Centre de services scolaire {q}", "Cégep de {city}",
                         "Centre intégré de santé et de services sociaux {q}",
                         "Bibliothèque publique de {city}")),
    ("private_company", 18, ("Groupe {surname} inc.", "Les Industries {surname} ltée",
                             "Construction {surname} inc.", "{surname} et associés")),
    ("non_profit", 13, ("Fondation {q}", "Centre communautaire {q} de {city}",
                        "Maison des jeunes de {city}", "Regroupement {q}")),
    ("university", 5, ("Campus universitaire de {city}", "Centre universitaire {q}")),
    ("research_centre", 5, ("Centre de recherche {q}", "Institut de recherche {q} de {city}")),
    ("expert", 4, ("{surname} Conseil en approvisionnement responsable",
                   "Cabinet {surname} et {surname2}")),
]

# The commitments of a declaration, in French and in English.
COMMITMENTS = [
    ("Inviter au moins une entreprise d'économie sociale à chaque appel d'offres sur invitation.",
     "Invite at least one social economy enterprise to every call for tenders by invitation."),
    ("Réserver une part de ses achats de traiteur et d'entretien à l'économie sociale.",
     "Set aside a share of its catering and maintenance purchases for the social economy."),
    ("Former ses acheteurs à l'approvisionnement responsable et publier ses résultats chaque "
     "année.",
     "Train its buyers in responsible procurement and publish its results every year."),
    ("Doubler en trois ans la valeur de ses achats auprès d'entreprises d'économie sociale.",
     "Double in three years the value of its purchases from social economy enterprises."),
]

PURCHASE_DESCRIPTIONS = {
    "alimentation": ["Service de traiteur pour {event}", "Boîtes à lunch pour {event}",
                     "Pauses-café pour {event}"],
    "environnement": ["Collecte et valorisation des matières résiduelles",
                      "Récupération de matériel informatique désuet",
                      "Déchiquetage sécurisé de documents confidentiels"],
    "impression": ["Impression de formulaires et de dépliants", "Mise sous pli d'un envoi postal",
                   "Conception graphique d'un rapport annuel"],
    "services-entreprises": ["Entretien ménager des bureaux", "Entretien paysager et déneigement",
                             "Numérisation d'archives", "Assemblage et emballage de trousses"],
    "technologies": ["Achat d'ordinateurs reconditionnés", "Soutien informatique",
                     "Refonte d'un site Web"],
    "evenements-culture": ["Animation culturelle pour {event}", "Location de salle pour {event}",
                           "Organisation de {event}"],
    "biens": ["Uniformes et vêtements de travail", "Mobilier de bureau en bois local",
              "Produits d'entretien écologiques", "Articles promotionnels"],
    "services-personnes": ["Formation du personnel", "Transport adapté pour {event}"],
    "construction": ["Rénovation de locaux", "Matériaux de réemploi pour un chantier"],
}

EVENTS = [
    "une assemblée générale", "une journée de formation", "une consultation publique",
    "un lancement", "la fête des employés", "un colloque régional", "un conseil municipal",
    "la semaine de l'économie sociale",
]

REJECTION_REASONS = [
    "Le fournisseur n'est pas une entreprise d'économie sociale.",
    "Montant incohérent avec la facture jointe.",
    "Achat déjà déclaré.",
]
