"""The audit trail (nhật ký thay đổi): every change to the roster, who made it and when."""
