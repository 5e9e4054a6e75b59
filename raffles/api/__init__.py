"""The raffles app's part of the API: /api/raffles/… and /api/orders/….

config/api.py mounts `router`. Each resource has its module and its own sub-router;
draws will add `raffles/api/draws.py` (GET/POST /api/raffles/{raffle_id}/draw/) and mount it
here, under "/raffles/", next to the raffles router.
"""

from ninja import Router

from raffles.api.orders import router as orders_router
from raffles.api.payments import router as payments_router
from raffles.api.raffles import router as raffles_router
from raffles.api.sellers import router as sellers_router

router = Router()
router.add_router("/raffles/", raffles_router)
router.add_router("/orders/", orders_router)
router.add_router("/payments/", payments_router)
router.add_router("/", sellers_router)  # /sellers/… and /raffles/{raffle_id}/sellers/

__all__ = ["router"]
