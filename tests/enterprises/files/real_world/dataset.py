"""The real-world test set: one regional network (Mauricie, region 04) and the Quebec enterprise
register describing the same enterprises, written the way they export them.

Three files, rendered from the tables below (``python -m
tests.enterprises.files.real_world.dataset`` writes them beside this module; a test checks the
files on disk still match):

- ``repertoire-membres-mauricie.csv``: the network's directory, ``;``-separated, Windows-1252,
  camel-case headers, ``NA`` / ``N/D`` for blanks, municipalities in every spelling, some rows
  with only an MRC, no region column, a legal form column mostly blank, bad optional cells,
  multi-valued sectors whose names hold commas.
- ``liste-membres-mauricie.xlsx``: the same network's member list, French headers under a title
  row, no legal form, region or NEQ.
- ``registre-entreprises-extrait.csv``: a register-style extract, names in capitals with
  ``INC.``, cities with ``(Québec)``, post-office boxes in the address or city columns, NEQs,
  legal forms in the register's wording.

Every row carries what a careful curator knows to be true (official municipality, region,
the enterprise it describes), written by hand from fixtures/reference/municipalities.csv,
never computed by the code under test.
"""

import csv
import io
import random
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
NETWORK_FILE = "repertoire-membres-mauricie.csv"
MEMBER_LIST_FILE = "liste-membres-mauricie.xlsx"
REGISTER_FILE = "registre-entreprises-extrait.csv"

NETWORK_HEADERS = [
    "NomEntreprise", "Adresse", "Municipalite", "MRC", "CodePostal", "Telephone", "Courriel",
    "SiteWeb", "NEQ", "FormeJuridique", "SecteurActivite",
]
MEMBER_LIST_TITLE = "Liste des membres 2025 – Pôle d'économie sociale de la Mauricie"
MEMBER_LIST_HEADERS = [
    "Nom de l'organisation", "Adresse", "Ville", "Code postal", "Téléphone", "Courriel",
]
REGISTER_HEADERS = [
    "NEQ", "Nom", "Forme juridique", "Statut", "Adresse", "Ville", "Code postal",
]


def neq(serial, prefix="11"):
    """A well-formed NEQ: digits 3 to 10 pass the Luhn check, as the register's do."""
    body = f"{serial:07d}"
    for check in "0123456789":
        digits = [int(d) for d in body + check]
        total = sum(digits[-1::-2]) + sum(sum(divmod(2 * d, 10)) for d in digits[-2::-2])
        if total % 10 == 0:
            return f"{prefix}{body}{check}"
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Member:
    """One row of the network's directory, with what is true about it.

    ``place`` is the official municipality (as in municipalities.csv) the row's cells point
    to, or "" when the row names only an MRC or a former municipality; ``region`` is the
    region code a careful curator gives it.
    """

    key: str
    name: str
    municipality_cell: str
    place: str
    region: str
    postal_code: str
    mrc_cell: str = ""
    address: str = ""
    phone: str = "N/D"
    email: str = "N/D"
    website: str = "NA"
    neq: str = "NA"
    legal_form: str = "N/D"
    sectors: str = "N/D"
    expected_sectors: tuple = ()
    # A different phone layout in the member list (same number).
    list_phone: str = ""


@dataclass(frozen=True)
class RegisterRow:
    """One row of the register extract; ``describes`` is the member's key, or None for an
    enterprise the network does not list."""

    describes: str | None
    neq: str
    name: str
    legal_form: str
    address: str
    city: str
    postal_code: str
    status: str = "Immatriculée"
    # For an enterprise the network does not list: its name once tidied and its region.
    expected_name: str = ""
    region: str = ""


NEQ_FEDERATION = neq(4410021)
NEQ_CAMP = neq(4410033)
NEQ_JARDINS = neq(4410045)
NEQ_RCM = neq(4410057)
NEQ_ORCHESTRE = neq(4410069)
NEQ_FUT = neq(4410071)
NEQ_CPE = neq(4410083)
NEQ_REMI = neq(4410095)

