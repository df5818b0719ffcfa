"""Rendering helpers for the trainee pages. Builders return HTML strings made only from escaped text, so a
case or a reply that contains HTML, markdown or script is always shown as text and never runs."""
