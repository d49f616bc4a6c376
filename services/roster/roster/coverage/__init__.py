"""Coverage report (báo cáo bố trí trực): unfilled requirements, double bookings, leave, unreachable people."""
