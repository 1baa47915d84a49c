"""Issue 13: real network files load as delivered, and several sources merge without losing
good data. The files are tests/enterprises/files/real_world/ (see its dataset.py): a Mauricie
network's directory (CSV, ``;``, Windows-1252, camel-case headers) and member list (XLSX, a
title row above French headers), and a register-style extract of the same enterprises.

Each problem seen on real files (the issue's "What was seen"), and the tests that show it fixed
(here unless a file is named; test_import_X is tests/enterprises/test_import_X.py):

- Every new row refused for want of a region or a legal form:
  test_network_directory_loads_as_delivered_with_no_profile_edit,
  test_every_row_with_a_name_lands_and_gets_its_region,
  test_register_rows_keep_their_own_enterprises,
  test_each_spelling_of_a_municipality_gives_the_official_one,
  test_a_row_with_only_an_mrc_gets_its_region; test_places (every spelling, MRC, postal code),
  test_import_survivorship::test_profile_constant_values_fill_every_empty_cell.
- Camel-case headers not recognized: test_camel_case_and_french_headers_are_recognized;
  test_import_mapping::test_camel_case_headers_of_a_network_export_are_recognized,
  test_import_mapping::test_every_usual_name_is_recognized_in_capitals_snake_case_or_camel_case.
- The last file imported wins, field by field (names, cities, post-office boxes flip back and
  forth): test_the_register_changes_no_name_or_contact_the_network_set,
  test_the_register_gives_neqs_and_legal_forms, test_both_orders_give_the_same_directory,
  test_a_second_round_writes_nothing;
  test_import_survivorship::test_importing_a_b_a_b_converges_and_second_round_writes_nothing.
- Silent identity change through a mistyped NEQ, the real row refused as a duplicate:
  test_a_mistyped_neq_opens_an_identity_conflict_and_renames_nothing,
  test_two_rows_with_one_neq_both_land_and_are_flagged,
  test_review_queues_hold_exactly_the_planted_cases; test_import_survivorship::
  test_mistyped_neq_never_renames_another_organization_and_waits_as_an_identity_conflict.
- Missed merges (same postal code, nearly the same name):
  test_name_variants_merge_into_one_enterprise, test_review_queues_hold_exactly_the_planted_cases;
  test_import_matching::test_name_variants_of_an_enterprise_in_its_town_update_it,
  test_import_matching::test_a_near_namesake_at_the_same_postal_code_is_left_to_a_curator.
- False "missing from the file" flags, two source records in one network:
  test_member_list_and_directory_share_one_source_and_flag_nothing_missing;
  test_import_survivorship::test_missing_flags_only_enterprises_no_row_matched_whatever_the_key.
- One bad optional cell loses the whole row: test_a_bad_optional_cell_is_left_out_and_the_row_lands.
- Case "fixes" damage text: test_text_is_not_damaged_by_case_fixes;
  test_import_normalize::test_a_word_holding_a_digit_is_never_changed,
  test_import_normalize::test_a_name_in_capitals_among_mixed_case_names_is_its_sources_choice.
- Multi-valued cells split on commas inside a value:
  test_sector_names_holding_commas_are_kept_whole;
  test_import_mapping::test_a_known_sector_name_holding_a_comma_stays_one_value.
- The preview hides what matters:
  test_import_admin::test_preview_shows_counts_first_then_every_change_fifty_a_page,
  test_import_admin::test_preview_names_fields_and_categories_in_the_pages_language.
  A run abandoned at the columns step stays pending: test_import_lifecycle::
  test_cleanup_closes_runs_left_at_the_columns_step_and_deletes_their_files.
  A failed dry run saves a profile: test_import_command::test_a_failed_dry_run_saves_no_profile.
  Command output mixes languages:
  test_import_command::test_command_output_is_in_the_active_language_only.
  Every row refused exits 1: test_import_command::test_all_rows_refused_exits_2.
  An exported slug of 102 characters is refused: test_import_command::
  test_an_exported_slug_of_over_a_hundred_characters_is_accepted_back.
"""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from enterprises.imports import pipeline
from enterprises.models import (
    Enterprise,
    EnterpriseSource,
    ImportProfile,
    ImportReviewItem,
    ImportRun,
    Network,
)
from enterprises.reference_data import read_reference_csv
from enterprises.validators import fold
from tests.enterprises.files.real_world import dataset
from tests.enterprises.files.real_world.dataset import (
    EXPECTED_IDENTITY_CONFLICTS,
    EXPECTED_POSSIBLE_DUPLICATES,
    MEMBER_LIST_FILE,
    MEMBERS,
    MEMBERS_BY_KEY,
    NEQ_CAMP,
    NEQ_FEDERATION,
    NEQ_JARDINS,
    NETWORK_FILE,
    REGISTER,
    REGISTER_FILE,
)

