"""Swaps (đổi ca): an officer asks, the other accepts, the board approves."""
