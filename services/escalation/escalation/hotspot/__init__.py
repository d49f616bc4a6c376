"""Hot spots (điểm nóng): sliding-window rules over visits and incidents per unit and field."""
