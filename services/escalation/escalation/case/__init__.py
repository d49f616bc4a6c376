"""Cases (vụ việc): opened from events or by hand, followed on a timeline until closed."""
