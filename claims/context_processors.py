from django.conf import settings


def newsroom(request):
    """The newsroom that publishes the public pages."""
    return {"newsroom_name": settings.NEWSROOM_NAME, "newsroom_url": settings.NEWSROOM_URL}