# The hand-written rows: every planted case, and every way of writing a place.
PLANTED = [
    # Identity conflict: the network typed the Fédération's NEQ on the camp's row.
    Member("camp", "Camp du Lac Vert", "St-Mathieu-du-Parc", "Saint-Mathieu-du-Parc", "04",
           "G0X 1N0", address="2420, chemin du Lac-Vert", phone="819 532-2266",
           email="info@camplacvert.org", website="www.camplacvert.org", neq=NEQ_FEDERATION,
           legal_form="OBNL", sectors="Loisirs et tourisme",
           expected_sectors=("loisirs-tourisme",)),
    # One NEQ on two rows: the first is its owner (the register agrees), the second a typo.
    Member("jardins", "Coopérative de solidarité Les Jardins du Rivage", "Ste-Thècle",
           "Sainte-Thècle", "04", "G0X 3G0", address="301, rue Saint-Jacques",
           phone="418-289-2134", email="jardinsdurivage@gmail.com", neq=NEQ_JARDINS,
           legal_form="Coopérative de solidarité", sectors="Agroalimentaire",
           expected_sectors=("agroalimentaire",)),
    Member("marche", "Marché public de Sainte-Thècle", "Sainte-Thècle", "Sainte-Thècle", "04",
           "G0X 3G0", address="301, rue Masson", phone="418 289-2070", neq=NEQ_JARDINS,
           sectors="Agroalimentaire; Commerce de détail, friperies et ressourceries",
           expected_sectors=("agroalimentaire", "commerce-detail")),
    # Name variants the register writes otherwise: they must merge.
    Member("fut", "À la Fût coop de travail brassicole", "Saint-Tite", "Saint-Tite", "04",
           "G0X 3H0", address="670, rue Notre-Dame", phone="418 365-4370",
           email="info@alafut.qc.ca", website="https://alafut.qc.ca",
           legal_form="Coopérative de travail", sectors="Agroalimentaire",
           expected_sectors=("agroalimentaire",)),
    Member("cpe", "CPE Les soleils de Mékinac", "St-Tite", "Saint-Tite", "04", "G0X 3H0",
           address="540, rue du Moulin", phone="418-365-5577", sectors="Petite enfance",
           expected_sectors=("petite-enfance",)),
    Member("remi", "Résidence St-Rémi", "TROIS-RIVIÈRES (QUÉBEC)", "Trois-Rivières", "04",
           "G8Y 3K1", address="3480, boulevard des Forges", phone="819 378-6325",
           legal_form="OBNL", sectors="Habitation", expected_sectors=("habitation",)),
    Member("orchestre", "L'orchestre symphonique de Trois-Rivières inc.", "Trois-Rivières",
           "Trois-Rivières", "04", "G9A 5H3", address="1517, rue Royale",
           phone="819 373-5340", email="info@ostr.ca", website="https://www.ostr.ca/",
           sectors="Arts, culture et patrimoine", expected_sectors=("arts-culture",)),
    Member("rcm", "Groupe RCM inc.", "Trois-Rivieres", "Trois-Rivières", "04", "G8T 2E8",
           address="3400, rue Louis-Pinard", phone="819 379-9000", neq=NEQ_RCM,
           sectors="Environnement, récupération et recyclage | Formation et insertion "
                   "socioprofessionnelle",
           expected_sectors=("environnement-recuperation", "formation-insertion")),
    # Grey zone: the register lists a near namesake at the same postal code.
    Member("soins", "Coopérative de solidarité en soins à domicile du Rivage",
           "Ste-Anne-de-la-Pérade", "Sainte-Anne-de-la-Pérade", "04", "G0X 2J0",
           address="100, rue de la Fabrique", phone="418 325-2121",
           legal_form="Coop de solidarité",
           sectors="Services aux personnes, santé et soins à domicile",
           expected_sectors=("services-aux-personnes",)),
    Member("cuisines", "Cuisines collectives de la Moraine", "Trois-Rivières",
           "Trois-Rivières", "04", "G9A 2N6", address="1060, rue Saint-François-Xavier",
           phone="819 371-9393", sectors="Agroalimentaire", expected_sectors=("agroalimentaire",)),
    Member("aide", "Service d'aide domestique de Trois-Rivières", "Trois-Rivières (Québec)",
           "Trois-Rivières", "04", "G8Z 1W2", address="2000, rue Bellefeuille",
           phone="819 373-1011 poste 22", email="accueil@sadtr.ca", legal_form="OBNL",
           sectors="Services aux personnes, santé et soins à domicile; Entretien ménager, "
                   "d'immeubles et paysager",
           expected_sectors=("services-aux-personnes", "entretien-batiments")),
    # Bad optional cells: each row still lands, the bad value left out.
    Member("postal", "Ressourcerie de la Mauricie", "Trois-Rivières", "Trois-Rivières", "04",
           "G8Y5GY", address="3815, boulevard des Forges", phone="819 691-0033",
           sectors="Commerce de détail, friperies et ressourceries",
           expected_sectors=("commerce-detail",)),
    Member("website", "Coop Le Rucher des Chenaux", "Batiscan", "Batiscan", "04", "G0X 1A0",
           address="795, rue Principale", phone="418 362-2700",
           website="Coop Le Rucher des Chenaux", sectors="Agroalimentaire",
           expected_sectors=("agroalimentaire",)),
    Member("short-neq", "Ateliers Bois et Métal de Shawinigan", "Shawinigan", "Shawinigan",
           "04", "G9N 6T5", address="1250, avenue de la Station", phone="819 536-1005",
           neq="1165432", sectors="Fabrication et transformation",
           expected_sectors=("fabrication",)),
    # Text that a "case fix" would damage.
    Member("club-loa", "CLUB LOA", "La Tuque", "La Tuque", "04", "G9X 2W4",
           address="120, 11E AVENUE NORD", phone="819 523-4567",
           website="HTTPS://WWW.CLUBLOA.CA/Inscriptions", sectors="Loisirs et tourisme",
           expected_sectors=("loisirs-tourisme",)),
    Member("cp490", "Friperie La Trouvaille", "La Tuque", "La Tuque", "04", "G9X 3P4",
           address="CP 490", phone="819 523-2210", sectors="Commerce de détail, friperies et "
           "ressourceries", expected_sectors=("commerce-detail",)),
    Member("pv", "Taxibus Latuquois", "LA TUQUE (QUÉBEC)", "La Tuque", "04",
           "G9X 3N8", address="1022PV-3351, rue Tessier", phone="819 523-9797",
           sectors="Transport, livraison et logistique",
           expected_sectors=("transport-logistique",)),
    # Places written every way, or only as an MRC.
    Member("st-roch", "Chantier du Rang Saint-Joseph", "St-Roch-de-Mékinac",
           "Saint-Roch-de-Mékinac", "04", "G0X 2E0", phone="819 646-5635",
           sectors="Foresterie et agriculture", expected_sectors=("foresterie-agriculture",)),
    Member("st-roch-2", "Maison de la culture de Mékinac", "Saint-Roch-de-Mekinac (Québec)",
           "Saint-Roch-de-Mékinac", "04", "G0X 2E0",
           sectors="Arts, culture et patrimoine; Loisirs et tourisme",
           expected_sectors=("arts-culture", "loisirs-tourisme")),
    Member("perade", "Corporation touristique de Sainte-Anne-de-la-Pérade",
           "Ste-Anne-de-la-Pérade", "Sainte-Anne-de-la-Pérade", "04", "G0X 2J0",
           phone="418 325-2475", sectors="Loisirs et tourisme",
           expected_sectors=("loisirs-tourisme",)),
    Member("mrc-mekinac", "Coopérative forestière du Saint-Maurice", "NA", "", "04", "G0X 3H0",
           mrc_cell="Mékinac", legal_form="Coopérative de travail",
           sectors="Foresterie et agriculture", expected_sectors=("foresterie-agriculture",)),
    Member("mrc-chenaux", "Société d'histoire régionale des Chenaux", "N/D", "", "04",
           "G0X 2J0", mrc_cell="Les Chenaux", sectors="Arts, culture et patrimoine",
           expected_sectors=("arts-culture",)),
    Member("mrc-chenaux-2", "Entraide alimentaire des Chenaux", "", "", "04", "G0X 2Y0",
           mrc_cell="MRC des Chenaux", sectors="Agroalimentaire",
           expected_sectors=("agroalimentaire",)),
    Member("mrc-haut-st-maurice", "Corporation de développement communautaire du "
           "Haut-Saint-Maurice", "NA", "", "04", "G9X 2L5", mrc_cell="Haut-Saint-Maurice",
           phone="819 523-6110", sectors="Services aux personnes, santé et soins à domicile",
           expected_sectors=("services-aux-personnes",)),
    Member("mrc-maskinonge", "Coopérative de solidarité Valorisation Maskinongé", "", "", "04",
           "J5V 1J6", mrc_cell="Maskinongé", legal_form="Coopérative de solidarité",
           sectors="Environnement, récupération et recyclage",
           expected_sectors=("environnement-recuperation",)),
    Member("stanislas", "Regroupement des aînés de Saint-Stanislas", "St-Stanislas",
           "Saint-Stanislas", "04", "G0X 3E0", mrc_cell="Les Chenaux",
           sectors="Services aux personnes, santé et soins à domicile",
           expected_sectors=("services-aux-personnes",)),
    Member("severin", "Comptoir familial de Saint-Séverin", "Saint-Séverin", "Saint-Séverin",
           "04", "G0X 2B0", sectors="Commerce de détail, friperies et ressourceries",
           expected_sectors=("commerce-detail",)),
    Member("cap", "Maison de quartier du Cap", "Cap-de-la-Madeleine", "", "04", "G8T 3X6",
           phone="819 375-8836", sectors="Services aux personnes, santé et soins à domicile",
           expected_sectors=("services-aux-personnes",)),
    # Members outside the region: Centre-du-Québec, Montréal, Québec.
    Member("becancour", "Coopérative de solidarité du parc industriel de Bécancour",
           "BÉCANCOUR (QUÉBEC)", "Bécancour", "17", "G9H 2X3", phone="819 294-6656",
           sectors="Services aux entreprises", expected_sectors=("services-aux-entreprises",)),
    Member("nicolet", "Librairie coopérative du Lac-Saint-Pierre", "Nicolet", "Nicolet", "17",
           "J3T 1V6", sectors="Commerce de détail, friperies et ressourceries",
           expected_sectors=("commerce-detail",)),
    Member("drummond", "Fonds d'emprunt communautaire Centre-du-Québec", "Drummondville",
           "Drummondville", "17", "J2B 6V4", sectors="Finance solidaire et assurance",
           expected_sectors=("finance-assurance",)),
    Member("montreal", "Réseau québécois de commerce équitable", "Montréal", "Montréal", "06",
           "H2X 3V4", sectors="Services aux entreprises",
           expected_sectors=("services-aux-entreprises",)),
    Member("quebec", "Fédération régionale des coopératives d'habitation", "QUÉBEC (QUÉBEC)",
           "Québec", "03", "G1R 4S9", sectors="Habitation", expected_sectors=("habitation",)),
]

