"""Views of the staff portal: thin pages that host unicorn components, files and exports."""
