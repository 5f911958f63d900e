from django.conf import settings


def newsroom(request):
    """The newsroom that publishes the public pages, and where those pages are served."""
    return {
        "newsroom_name": settings.NEWSROOM_NAME,
        "newsroom_url": settings.NEWSROOM_URL,
        "public_url": settings.PUBLIC_URL,
    }
