""" "Claim": a winner registers the claim of her prize (flow side; the claim rules live in
raffles: `WinnerClaim`, `services.register_claim`)."""

from __future__ import annotations

from messaging.bot.flow.conversation import ConversationBase, Turn
from messaging.bot.flow.effects import ClaimPrize
from messaging.bot.flow.screens import claims as screens
from raffles.claim_models import ClaimStatus


class Claims(ConversationBase):
    def claim_prize(self) -> Turn:
        """Register every prize she may still claim; else say where her claims stand."""
        claims = self.q.claims()
        claimable = [c for c in claims if c.status == ClaimStatus.OPEN]
        name = self.q.buyer_name
        if claimable:
            effect = ClaimPrize(tuple(c.id for c in claimable), name)
            return self.out(screens.claim_registered(claimable, name), effects=(effect,))
        done = [c for c in claims if c.status in (ClaimStatus.CLAIMED, ClaimStatus.DELIVERED)]
        if done:
            return self.out(screens.claim_already(done[0]))
        if claims:
            return self.out(screens.claim_expired(claims[0]))
        return self.out(screens.no_claim())
