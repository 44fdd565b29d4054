"""Student pages, one module per sub-domain; students/urls.py names each view."""
