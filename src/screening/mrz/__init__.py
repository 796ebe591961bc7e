"""The pure MRZ core (ICAO Doc 9303 Parts 3 to 7): layouts, check digits, parsing, validation."""
