package dev.availability.ou.api;

public enum ReplicationMode {
  Synchronous,
  Asynchronous,
  Journal
}