# Distinct names for the generated rows: no two are alike, nor alike any planted row.
FILLER_NAMES = [
    "Centre d'action bénévole Laviolette", "Moisson Laviolette", "Écol'Eau",
    "Imprimerie Le Pigment", "Traiteur La Tablée solidaire", "Cyclo-Vert",
    "Buanderie Phénix", "Équijustice Mauricie", "Carrefour jeunesse-emploi de Maskinongé",
    "Théâtre des Ateliers Gaspard", "Boulangerie Pain Partage", "Groupe Solidarité Emploi",
    "Récupéraction Centre", "Ébénisterie L'Arbre à Bois", "Jardins communautaires Saint-Marc",
    "Coopérative funéraire de la Mauricie", "Centre de réadaptation Le Tremplin",
    "Paniers Bio Saint-Maurice", "Atelier Couture Fil d'Ariane", "Café-bistro Le Zénob",
    "Habitations Le Cardinal", "Entretien Ménager Lumière", "Radio Montagnes Mauriciennes",
    "Déménagement Coup de Main", "La Fabrique numérique", "Cinéma Le Tapis Rouge",
    "Festival Western de Saint-Tite", "Auberge du Trappeur", "Fromagerie Baie-Jolie",
    "Chocolaterie Gourmande Urbaine", "Transport collectif de Maskinongé",
    "Écocentre des Vallées", "Agence Intégration Travail", "Bibliothèque Ludothèque Loisirs",
    "Musée Pop", "Répit Famille Nordet", "Serres Lumina", "Coopérative Informatique Octet",
    "Salle Thompson", "Érablière du Petit Bonheur", "Sentiers Pédestres Piles",
    "Ferme Bleuetière Normandin", "Galerie d'art Rouge", "Auto-partage Mauricien",
    "Service de garde Pirouette", "Collectif Récolte Urbaine", "Cuisine Exquise Nourrice",
    "Microbrasserie Le Temps d'une Pinte", "Hébergement Zone Grise", "Recyclo-Vélo",
    "Carrefour Normandie", "Tricot Graffiti", "Atelier Vitrail Prisme",
    "Gym Coopératif Énergie", "Maison Coup d'Pouce", "Bistro Culturel Chez Ti-Jean",
    "Kayak Rivière Matawin", "Pépinière Sauvageonne", "Les Productions Vox Populi",
    "Domaine Scout Tapani", "Comité Logement Francheville", "Solidarité Alimentaire Jeunesse",
    "Papeterie Écoresponsable Plume", "Cordonnerie Sabot d'Or", "Golf Communautaire Birdie",
    "Photo-Club Obturateur", "Chorale Harmonie Nordique", "Atelier Poterie Argile",
    "Centre Équestre Crinière", "Studio Danse Mouvance",
]

