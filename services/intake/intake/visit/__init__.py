"""Reception visits (lượt tiếp): the reception register."""
