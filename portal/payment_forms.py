"""Forms of the payment pages: a raffle's payment methods, a statement upload, a saved
column mapping, and assigning a statement line to an order."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from raffles.models import PaymentMethod, StatementMapping, StatementMatching


class PaymentSetupForm(forms.Form):
    methods = forms.MultipleChoiceField(
        label=_("Payment methods"),
        choices=PaymentMethod.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    pix_key = forms.CharField(
        label=_("Pix key"),
        required=False,
        max_length=77,
        help_text=_("An e-mail, a +55 phone, a CPF, a CNPJ or a random key."),
    )
    pix_merchant_name = forms.CharField(label=_("Pix merchant name"), required=False, max_length=25)
    pix_merchant_city = forms.CharField(label=_("Pix merchant city"), required=False, max_length=15)
    statement_matching = forms.ChoiceField(
        label=_("Bank statement matching"), choices=StatementMatching.choices
    )


class StatementUploadForm(forms.Form):
    file = forms.FileField(label=_("Statement file (CSV or OFX)"))
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("Detect")), ("csv", "CSV"), ("ofx", "OFX")],
    )
    mapping = forms.ModelChoiceField(
        label=_("Bank column mapping"),
        required=False,
        queryset=StatementMapping.objects.all(),
        empty_label=_("Read the header"),
    )


class MappingForm(forms.Form):
    name = forms.CharField(label=_("Bank"), max_length=100)
    date_column = forms.CharField(label=_("Date column"), max_length=100)
    description_columns = forms.CharField(
        label=_("Description columns"),
        max_length=300,
        help_text=_("Header names, separated by commas."),
    )
    amount_column = forms.CharField(label=_("Amount column"), max_length=100)
    decimal = forms.ChoiceField(
        label=_("Decimal sign"),
        required=False,
        choices=[("", _("Read from the file")), (",", "1.500,00"), (".", "1,500.00")],
    )
    date_order = forms.ChoiceField(
        label=_("Date order"),
        required=False,
        choices=[
            ("", _("Read from the file")),
            ("dmy", _("day/month/year")),
            ("mdy", _("month/day/year")),
            ("ymd", _("year-month-day")),
        ],
    )


class AssignLineForm(forms.Form):
    code = forms.CharField(label=_("Order code"), max_length=12, required=False)
