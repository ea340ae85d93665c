"""The admin's staff page: invite colleagues, change their role, deactivate accounts."""
