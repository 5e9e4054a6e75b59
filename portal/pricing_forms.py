"""Forms of a raffle's prices page: its bundles and early-bird price, a new coupon, and a
coupon's usage limit and end date.
Money and counts are read the staff member's way (`portal.fields`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.fields import LocalizedIntegerField, LocalizedMoneyField
from raffles.models import Coupon

TIER_ROWS = 4  # bundle rows shown; one more than the raffle has, up to MAX_TIERS
LOCAL_TIME = "%Y-%m-%dT%H:%M"


def _when(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        input_formats=[LOCAL_TIME],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_TIME),
    )


class PricesForm(forms.Form):
    early_bird_price = LocalizedMoneyField(label=_("Early-bird price per number"), required=False)
    early_bird_until = _when(_("Early-bird price until"))

    def __init__(self, *args: Any, rows: int = TIER_ROWS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for i in range(1, rows + 1):
            self.fields[f"tier_{i}_quantity"] = LocalizedIntegerField(
                label=_("Bundle %(n)d: numbers") % {"n": i}, required=False
            )
            self.fields[f"tier_{i}_price"] = LocalizedMoneyField(
                label=_("Bundle %(n)d: price") % {"n": i}, required=False
            )

    def tiers(self) -> list[dict[str, Any]]:
        """The bundle rows filled in; a row with only one of its two boxes is an error."""
        out = []
        for i in range(1, self.rows + 1):
            qty = self.cleaned_data.get(f"tier_{i}_quantity")
            price = self.cleaned_data.get(f"tier_{i}_price")
            if qty is None and price is None:
                continue
            if qty is None or price is None:
                missing = f"tier_{i}_quantity" if qty is None else f"tier_{i}_price"
                self.add_error(missing, _("Fill in both the numbers and the price."))
                continue
            out.append({"quantity": qty, "price": price})
        return out


class CouponForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    kind = forms.ChoiceField(label=_("Discount"), choices=Coupon.Kind.choices)
    value = LocalizedMoneyField(
        label=_("Value"), help_text=_("A percentage (10 means 10 percent off) or an amount off.")
    )
    max_uses = LocalizedIntegerField(
        label=_("Usage limit"), required=False, help_text=_("Empty: no limit.")
    )
    ends_at = _when(_("Valid until"))


class CouponLimitsForm(forms.Form):
    """A coupon's usage limit and end date, edited on its row (prefix: one per coupon). The
    code and the discount are not here: they never change."""

    max_uses = LocalizedIntegerField(
        label=_("Usage limit"), required=False, help_text=_("Empty: no limit.")
    )
    ends_at = _when(_("Valid until"))

    def __init__(self, data: Any = None, *, coupon: Coupon) -> None:
        initial = {"max_uses": coupon.max_uses, "ends_at": coupon.ends_at}
        super().__init__(data, prefix=f"edit-{coupon.pk}", initial=initial)
        self.fields["ends_at"].help_text = _("Empty: no end date.")
