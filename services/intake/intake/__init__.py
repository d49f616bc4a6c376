"""tiepdan intake: visits (lượt tiếp) and petitions (đơn) from district and commune desks."""

from .app import create_app

__all__ = ["create_app"]
