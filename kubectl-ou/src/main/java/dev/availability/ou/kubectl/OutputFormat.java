package dev.availability.ou.kubectl;

/** {@code -o}: text for people (the default), json for programs. */
enum OutputFormat {
  text,
  json
}