# Spellings for the generated rows: (cell, official municipality, region, FSA or postal code).
FILLER_PLACES = [
    ("Trois-Rivières", "Trois-Rivières", "04", "G9A"),
    ("TROIS-RIVIÈRES (QUÉBEC)", "Trois-Rivières", "04", "G8Z"),
    ("Trois-Rivieres", "Trois-Rivières", "04", "G8Y"),
    ("trois-rivières", "Trois-Rivières", "04", "G9B"),
    ("Trois Rivières", "Trois-Rivières", "04", "G9C"),
    ("Trois-Rivières (Québec)", "Trois-Rivières", "04", "G8T"),
    ("Shawinigan", "Shawinigan", "04", "G9N"),
    ("SHAWINIGAN", "Shawinigan", "04", "G9P"),
    ("Shawinigan (Québec)", "Shawinigan", "04", "G9T"),
    ("Louiseville", "Louiseville", "04", "J5V 1J6"),
    ("La Tuque", "La Tuque", "04", "G9X"),
    ("St-Tite", "Saint-Tite", "04", "G0X 3H0"),
    ("Saint-Tite", "Saint-Tite", "04", "G0X 3H0"),
    ("Ste-Thècle", "Sainte-Thècle", "04", "G0X 3G0"),
    ("St-Alexis-des-Monts", "Saint-Alexis-des-Monts", "04", "J0K 1V0"),
    ("Saint-Élie-de-Caxton", "Saint-Élie-de-Caxton", "04", "G0X 2N0"),
    ("St-Élie-de-Caxton", "Saint-Élie-de-Caxton", "04", "G0X 2N0"),
    ("Notre-Dame-du-Mont-Carmel", "Notre-Dame-du-Mont-Carmel", "04", "G0X 3J0"),
    ("Yamachiche", "Yamachiche", "04", "G0X 3L0"),
    ("Champlain", "Champlain", "04", "G0X 1C0"),
    ("St-Narcisse", "Saint-Narcisse", "04", "G0X 2Y0"),
    ("Saint-Boniface", "Saint-Boniface", "04", "G0X 2L0"),
    ("Hérouxville", "Hérouxville", "04", "G0X 1J0"),
    ("Lac-aux-Sables", "Lac-aux-Sables", "04", "G0X 1M0"),
    ("Ste-Anne-de-la-Pérade", "Sainte-Anne-de-la-Pérade", "04", "G0X 2J0"),
    ("Saint-Maurice", "Saint-Maurice", "04", "G0X 2X0"),
]

