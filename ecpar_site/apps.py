"""The admin application, serving the site's own admin site (`ecpar_site.admin.AdminSite`)."""

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    default_site = "ecpar_site.admin.AdminSite"
