"""What an import keeps per row is small (a NEQ's holder is one shared id, not its row's
name): rows that share a NEQ across chunks are still told apart as before."""

import io

import pytest

from enterprises.imports import pipeline
from enterprises.models import Enterprise, ImportReviewItem, ImportRun, Network

SHARED_NEQ_FILE = (
    "No membre,Nom,NEQ\n"
    "1,Camp du Lac Vert,1140000020\n"
    "2,Coop du Quai,1140000038\n"
    "3,CAMP DU LAC VERT,1140000020\n"
    "4,Fédération des Guides catholiques,1140000020\n"
)


def run(content, dry_run=False):
    import_run = ImportRun(network=Network.objects.get(slug="cesim"), file_name="export.csv",
                           dry_run=dry_run)
    return pipeline.run_import(import_run, io.BytesIO(content.encode()))


@pytest.fixture
def one_row_chunks(monkeypatch):
    """Every row in a chunk of its own: the earlier holder of a NEQ is never in the chunk."""
    monkeypatch.setattr(pipeline, "CHUNK_SIZE", 1)


@pytest.mark.django_db
@pytest.mark.parametrize("dry_run", [False, True])
def test_a_neq_repeated_in_later_chunks_is_a_repeat_or_a_shared_neq_as_in_one_chunk(
    one_row_chunks, dry_run
):
    result = run(SHARED_NEQ_FILE, dry_run=dry_run)

    assert (result.created_count, result.error_count) == (3, 1)
    assert "4,NEQ,1140000020,error" in result.error_report
    shared = result.change_rows.get(line=5)
    assert '"shared_neq"' in str(shared.warnings).replace("'", '"')


@pytest.mark.django_db
def test_the_shared_neq_review_names_the_earlier_row_from_an_earlier_chunk(one_row_chunks):
    run(SHARED_NEQ_FILE)

    item = ImportReviewItem.objects.get(kind=ImportReviewItem.Kind.IDENTITY_CONFLICT)
    assert item.current_value == {"line": 2, "name": "Camp du Lac Vert", "neq": "1140000020"}
    assert item.enterprise.name.startswith("Fédération")
    assert Enterprise.objects.get(neq="1140000020").name == "Camp du Lac Vert"


@pytest.mark.django_db
def test_a_neq_held_by_an_enterprise_matched_earlier_in_the_file_is_compared_by_name(
    one_row_chunks,
):
    run("No membre,Nom,NEQ\n1,Camp du Lac Vert,1140000020\n")

    # The first row changes (a phone): it is matched, and holds the NEQ for the next row.
    result = run("No membre,Nom,NEQ,Téléphone\n"
                 "1,Camp du Lac Vert,1140000020,819 555-0101\n"
                 "9,Fédération des Guides catholiques,1140000020,\n")

    assert (result.updated_count, result.created_count, result.error_count) == (1, 1, 0)
    item = ImportReviewItem.objects.get(kind=ImportReviewItem.Kind.IDENTITY_CONFLICT)
    assert item.current_value == {"line": 2, "name": "Camp du Lac Vert", "neq": "1140000020"}
    assert Enterprise.objects.get(neq="1140000020").name == "Camp du Lac Vert"