FILES = Path(dataset.__file__).resolve().parent
NETWORK = "pes-mauricie"
REGISTER_NETWORK = "registre-entreprises-quebec"
NETWORK_FIRST = [(NETWORK, NETWORK_FILE), (NETWORK, MEMBER_LIST_FILE),
                 (REGISTER_NETWORK, REGISTER_FILE)]
REGISTER_FIRST = list(reversed(NETWORK_FIRST))
ORDERS = pytest.mark.parametrize("order", [NETWORK_FIRST, REGISTER_FIRST],
                                 ids=["network-first", "register-first"])
CONTACT_FIELDS = ["address", "city", "postal_code", "phone", "email", "website",
                  "municipality_id"]
NAME_HEADERS = ("NomEntreprise", "Nom de l'organisation", "Nom")


@pytest.fixture(autouse=True)
def mauricie(db):
    return Network.objects.create(
        slug=NETWORK, name="Pôle d'économie sociale de la Mauricie",
        website="https://economiesocialemauricie.ca",
    )


def load(network_slug, file_name, dry_run=False):
    run = ImportRun(network=Network.objects.get(slug=network_slug), file_name=file_name,
                    dry_run=dry_run)
    result = pipeline.run_import(run, io.BytesIO((FILES / file_name).read_bytes()))
    assert result.state == ImportRun.State.DONE, result.failure
    return result


def load_all(order):
    return [load(network, file_name) for network, file_name in order]


def name_key(name):
    """A name as a curator reads it: case, accents, punctuation and a trailing « inc. » aside
    (the register's capitals are put in title case by rules tested elsewhere)."""
    words = "".join(c if c.isalnum() else " " for c in fold(name)).split()
    return " ".join(words[:-1] if words and words[-1] == "inc" else words)


def by_name_key():
    return {
        name_key(e.name): e
        for e in Enterprise.objects.select_related("region", "municipality", "mrc")
    }


def enterprise(key):
    """The enterprise a member's row describes, found by its name whatever the case."""
    found = by_name_key().get(name_key(MEMBERS_BY_KEY[key].name))
    assert found, f"{MEMBERS_BY_KEY[key].name} is not in the directory"
    return found


def directory():
    """What a visitor or curator sees of each enterprise, keyed by name."""
    rows = {}
    for e in Enterprise.objects.select_related("region", "municipality", "mrc").prefetch_related(
        "sectors", "categories"
    ):
        rows[e.name] = (
            e.address, e.city, e.postal_code, e.phone, e.email, e.website,
            e.region.code if e.region else None,
            e.municipality.name if e.municipality else None,
            e.mrc.name if e.mrc else None,
            e.neq, e.legal_form,
            sorted(s.slug for s in e.sectors.all()), sorted(c.slug for c in e.categories.all()),
        )
    return rows


def open_cases(kind):
    """Each open review item of this kind, as the set of enterprise names it puts side by
    side (the enterprise, its candidates and the incoming record's name)."""
    cases = []
    for item in ImportReviewItem.objects.filter(
        kind=kind, state=ImportReviewItem.State.OPEN
    ).select_related("enterprise").prefetch_related("candidates"):
        names = {c.name for c in item.candidates.all()}
        if item.enterprise:
            names.add(item.enterprise.name)
        names.update(item.record[h] for h in NAME_HEADERS if item.record.get(h))
        cases.append(frozenset(name_key(name) for name in names))
    return cases


def keyed(cases):
    return {frozenset(name_key(name) for name in case) for case in cases}


