"""Domain objects and text maths: no Qt, no SQL."""
