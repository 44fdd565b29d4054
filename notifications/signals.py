"""What the outbox tells the apps that own its recipients (connected in their receivers modules)."""

from django.dispatch import Signal

# A provider refused a message for good (an invalid email address, a number that takes no texts): sent
# with `notification`, `channel` ("email" or "text") and `address` once the row is marked failed. The app
# that owns the address tells the person responsible for fixing it.
delivery_refused = Signal()