SECTOR_CELLS = [
    ("Agroalimentaire", ("agroalimentaire",)),
    ("Arts, culture et patrimoine", ("arts-culture",)),
    ("Loisirs et tourisme; Arts, culture et patrimoine", ("arts-culture", "loisirs-tourisme")),
    ("Environnement, récupération et recyclage", ("environnement-recuperation",)),
    ("Services aux personnes, santé et soins à domicile", ("services-aux-personnes",)),
    ("Habitation", ("habitation",)),
    ("Imprimerie, édition et communications | Services aux entreprises",
     ("imprimerie-communications", "services-aux-entreprises")),
    ("Petite enfance", ("petite-enfance",)),
    ("Formation et insertion socioprofessionnelle", ("formation-insertion",)),
    ("N/D", ()),
]
LEGAL_FORM_CELLS = ["N/D", "NA", "", "OBNL", "Coopérative de travail", "Entreprise d'économie "
                    "sociale", "Coop de solidarité", "N/D"]


def filler_members(seed=13):
    rng = random.Random(seed)
    members = []
    for number, name in enumerate(FILLER_NAMES):
        cell, place, region, postal = FILLER_PLACES[number % len(FILLER_PLACES)]
        if len(postal) == 3:
            postal += f" {rng.randint(1, 9)}{rng.choice('ABCEGHJKLMNPRSTVXY')}{rng.randint(1, 9)}"
        sectors, expected = SECTOR_CELLS[number % len(SECTOR_CELLS)]
        area = "418" if postal.startswith("G0X") and number % 2 else "819"
        line = f"{rng.randint(200, 999)}-{rng.randint(1000, 9999)}"
        slug = "".join(c for c in name.lower() if c.isascii() and c.isalnum())[:20]
        members.append(Member(
            f"filler-{number}", name, cell, place, region,
            postal if number % 9 else postal.replace(" ", "").lower(),
            address=f"{rng.randint(10, 4999)}, rue {rng.choice(['Principale', 'Notre-Dame', 'Saint-Paul', 'des Érables', 'du Couvent'])}",  # noqa: E501
            phone=[f"{area} {line}", f"({area}) {line}", f"{area}-{line}", "N/D"][number % 4],
            list_phone=f"{area}.{line.replace('-', '.')}" if number % 4 != 3 else "",
            email=f"info@{slug}.org" if number % 5 else "NA",
            website=f"www.{slug}.org" if number % 3 else "N/D",
            neq=neq(5520000 + number) if number % 4 == 0 else "NA",
            legal_form=LEGAL_FORM_CELLS[number % len(LEGAL_FORM_CELLS)],
            sectors=sectors, expected_sectors=expected,
        ))
    return members


