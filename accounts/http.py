"""Request types for annotations.

A view behind ``login_required`` never sees an anonymous visitor, but Django's ``HttpRequest``
types ``request.user`` as ``User | AnonymousUser``. Annotating such a view's request as
``AuthenticatedHttpRequest`` says what the decorator guarantees; at runtime the request is the
same ``HttpRequest`` as always (nothing is ever instantiated from this class).

Apps below accounts (DESIGN.md section 6) import it under ``if TYPE_CHECKING:`` only.
"""

from django.http import HttpRequest

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
