from typing import Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from responses.models import Country, Membership


class InvitationAcceptForm(forms.Form):
    """The invited person chooses a user name and a password; the email address is the one the
    invitation went to."""

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[User.username_validator],
        help_text=_("Letters, digits and @ . + - _ only. You sign in with it."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This user name is taken; choose another."))
        return username

    def clean(self) -> dict:
        # Form.clean returns cleaned_data (the stubs allow None, for overrides that return none).
        data = cast(dict[str, Any], super().clean())
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            candidate = User(
                username=data.get("username", ""),
                email=self.email,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password1, user=candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("The six digits your authenticator app shows now, or one of your backup codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=8,
        help_text=_("Type the six digits the app shows for Allied Responses."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split())


def _role_choices() -> list[tuple[Promise, list[tuple[str, Promise]]]]:  # grouped choices
    return [
        (_("Country staff"), list(Membership.Role.choices)),
        (
            _("Across countries"),
            [
                (User.GlobalRole.ANALYST, User.GlobalRole.ANALYST.label),
                (User.GlobalRole.COORDINATOR, User.GlobalRole.COORDINATOR.label),
            ],
        ),
    ]


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=_role_choices)
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.order_by("name"),
        required=False,
        help_text=_(
            "Required for drafters, approvers and viewers; leave empty for analysts and coordinators."
        ),
    )

    def clean(self) -> dict:
        # Form.clean returns cleaned_data (the stubs allow None, for overrides that return none).
        data = cast(dict[str, Any], super().clean())
        role, country = data.get("role"), data.get("country")
        if role in Membership.Role.values and country is None:
            self.add_error("country", _("Choose the country this person will act for."))
        if role in (User.GlobalRole.ANALYST, User.GlobalRole.COORDINATOR) and country is not None:
            self.add_error("country", _("Analysts and coordinators work across countries: leave this empty."))
        return data


class GlobalRoleForm(forms.Form):
    global_role = forms.ChoiceField(
        label=_("Cross-country role"), choices=User.GlobalRole.choices, required=False
    )


class MembershipForm(forms.Form):
    country = forms.ModelChoiceField(label=_("Country"), queryset=Country.objects.order_by("name"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[("", _("No role (remove)")), *Membership.Role.choices],
        required=False,
    )


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or email contains"), required=False, max_length=150)
    country = forms.CharField(label=_("Country code"), required=False, max_length=2)
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[
            ("", _("Any")),
            *Membership.Role.choices,
            (User.GlobalRole.ANALYST, User.GlobalRole.ANALYST.label),
            (User.GlobalRole.COORDINATOR, User.GlobalRole.COORDINATOR.label),
        ],
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Any")), ("active", _("Active")), ("inactive", _("Deactivated"))],
    )


class LoginForm(AuthenticationForm):
    """Django's sign-in form checks the user name's length only in the browser; longer names went
    on to django-axes, whose failure record holds 255 characters, and PostgreSQL refused it with a
    500 (found by the wapiti scan). Checked here, before any authentication runs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.CharField, self.fields["username"])  # AuthenticationForm's UsernameField
        field.validators.append(MaxLengthValidator(field.max_length))