MEMBERS = PLANTED + filler_members()
MEMBERS_BY_KEY = {member.key: member for member in MEMBERS}

REGISTER = [
    # The Fédération comes first: its NEQ is the one the network typed on the camp's row.
    RegisterRow(None, NEQ_FEDERATION, "FÉDÉRATION DES GUIDES CATHOLIQUES DU DIOCÈSE DE "
                "TROIS-RIVIÈRES", "Personne morale sans but lucratif", "CP 1281",
                "TROIS-RIVIÈRES (Québec)", "G9A5K8",
                expected_name="Fédération des Guides Catholiques du Diocèse de Trois-Rivières",
                region="04"),
    RegisterRow("camp", NEQ_CAMP, "CAMP DU LAC VERT INC.", "Personne morale sans but lucratif",
                "2420, CHEMIN DU LAC-VERT", "SAINT-MATHIEU-DU-PARC (Québec)", "G0X1N0"),
    RegisterRow("jardins", NEQ_JARDINS, "COOPÉRATIVE DE SOLIDARITÉ LES JARDINS DU RIVAGE",
                "Coopérative non financière", "301, RUE SAINT-JACQUES",
                "SAINTE-THÈCLE (Québec)", "G0X3G0"),
    RegisterRow("fut", NEQ_FUT, "À LA FÛT, COOP DE TRAVAIL BRASSICOLE",
                "Coopérative non financière", "670, RUE NOTRE-DAME", "SAINT-TITE (Québec)",
                "G0X3H0"),
    RegisterRow("cpe", NEQ_CPE, "C.P.E. LES SOLEILS DE MÉKINAC",
                "Personne morale sans but lucratif", "540, RUE DU MOULIN", "CP 1093",
                "G0X3H0"),
    RegisterRow("remi", NEQ_REMI, "RÉSIDENCE SAINT-RÉMI INC.",
                "Personne morale sans but lucratif", "CP 1281, SUCC. BUREAU-CHEF",
                "TROIS-RIVIÈRES (Québec)", "G8Y3K1"),
    RegisterRow("orchestre", NEQ_ORCHESTRE, "L'ORCHESTRE SYMPHONIQUE DE TROIS-RIVIÈRES INC.",
                "Personne morale sans but lucratif", "1517, RUE ROYALE",
                "TROIS-RIVIÈRES (Québec)", "G9A5H3"),
    RegisterRow("rcm", NEQ_RCM, "GROUPE RCM INC.", "Société par actions ou compagnie",
                "CP 1281", "TROIS-RIVIÈRES (Québec)", "G8T2E8"),
    RegisterRow("club-loa", neq(4410104), "CLUB LOA", "Personne morale sans but lucratif",
                "120, 11E AVENUE NORD", "LA TUQUE (Québec)", "G9X2W4"),
    # Grey zone: near namesakes at the same postal code, which a curator must look at.
    RegisterRow(None, neq(4410116), "COOPÉRATIVE DE SOLIDARITÉ EN AIDE DOMESTIQUE DU RIVAGE",
                "Coopérative non financière", "100, RUE DE LA FABRIQUE",
                "SAINTE-ANNE-DE-LA-PÉRADE (Québec)", "G0X2J0",
                expected_name="Coopérative de Solidarité en Aide Domestique du Rivage",
                region="04"),
    RegisterRow(None, neq(4410128), "CUISINES SOLIDAIRES DE LA MORAINE",
                "Personne morale sans but lucratif", "1060, RUE SAINT-FRANÇOIS-XAVIER",
                "TROIS-RIVIÈRES (Québec)", "G9A2N6",
                expected_name="Cuisines Solidaires de la Moraine", region="04"),
    RegisterRow(None, neq(4410130), "SERVICES D'ENTRETIEN DOMESTIQUE DE TROIS-RIVIÈRES INC.",
                "Personne morale sans but lucratif", "CP 2210", "TROIS-RIVIÈRES (Québec)",
                "G8Z1W2",
                expected_name="Services d'Entretien Domestique de Trois-Rivières inc.",
                region="04"),
] + [
    # The register's view of a third of the generated members (matched by name and place).
    RegisterRow(member.key, neq(5520000 + number) if number % 4 == 0 else neq(6630000 + number),
                member.name.upper() + (" INC." if number % 2 else ""),
                ["Personne morale sans but lucratif", "Coopérative non financière",
                 "Société par actions ou compagnie"][number % 3],
                f"CP {1000 + number}" if number % 6 == 0 else "",
                f"{member.place.upper()} (Québec)",
                member.postal_code.replace(" ", "").upper())
    for number, member in enumerate(m for m in MEMBERS if m.key.startswith("filler-"))
    if number % 3 == 0
]

