"""Rules as data: an event type and conditions map to audiences, urgency and channels."""
