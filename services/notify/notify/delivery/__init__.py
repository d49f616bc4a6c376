"""Deliveries: each message over each channel of the recipient's ladder, with every attempt logged."""
