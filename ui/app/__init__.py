"""The application shell: start-up, the main window, the settings remembered between runs."""
