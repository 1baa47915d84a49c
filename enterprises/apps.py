from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_migrate
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = _("Social economy directory")

    def ready(self):
        from . import search  # also registers the SearchDocument model

        connection_created.connect(search.prepare_connection)
        self.watch_directory_changes()
        pre_migrate.connect(search.before_migrate, sender=self)
        post_migrate.connect(search.after_migrate, sender=self)

    def watch_directory_changes(self):
        """Any write that could change a facet count, a reference list that the directory
        index holds, or a cached enterprise page (networks are named there), marks the
        directory as changed."""
        from .models import DirectoryRevision, Enterprise

        bump = DirectoryRevision.bump
        for name in ("Enterprise", "EnterpriseLabel", "Region", "Mrc", "Municipality", "Sector",
                     "Category", "Label", "Network"):
            model = self.get_model(name)
            post_save.connect(bump, sender=model, dispatch_uid=f"directory-revision-save-{name}")
            post_delete.connect(bump, sender=model, dispatch_uid=f"directory-revision-del-{name}")
        # ``enterprise.labels.add(label)`` writes EnterpriseLabel rows without saving them.
        relations = (Enterprise.categories, Enterprise.sectors, Enterprise.service_area,
                     Enterprise.mrcs_served, Enterprise.labels)
        for relation in relations:
            uid = f"directory-revision-{relation.field.name}"
            m2m_changed.connect(bump, sender=relation.through, dispatch_uid=uid)