# What the queues must hold once every file is in, in either order: each case named by the
# enterprises involved (their names as the directory keeps them).
EXPECTED_IDENTITY_CONFLICTS = {
    frozenset({"Camp du Lac Vert",
               "Fédération des Guides Catholiques du Diocèse de Trois-Rivières"}),
    frozenset({"Coopérative de solidarité Les Jardins du Rivage",
               "Marché public de Sainte-Thècle"}),
}
EXPECTED_POSSIBLE_DUPLICATES = {
    frozenset({"Coopérative de solidarité en soins à domicile du Rivage",
               "Coopérative de Solidarité en Aide Domestique du Rivage"}),
    frozenset({"Cuisines collectives de la Moraine", "Cuisines Solidaires de la Moraine"}),
    frozenset({"Service d'aide domestique de Trois-Rivières",
               "Services d'Entretien Domestique de Trois-Rivières inc."}),
}


def register_neq(key):
    return next((row.neq for row in REGISTER if row.describes == key), "")


def expected_directory():
    """name → (region code, NEQ) once all three files are in: the network's names win, the
    register's NEQs win, a mistyped or repeated NEQ goes to its owner."""
    expected = {}
    for member in MEMBERS:
        own = member.neq if len(member.neq) == 10 and member.neq != NEQ_FEDERATION else ""
        if member.key == "marche":
            own = ""
        expected[member.name] = (member.region, register_neq(member.key) or own)
    for row in REGISTER:
        if row.describes is None:
            expected[row.expected_name] = (row.region, row.neq)
    return expected