def test_files_on_disk_are_the_dataset():
    assert (FILES / NETWORK_FILE).read_bytes() == dataset.network_csv()
    assert (FILES / REGISTER_FILE).read_bytes() == dataset.register_csv()
    sheet = load_workbook(FILES / MEMBER_LIST_FILE, read_only=True).active
    cells = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    expected = dataset.member_list_rows()
    assert [row[:len(want)] for row, want in zip(cells, expected, strict=True)] == expected


def test_expected_places_are_the_official_ones():
    """The truth the tests hold: each official name and region as the official list has it."""
    regions = {}
    for row in read_reference_csv("municipalities.csv"):
        regions.setdefault(row["name"], set()).add(row["region_code"])
    for member in MEMBERS:
        if member.place:
            assert member.region in regions[member.place], member


def test_network_directory_loads_as_delivered_with_no_profile_edit():
    run = load(NETWORK, NETWORK_FILE)

    assert (run.created_count, run.error_count) == (len(MEMBERS), 0), run.error_report
    assert set(map(name_key, Enterprise.objects.values_list("name", flat=True))) == {
        name_key(m.name) for m in MEMBERS}
    no_legal_form = enterprise("orchestre")
    assert no_legal_form.legal_form == Enterprise.LegalForm.OTHER
    assert no_legal_form.status == Enterprise.Status.DRAFT


def test_camel_case_and_french_headers_are_recognized():
    directory_run = load(NETWORK, NETWORK_FILE)
    list_run = load(NETWORK, MEMBER_LIST_FILE)

    assert {header: directory_run.column_map.get(header) for header in [
        "NomEntreprise", "CodePostal", "SiteWeb", "FormeJuridique", "SecteurActivite",
        "Municipalite", "MRC", "Telephone", "Courriel", "Adresse", "NEQ",
    ]} == {
        "NomEntreprise": "name", "CodePostal": "postal_code", "SiteWeb": "website",
        "FormeJuridique": "legal_form", "SecteurActivite": "sectors", "Municipalite": "city",
        "MRC": "mrc", "Telephone": "phone", "Courriel": "email", "Adresse": "address",
        "NEQ": "neq",
    }
    assert list_run.column_map == {
        "Nom de l'organisation": "name", "Adresse": "address", "Ville": "city",
        "Code postal": "postal_code", "Téléphone": "phone", "Courriel": "email",
    }
    assert (list_run.created_count, list_run.error_count) == (0, 0), list_run.error_report


@ORDERS
def test_every_row_with_a_name_lands_and_gets_its_region(order):
    runs = load_all(order)

    assert [run.error_count for run in runs] == [0, 0, 0], [run.error_report for run in runs]
    expected = {name_key(name): value for name, value in dataset.expected_directory().items()}
    found = by_name_key()
    assert sorted(found) == sorted(expected)  # every enterprise once: no row lost, none doubled
    wrong = sorted(
        (name, region, found[name].region.code if found[name].region else None)
        for name, (region, _neq) in expected.items()
        if not found[name].region or found[name].region.code != region
    )
    assert len(wrong) <= 0.02 * len(expected), wrong


def test_each_spelling_of_a_municipality_gives_the_official_one():
    load(NETWORK, NETWORK_FILE)

    landed = by_name_key()
    found = {}
    for m in MEMBERS:
        if m.place:
            place = getattr(landed.get(name_key(m.name)), "municipality", None)
            found[m.name] = (m.municipality_cell, getattr(place, "name", None))
    assert found == {m.name: (m.municipality_cell, m.place) for m in MEMBERS if m.place}


@pytest.mark.parametrize(("key", "mrc"), [
    ("mrc-mekinac", "Mékinac"),
    ("mrc-chenaux", "Les Chenaux"),
    ("mrc-chenaux-2", "Les Chenaux"),
    ("mrc-maskinonge", "Maskinongé"),
    # The former MRC, replaced in 2004 by the agglomeration of La Tuque, of the same extent.
    ("mrc-haut-st-maurice", "La Tuque"),
])
def test_a_row_with_only_an_mrc_gets_its_region(key, mrc):
    load(NETWORK, NETWORK_FILE)

    found = enterprise(key)
    assert (found.mrc.name, found.region.code) == (mrc, "04")


