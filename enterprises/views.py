from django.views.generic import DetailView, TemplateView

from .models import Enterprise


class HomeView(TemplateView):
    template_name = "enterprises/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(latest=Enterprise.objects.latest(), **kwargs)


class EnterpriseDetailView(DetailView):
    template_name = "enterprises/enterprise_detail.html"

    def get_queryset(self):
        return (
            Enterprise.objects.published()
            .select_related("region")
            .prefetch_related("categories", "sectors", "service_area", "label_awards__label")
        )