def network_csv():
    output = io.StringIO(newline="")
    writer = csv.writer(output, delimiter=";", lineterminator="\r\n")
    writer.writerow(NETWORK_HEADERS)
    for m in MEMBERS:
        writer.writerow([
            m.name, m.address or "N/D", m.municipality_cell, m.mrc_cell or "NA", m.postal_code,
            m.phone, m.email, m.website, m.neq, m.legal_form, m.sectors,
        ])
    return output.getvalue().encode("cp1252")


def member_list_rows():
    """The member list: same enterprises, another order, another phone layout."""
    rows = [[MEMBER_LIST_TITLE], [], MEMBER_LIST_HEADERS]
    for m in sorted(MEMBERS, key=lambda m: m.name.casefold()):
        postal = "" if m.key == "postal" else m.postal_code
        city = "" if m.municipality_cell in ("NA", "N/D") else m.municipality_cell
        rows.append([m.name, m.address, city, postal, m.list_phone or m.phone,
                     m.email if "@" in m.email else ""])
    return rows


def member_list_xlsx():
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Membres"
    for row in member_list_rows():
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def register_csv():
    output = io.StringIO(newline="")
    writer = csv.writer(output, delimiter=";", lineterminator="\r\n")
    writer.writerow(REGISTER_HEADERS)
    for row in REGISTER:
        writer.writerow([row.neq, row.name, row.legal_form, row.status, row.address, row.city,
                         row.postal_code])
    return output.getvalue().encode("cp1252")


def write_files():
    (HERE / NETWORK_FILE).write_bytes(network_csv())
    (HERE / MEMBER_LIST_FILE).write_bytes(member_list_xlsx())
    (HERE / REGISTER_FILE).write_bytes(register_csv())


if __name__ == "__main__":
    write_files()
