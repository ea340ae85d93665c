"""Notifications: in-app messages, e-mail through the mail queue, organiser notices and result subscriptions."""
