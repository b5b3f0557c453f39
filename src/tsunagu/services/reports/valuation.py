"""Relief-from-royalty: the present value of the royalties a company saves by owning its rights.

Computed only from the evaluator's inputs (royalty rate, revenue forecast, discount rate, period);
there are no built-in default rates. Value = Σₜ revenueₜ × royalty rate / (1 + discount rate)ᵗ for
t = 1 … period (end-of-year discounting, before tax). The result is a reference value, not a
transaction price.
"""

from __future__ import annotations

from dataclasses import dataclass

from tsunagu.errors import ValidationError
from tsunagu.services.reports.inputs import ValuationInput

__all__ = ["ValuationResult", "ValuationYear", "relief_from_royalty"]


@dataclass(frozen=True)
class ValuationYear:
    """One year of the calculation."""

    year: int
    revenue: float
    royalty: float
    discount_factor: float
    present_value: float


@dataclass(frozen=True)
class ValuationResult:
    """The value and every assumption behind it."""

    royalty_rate: float
    discount_rate: float
    period: int
    currency: str
    unit: str
    basis: str
    years: tuple[ValuationYear, ...]
    value: float
    forecast_years_given: int


def relief_from_royalty(inputs: ValuationInput) -> ValuationResult:
    """Compute the relief-from-royalty value from the evaluator's inputs.

    Raises:
        ValidationError: a required input is missing (the message lists which), or the forecast is
            shorter than the period.
    """
    missing = inputs.missing()
    if missing:
        raise ValidationError(f"valuation: 未入力の項目 / missing inputs: {', '.join(missing)}")
    assert inputs.royalty_rate is not None and inputs.discount_rate is not None and inputs.period is not None
    if len(inputs.revenue_forecast) < inputs.period:
        raise ValidationError(
            f"valuation.revenue_forecast: {len(inputs.revenue_forecast)} years given, "
            f"period is {inputs.period}"
        )
    years = []
    total = 0.0
    for t in range(1, inputs.period + 1):
        revenue = inputs.revenue_forecast[t - 1]
        royalty = revenue * inputs.royalty_rate
        factor = 1.0 / (1.0 + inputs.discount_rate) ** t
        pv = royalty * factor
        total += pv
        years.append(ValuationYear(t, revenue, royalty, factor, pv))
    return ValuationResult(
        royalty_rate=inputs.royalty_rate,
        discount_rate=inputs.discount_rate,
        period=inputs.period,
        currency=inputs.currency,
        unit=inputs.unit,
        basis=inputs.basis,
        years=tuple(years),
        value=total,
        forecast_years_given=len(inputs.revenue_forecast),
    )