def test_the_register_changes_no_name_or_contact_the_network_set():
    load(NETWORK, NETWORK_FILE)
    load(NETWORK, MEMBER_LIST_FILE)
    before = {e["pk"]: e for e in Enterprise.objects.values("pk", "name", *CONTACT_FIELDS)}

    load(REGISTER_NETWORK, REGISTER_FILE)

    after = {e["pk"]: e for e in Enterprise.objects.values("pk", "name", *CONTACT_FIELDS)}
    changed = [
        (before[pk]["name"], field, value, after[pk][field])
        for pk, row in before.items() for field, value in row.items()
        if value not in ("", None) and after[pk][field] != value
    ]
    assert changed == []
    assert enterprise("orchestre").name == "L'orchestre symphonique de Trois-Rivières inc."
    assert enterprise("rcm").name == "Groupe RCM inc."


@ORDERS
def test_the_register_gives_neqs_and_legal_forms(order):
    load_all(order)

    assert enterprise("camp").neq == NEQ_CAMP
    assert enterprise("orchestre").legal_form == Enterprise.LegalForm.NON_PROFIT
    assert enterprise("rcm").legal_form == Enterprise.LegalForm.OTHER
    found = by_name_key()
    wrong = sorted(
        (name, neq, found[name].neq)
        for name, (_region, neq) in (
            (name_key(n), value) for n, value in dataset.expected_directory().items()
        )
        if found[name].neq != neq
    )
    assert wrong == []


@ORDERS
def test_a_mistyped_neq_opens_an_identity_conflict_and_renames_nothing(order):
    load_all(order)

    camp = enterprise("camp")
    federation = Enterprise.objects.get(neq=NEQ_FEDERATION)
    assert camp.pk != federation.pk
    assert name_key(federation.name) == name_key(
        "Fédération des Guides Catholiques du Diocèse de Trois-Rivières")
    assert frozenset({name_key(camp.name), name_key(federation.name)}) in open_cases(
        ImportReviewItem.Kind.IDENTITY_CONFLICT)


def test_two_rows_with_one_neq_both_land_and_are_flagged():
    run = load(NETWORK, NETWORK_FILE)

    assert run.error_count == 0, run.error_report
    assert enterprise("jardins").neq == NEQ_JARDINS
    assert enterprise("marche").neq == ""
    assert keyed([{MEMBERS_BY_KEY["jardins"].name, MEMBERS_BY_KEY["marche"].name}]) <= set(
        open_cases(ImportReviewItem.Kind.IDENTITY_CONFLICT))


@ORDERS
def test_name_variants_merge_into_one_enterprise(order):
    load_all(order)

    for key in ("fut", "cpe", "remi", "orchestre", "rcm", "camp"):
        merged = enterprise(key)
        assert set(merged.sources.values_list("network__slug", flat=True)) == {
            NETWORK, REGISTER_NETWORK}, merged.name


@ORDERS
def test_review_queues_hold_exactly_the_planted_cases(order):
    load_all(order)

    identity = open_cases(ImportReviewItem.Kind.IDENTITY_CONFLICT)
    duplicates = open_cases(ImportReviewItem.Kind.POSSIBLE_DUPLICATE)
    assert (sorted(map(sorted, set(identity))), len(identity)) == (
        sorted(map(sorted, keyed(EXPECTED_IDENTITY_CONFLICTS))), len(EXPECTED_IDENTITY_CONFLICTS))
    assert (sorted(map(sorted, set(duplicates))), len(duplicates)) == (
        sorted(map(sorted, keyed(EXPECTED_POSSIBLE_DUPLICATES))),
        len(EXPECTED_POSSIBLE_DUPLICATES))


def test_both_orders_give_the_same_directory():
    load_all(NETWORK_FIRST)
    network_first = directory()
    ImportReviewItem.objects.all().delete()
    EnterpriseSource.objects.all().delete()
    Enterprise.objects.all().delete()
    ImportRun.objects.all().delete()
    ImportProfile.objects.all().delete()

    load_all(REGISTER_FIRST)

    register_first = directory()
    assert sorted(network_first) == sorted(register_first)
    assert {
        name: (row, register_first[name]) for name, row in network_first.items()
        if row != register_first[name]
    } == {}


