"""Notify's copy of the administrative units' names, which messages name units by."""
