"""API tokens for scripts: obtained with a username and password, listed, and revoked by their owner.

Tokens are django-rest-knox's: stored hashed, shown once, expiring after API_TOKEN_DAYS. Logins
here count towards django-axes' lock-out exactly as the admin's do, because both go through
``django.contrib.auth.authenticate`` with the request.
"""

from django.contrib.auth import authenticate
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from knox.views import LoginView
from rest_framework import exceptions, generics, permissions, serializers

from claims.api.schema import error_responses


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class NewTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as 'Authorization: Token <token>'. It is shown only this once.")
    key = serializers.CharField(help_text="The token's first characters: how it is listed and revoked.")
    expiry = serializers.DateTimeField()


class TokenSerializer(serializers.ModelSerializer):
    key = serializers.CharField(source="token_key")
    current = serializers.SerializerMethodField(help_text="Whether this request was made with this token.")

    class Meta:
        model = AuthToken
        fields = ["key", "created", "expiry", "current"]

    def get_current(self, token) -> bool:
        return token == self.context["request"].auth


LOGIN_ERRORS = {
    **error_responses(415),
    400: OpenApiResponse(description="Username or password missing, or they do not match an active user."),
    429: OpenApiResponse(description="Too many failed logins for this username from this address, or requests."),
}


class TokenLoginView(LoginView):
    """Exchange a username and password for a new API token."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    serializer_class = CredentialsSerializer

    @extend_schema(request=CredentialsSerializer, responses={200: NewTokenSerializer, **LOGIN_ERRORS})
    def post(self, request, format=None):
        credentials = CredentialsSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        # django-axes keeps its count and its lock-out on the Django request, where its middleware finds them.
        user = authenticate(request._request, **credentials.validated_data)
        if user is None or not user.is_active:
            raise exceptions.ValidationError(
                {"password": ["The username and password do not match an active user."]}, code="invalid_login"
            )
        request.user = user
        return super().post(request, format)

    def get_post_response_data(self, request, token, instance):
        return NewTokenSerializer({"token": token, "key": instance.token_key, "expiry": instance.expiry}).data


@extend_schema(responses={200: TokenSerializer(many=True), **error_responses()})
class TokenListView(generics.ListAPIView):
    """The caller's tokens that have not expired, newest first."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = TokenSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return AuthToken.objects.filter(user=self.request.user, expiry__gt=timezone.now()).order_by("-created")


class TokenRevokeView(generics.DestroyAPIView):
    """Revoke one of the caller's tokens (the one in use included); it stops working at once."""

    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "token_key"
    lookup_url_kwarg = "key"

    def get_queryset(self):
        return AuthToken.objects.filter(user=self.request.user)

    @extend_schema(
        responses={
            204: None,
            **error_responses(),
            404: OpenApiResponse(description="The caller has no token with this key."),
        }
    )
    def delete(self, request, *args, **kwargs):
        return super().delete(request, *args, **kwargs)
