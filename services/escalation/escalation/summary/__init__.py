"""The daily situation summary (báo cáo tình hình hằng ngày) and the overdue petitions it counts."""