@ORDERS
def test_a_second_round_writes_nothing(order):
    load_all(order)
    first_round = directory()
    stamps = dict(Enterprise.objects.values_list("pk", "updated_at"))
    open_items = ImportReviewItem.objects.filter(state=ImportReviewItem.State.OPEN).count()

    second = load_all(order)

    assert [(run.created_count, run.updated_count, run.error_count) for run in second] == [
        (0, 0, 0)] * 3
    assert dict(Enterprise.objects.values_list("pk", "updated_at")) == stamps
    assert directory() == first_round
    assert ImportReviewItem.objects.filter(state=ImportReviewItem.State.OPEN).count() == (
        open_items)


def test_member_list_and_directory_share_one_source_and_flag_nothing_missing():
    load(NETWORK, NETWORK_FILE)
    member_list = load(NETWORK, MEMBER_LIST_FILE)
    directory_again = load(NETWORK, NETWORK_FILE)

    assert (member_list.created_count, member_list.missing_count) == (0, 0)
    assert directory_again.missing_count == 0
    assert EnterpriseSource.objects.filter(network__slug=NETWORK).count() == len(MEMBERS)
    assert not ImportReviewItem.objects.filter(kind=ImportReviewItem.Kind.MISSING).exists()


@pytest.mark.parametrize(("key", "field", "bad_value"), [
    ("postal", "postal_code", "G8Y5GY"),
    ("website", "website", "Coop Le Rucher des Chenaux"),
    ("short-neq", "neq", "1165432"),
])
def test_a_bad_optional_cell_is_left_out_and_the_row_lands(key, field, bad_value):
    run = load(NETWORK, NETWORK_FILE)

    landed = enterprise(key)
    assert getattr(landed, field) == ""
    assert landed.status == Enterprise.Status.DRAFT
    assert landed.phone  # the rest of the row is there
    item = ImportReviewItem.objects.get(kind=ImportReviewItem.Kind.INVALID_VALUE,
                                        enterprise=landed)
    assert (item.field, bad_value in str(item.incoming_value)) == (field, True)
    assert bad_value in run.error_report


@ORDERS
def test_text_is_not_damaged_by_case_fixes(order):
    load_all(order)

    club = enterprise("club-loa")
    assert club.name == "CLUB LOA"  # in capitals among mixed-case names: the network's choice
    assert club.address.split()[:2] == ["120,", "11E"]
    assert club.website == "https://www.clubloa.ca/Inscriptions"
    assert enterprise("cp490").address == "CP 490"
    assert enterprise("pv").address == "1022PV-3351, rue Tessier"
    assert enterprise("cpe").name == "CPE Les soleils de Mékinac"
    federation = Enterprise.objects.get(neq=NEQ_FEDERATION)
    assert federation.name == "Fédération des Guides Catholiques du Diocèse de Trois-Rivières"
    assert "CP 1281" in federation.address
    boxes = Enterprise.objects.filter(city__iregex=r"^c\.?p\.? ?\d").values_list("name", "city")
    assert list(boxes) == []


def test_sector_names_holding_commas_are_kept_whole():
    load(NETWORK, NETWORK_FILE)

    landed = by_name_key()
    found = {
        m.name: sorted(landed[name_key(m.name)].sectors.values_list("slug", flat=True))
        for m in MEMBERS if name_key(m.name) in landed
    }
    assert found == {m.name: sorted(m.expected_sectors) for m in MEMBERS}
    assert ImportProfile.objects.get(network__slug=NETWORK).unknown_values.get("sectors") in (
        None, [])


def test_register_rows_keep_their_own_enterprises():
    """The register's enterprises that no network lists land on their own, with the NEQ."""
    run = load(REGISTER_NETWORK, REGISTER_FILE)

    assert (run.created_count, run.error_count) == (len(REGISTER), 0), run.error_report
    assert Enterprise.objects.filter(neq__in=[row.neq for row in REGISTER]).count() == len(
        REGISTER)
