"""Leave and unavailability (nghỉ phép, ốm, vắng) of officers."""
