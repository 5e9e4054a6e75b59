"""django-unicorn components of the staff portal. Each one inherits StaffComponent."""
