"""The in-app inbox: messages to officers, read and acknowledged."""
