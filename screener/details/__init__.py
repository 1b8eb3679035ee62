"""Details a reviewer needs to see in a post: hidden characters, contact routes, personal
information. Each detector reads the ORIGINAL text and returns spans into it."""
