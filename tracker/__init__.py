"""Smart City tracker: makes a city's smart-city strategy measurable."""

__version__ = "0.1.0"
