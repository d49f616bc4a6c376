"""Leaders' reception days (lịch tiếp công dân định kỳ của người đứng đầu), Law 42/2013 Arts. 13, 15, 18, 24."""
