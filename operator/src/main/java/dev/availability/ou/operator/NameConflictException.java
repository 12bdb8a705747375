package dev.availability.ou.operator;

import java.util.List;

/** An object the unit needs exists but is not the unit's; reported as condition reason NameConflict. */
final class NameConflictException extends RuntimeException {
  NameConflictException(List<String> objects) {
    super(NameConflicts.message(objects));
  }
}
